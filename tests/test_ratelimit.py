"""Rate limits really trigger, answer with the translated 429 page, and count in Redis when it is configured.

Login and password reset here; observation filing, group registration and join requests below."""
from datetime import timedelta
from zoneinfo import ZoneInfo

from limits.storage import MemoryStorage, RedisStorage
from sqlalchemy import func, select

from watch.extensions import limiter
from watch.models import Group, Observation, OutboxMessage, utcnow
from watch.core.ratelimit import FORM_SUBMIT, JOIN_REQUEST, LOGIN
from tests.conftest import PASSWORD, TEST_REDIS_URL
from tests.group_helpers import neighbourhood_form
from tests.observation_support import make_group


def test_login_attempts_are_limited_with_a_swedish_page(limited_app):
    app, factory = limited_app
    factory.municipality()
    client = app.test_client()
    per_minute = int(LOGIN.split()[0])
    for _ in range(per_minute):
        assert client.post("/login", data={"email": "eva@exempel.se", "password": "gissning-1"}).status_code == 200
    blocked = client.post("/login", data={"email": "eva@exempel.se", "password": "gissning-2"})
    page = blocked.get_data(as_text=True)
    assert blocked.status_code == 429
    assert "För många försök" in page and '<html lang="sv" dir="ltr">' in page
    assert client.get("/login").status_code == 200  # reading the form is never limited
    # Another address is not affected.
    assert app.test_client().post("/login", data={"email": "x@exempel.se", "password": "y" * 9},
                                  environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200


def test_reset_emails_are_limited_per_address_asked_for(limited_app):
    app, factory = limited_app
    user = factory.user()
    statuses = [
        app.test_client().post("/password/forgot", data={"email": user.email},
                               environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}).status_code
        for n in range(4)
    ]
    assert statuses == [302, 302, 302, 429]


def test_counters_are_in_redis_when_redis_url_is_set(limited_app):
    app, _ = limited_app
    expected = RedisStorage if TEST_REDIS_URL else MemoryStorage
    assert isinstance(limiter.storage, expected)
    assert app.config["RATELIMIT_STORAGE_URI"] == (TEST_REDIS_URL or "memory://")


def _logged_in(app, person):
    client = app.test_client()
    assert client.post("/login", data={"email": person.email, "password": PASSWORD}).status_code == 302
    return client


def _swedish_429(response) -> bool:
    page = response.get_data(as_text=True)
    return response.status_code == 429 and "För många försök" in page and '<html lang="sv" dir="ltr">' in page


def test_filing_observations_is_limited_per_person(limited_app):
    app, factory = limited_app
    member, neighbour = factory.user(), factory.user()
    group = make_group(factory.db, member.municipality, members=[member, neighbour])
    observed = (utcnow() - timedelta(hours=1)).astimezone(ZoneInfo("Europe/Stockholm")).strftime("%Y-%m-%dT%H:%M")
    form = {"group": str(group.id), "category": "vandalism", "observed_at": observed, "location": "Tallvägen 3"}
    client = _logged_in(app, member)
    allowed = int(FORM_SUBMIT.split()[0])
    assert {client.post("/observations/new", data=form).status_code for _ in range(allowed)} == {302}
    assert _swedish_429(client.post("/observations/new", data=form))
    assert factory.db.session.scalar(select(func.count(Observation.id))) == allowed
    assert client.get("/observations/new").status_code == 200  # reading the form is never limited
    assert _logged_in(app, neighbour).post("/observations/new", data=form).status_code == 302  # per person


def test_registering_groups_is_limited_per_person(limited_app):
    app, factory = limited_app
    client = _logged_in(app, factory.user())
    allowed = int(FORM_SUBMIT.split()[0])
    statuses = {client.post("/groups/register/neighbourhood",
                            data=neighbourhood_form(name=f"Ramdalen {n}", confirm_duplicate="y")).status_code
                for n in range(allowed)}
    assert statuses == {302}
    assert _swedish_429(client.post("/groups/register/neighbourhood", data=neighbourhood_form(name="En till")))
    assert factory.db.session.scalar(select(func.count(Group.id))) == allowed


def test_join_requests_are_limited_so_contact_persons_are_not_flooded_with_email(limited_app):
    app, factory = limited_app
    contact, resident = factory.user(), factory.user()
    group = make_group(factory.db, contact.municipality, contacts=[contact])
    client = _logged_in(app, resident)
    allowed = int(JOIN_REQUEST.split()[0])
    for _ in range(allowed):  # ask, take it back, ask again...
        assert client.post(f"/groups/{group.id}/join").status_code == 302
        assert client.post(f"/groups/{group.id}/leave").status_code == 302
    assert _swedish_429(client.post(f"/groups/{group.id}/join"))
    emails = factory.db.session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.recipient == contact.email))
    assert emails == allowed

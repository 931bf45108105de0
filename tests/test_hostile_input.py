"""What the hostile-input fuzzing (tests/test_fuzz.py) found, one regression test each: the input that
broke a page (a 500, or a record stored that was not valid), and what it gets now."""
import io
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from tests.conftest import PASSWORD
from tests.group_helpers import boat_form, make_group, neighbourhood_form
from tests.observation_support import make_group as observation_group
from watch.core.postcodes import PostcodeError, parse_postcodes
from watch.core.weeks import local_zone
from watch.models import Group, GroupKind, Observation, Role, utcnow
from watch.observations import services as observation_services

REFUSED = "Något i förfrågan blev fel"
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def groups(db) -> int:
    return db.session.scalar(select(func.count(Group.id)))


def test_a_json_body_sent_to_a_form_is_refused(db, factory, login):
    # Flask-WTF reads JSON bodies into forms: numbers and lists reached validators that expect text (500).
    client = login(factory.user())
    response = client.post("/profile/password", json={"current_password": 1.5, "new_password": ["x"]})
    assert response.status_code == 400 and REFUSED in response.get_data(as_text=True)
    assert client.post("/profile", json=3.5).status_code == 400


def test_a_file_sent_in_a_text_field_is_refused(db, factory, login):
    # A multipart file in any text field reached the form as a FileStorage (500 in len()).
    user = factory.user()
    client = login(user)
    response = client.post("/profile/password", data={"current_password": PASSWORD,
                                                      "new_password": (io.BytesIO(b"Nytt-staket-2026"), "a.txt")})
    assert response.status_code == 400
    member = factory.user()
    group = observation_group(db, member.municipality, members=[member])
    sneaky = {"group": str(group.id), "category": "other", "location": (io.BytesIO(b"x"), "plats.txt")}
    assert login(member).post("/observations/new", data=sneaky).status_code == 400
    assert db.session.scalar(select(func.count(Observation.id))) == 0


def test_a_multipart_part_whose_name_cannot_be_read_is_refused(client, db):
    response = client.post("/logout", data=MultiDict([("\n", (io.BytesIO(b""), "bild.jpg"))]))
    assert response.status_code == 400


def test_nul_characters_are_refused_before_they_reach_the_database(client, db, factory, login):
    # PostgreSQL cannot store or even compare text with NUL in it: every such query was a 500 there.
    factory.municipality()
    assert client.get("/m/oxelosund/groups?q=%00").status_code == 400
    assert client.get("/m/oxel%00sund/groups").status_code == 400
    user = factory.user(name="Anna Berg")
    response = login(user).post("/profile", data={"name": "Anna\x00Berg", "phone": "", "locale": "sv"})
    assert response.status_code == 400 and REFUSED in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.name == "Anna Berg"


def test_text_of_boat_groups_is_stored_without_surrounding_spaces(db, factory, login):
    contact = factory.user()
    group = make_group(contact, kind=GroupKind.BOAT)
    form = boat_form(name="  Femöre hamn ", address="\tFemörevägen 50  ")
    assert login(contact).post(f"/groups/{group.id}/edit", data=form).status_code == 302
    db.session.refresh(group)
    assert (group.name, group.address) == ("Femöre hamn", "Femörevägen 50")


@pytest.mark.parametrize("target", ["/groups/%0D%0ASet-Cookie:%20x=1", "/ok%0ALocation:%20//evil", "/%7F"])
def test_a_next_address_with_control_characters_sends_people_to_the_front_page(client, db, factory, target):
    # Such a target went into the Location header as it was: a 500 (and header injection if it had not).
    user = factory.user()
    response = client.post(f"/login?next={target}", data={"email": user.email, "password": PASSWORD})
    assert (response.status_code, response.location) == (302, "/")
    response = client.post("/language", data={"lang": "en", "next": "/groups/\r\nX: y"})
    assert (response.status_code, response.location) == (302, "/")


def test_codes_typed_with_another_scripts_digits_are_read_as_those_digits(client, db, factory):
    # hmac.compare_digest refuses non-ASCII text: a code in Arabic-Indic digits was a 500.
    coordinator = factory.user(Role.COORDINATOR)
    client.post("/login", data={"email": coordinator.email, "password": PASSWORD})
    wrong = client.post("/login/code", data={"code": "١٢٣٤٥٦"})
    assert wrong.status_code == 200 and "Koden stämmer inte" in wrong.get_data(as_text=True)
    code = pyotp.TOTP(coordinator.totp_secret).now().translate(ARABIC_INDIC)
    assert client.post("/login/code", data={"code": code}).status_code == 302
    assert client.get("/profile").status_code == 200


def test_ids_beyond_the_databases_integer_range_are_a_404(db, factory, login):
    # SQLite cannot bind integers past 64 bits: OverflowError, a 500.
    coordinator = login(factory.user(Role.COORDINATOR))
    for url in ("/groups/2147483648", "/observations/99999999999999999999999", "/coordinator/groups/2147483648",
                "/coordinator/changes?group=99999999999999999999999", "/coordinator/changes?group=١٢"):
        assert coordinator.get(url).status_code == 404, url


def test_a_page_number_too_large_for_the_database_gives_an_empty_page(client, db, factory, login):
    factory.municipality()
    huge = "?page=99999999999999999999999"
    assert client.get("/m/oxelosund/groups" + huge).status_code == 200
    resident = login(factory.user())
    coordinator = login(factory.user(Role.COORDINATOR))
    assert resident.get("/observations/mine" + huge).status_code == 200
    for url in ("/audit", "/coordinator/observations", "/coordinator/groups", "/coordinator/changes",
                "/lagesbild/oxelosund/published", "/lagesbild/oxelosund/promises"):
        assert coordinator.get(url + huge).status_code == 200, url
    assert client.get("/m/oxelosund/promises" + huge).status_code == 200
    police = login(factory.user(Role.POLICE))
    assert police.get("/alerts" + huge).status_code == 200
    assert resident.get("/alerts/feed" + huge).status_code == 200



def test_lagesbild_lists_take_a_page_number_too_large_for_the_database(client, db, factory, login):
    factory.municipality()
    huge = "?page=99999999999999999999999"
    assert client.get("/m/oxelosund/promises" + huge).status_code == 200
    coordinator = login(factory.user(Role.COORDINATOR))
    for url in ("/lagesbild/oxelosund/published", "/lagesbild/oxelosund/promises"):
        assert coordinator.get(url + huge).status_code == 200, url

@pytest.mark.parametrize("text", ["6١٢٣٤", "６１３３１", "61331 ٦١٣٣٢", "613 3²"])
def test_postcodes_in_other_scripts_digits_are_refused(db, factory, login, text):
    # \d matched every script's digits: "6١٢٣٤" was stored as a postcode that no search or address matches.
    with pytest.raises(PostcodeError):
        parse_postcodes(text)
    response = login(factory.user()).post("/groups/register/neighbourhood", data=neighbourhood_form(postcodes=text))
    assert "är inget svenskt postnummer" in response.get_data(as_text=True)
    assert groups(db) == 0


def test_a_postcode_in_the_place_of_an_observation_is_read_in_ascii_digits_only(db, factory):
    group = observation_group(db, factory.municipality(), postcodes=("61331", "61332"))
    assert observation_services.postcode_for("Hamnen, ٦١٣ ٣٢", group) is None
    assert observation_services.postcode_for("Hamnen, 613 32", group) == "61332"


@pytest.mark.parametrize(("observed_at", "message"), [
    ("0001-01-01T00:30", "Ange datum och tid som 2026-05-17 21:30."),  # before year 1 in UTC: OverflowError, a 500
    ("1900-01-01T12:00", "Det är för länge sedan."),  # was stored, and counted in week 1900-W01
])
def test_an_observation_time_out_of_range_is_refused_at_the_field(db, factory, login, observed_at, message):
    member = factory.user()
    group = observation_group(db, member.municipality, members=[member])
    form = {"group": str(group.id), "category": "other", "observed_at": observed_at, "location": "Tallvägen 3"}
    page = login(member).post("/observations/new", data=form).get_data(as_text=True)
    assert message in page and f'value="{observed_at}"' in page
    assert db.session.scalar(select(func.count(Observation.id))) == 0


def test_an_observation_from_within_the_retention_period_is_still_accepted(db, factory, login, app):
    member = factory.user()
    group = observation_group(db, member.municipality, members=[member])
    days = app.config["OBSERVATION_RETENTION_DAYS"] - 1
    earlier = (utcnow() - timedelta(days=days)).astimezone(local_zone())
    form = {"group": str(group.id), "category": "other", "observed_at": earlier.strftime("%Y-%m-%dT%H:%M"),
            "location": "Tallvägen 3"}
    assert login(member).post("/observations/new", data=form).status_code == 302
    assert db.session.scalar(select(func.count(Observation.id))) == 1

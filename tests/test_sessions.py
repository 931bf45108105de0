"""Logins as server-side records (issue 15, item 1): a login ends for good on logout, on every event that
must end it, and by itself after its idle time or lifetime; the profile lists where one is logged in."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from tests.conftest import PASSWORD, log_in
from tests.querycount import count_queries
from watch.admin.services import change_role
from watch.auth import mfa, sessions
from watch.auth.services import password_reset_token
from watch.models import AuditEvent, LoginSession, Role, User, utcnow

ANDROID_CHROME = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/124.0.6367.82 Mobile Safari/537.36")
IPHONE_SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                 "Version/17.4 Mobile/15E148 Safari/604.1")


def logged_in(client) -> bool:
    return client.get("/profile").status_code == 200


def copy_of(app, client):
    """Another browser with a copy of this one's session cookie (stolen, or kept by a shared computer)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def logins_of(db, user) -> list[LoginSession]:
    db.session.expire_all()
    return list(db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)))


def set_times(db, user, *, idle: timedelta | None = None, age: timedelta | None = None) -> None:
    """Move a person's logins back in time: last request `idle` ago, login `age` ago."""
    now, values = utcnow(), {}
    if idle is not None:
        values["last_seen_at"] = now - idle
    if age is not None:
        values["created_at"] = now - age
    db.session.execute(update(LoginSession).where(LoginSession.user_id == user.id).values(**values))
    db.session.commit()


def login_with_agent(app, db, user, user_agent: str):
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = user_agent
    log_in(client, user, db)
    return client


# -- logging out ----------------------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.RESIDENT, Role.COORDINATOR])
def test_a_copied_session_cookie_stops_working_after_logout(app, db, factory, login, role):
    user = factory.user(role)
    browser = login(user)
    thief = copy_of(app, browser)
    assert logged_in(thief)
    assert browser.post("/logout").status_code == 302
    assert not logged_in(browser) and not logged_in(thief)
    assert logins_of(db, user) == []


def test_each_login_is_a_row_and_logging_out_ends_only_that_one(app, db, factory, login):
    user = factory.user()
    phone, laptop = login(user), login(user)
    assert len(logins_of(db, user)) == 2
    phone.post("/logout")
    assert not logged_in(phone) and logged_in(laptop)
    assert len(logins_of(db, user)) == 1


def test_the_cookie_holds_a_random_token_and_the_table_only_its_hash(app, db, factory, login):
    user = factory.user()
    browser = login(user)
    with browser.session_transaction() as session:
        token = session["_user_id"]
    assert str(user.id) not in token.split(":") and len(token) >= 40
    (row,) = logins_of(db, user)
    assert row.id == LoginSession.key_for(token) and token not in row.id


def test_checking_the_login_costs_one_query_on_every_request(app, db, factory, login):
    """One read by primary key, the person joined: what load_user did before, without the login."""
    browser = login(factory.user())
    with count_queries(db.engine) as queries:
        assert browser.get("/").status_code == 200
    touching = [s for s in queries.statements if "login_session" in s]
    assert len(touching) == 1 and touching[0].lstrip().upper().startswith("SELECT") and "JOIN" in touching[0], queries
    assert queries.count <= 2, queries  # the front page's own budget (tests/test_app.py) plus the login


# -- events that end logins -------------------------------------------------------------------------

def _password_changed(app, db, user, browser):
    browser.post("/profile/password", data={"current_password": PASSWORD, "new_password": "Nytt-staket-2026"})


def _password_reset(app, db, user, browser):
    with app.test_request_context():
        token = password_reset_token(user)
    app.test_client().post(f"/password/reset/{token}", data={"new_password": "Nytt-staket-2026"})


def _logged_out_everywhere(app, db, user, browser):
    browser.post("/profile/log-out-everywhere")


def _role_changed(app, db, user, browser):
    change_role(db.session.get(User, user.id), Role.POLICE)
    db.session.commit()


def _mfa_reset(app, db, user, browser):
    mfa.reset(db.session.get(User, user.id))
    db.session.commit()


EVENTS = {
    # event: (role, two-factor login, does the device it happened on stay logged in)
    "password changed": (_password_changed, Role.RESIDENT, False, True),
    "password reset by email": (_password_reset, Role.RESIDENT, False, False),
    "log out everywhere": (_logged_out_everywhere, Role.RESIDENT, False, False),
    # Coordinator to police: both need and have two-factor login, so only the revocation can end the login.
    "role changed": (_role_changed, Role.COORDINATOR, None, False),
    # A resident may log in without a second factor: only the revocation can end the login.
    "two-factor login reset": (_mfa_reset, Role.RESIDENT, True, False),
}


@pytest.mark.parametrize("event", EVENTS)
def test_each_event_that_must_end_logins_ends_them_copies_included(app, db, factory, login, event):
    happen, role, with_mfa, this_device_stays = EVENTS[event]
    user = factory.user(role, mfa=with_mfa)
    browser, other_device = login(user), login(user)
    thief = copy_of(app, other_device)
    happen(app, db, user, browser)
    assert not logged_in(other_device) and not logged_in(thief)
    assert logged_in(browser) is this_device_stays
    assert len(logins_of(db, user)) == (1 if this_device_stays else 0)


def test_a_deleted_account_leaves_no_logins(app, db, factory, login):
    user = factory.user()
    browser, other_device = login(user), login(user)
    response = browser.post("/my-data/delete", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    assert not logged_in(other_device)
    assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 0


# -- expiry ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.POLICE, Role.ADMIN])
def test_staff_logins_end_after_30_minutes_idle_and_12_hours_in_all(app, db, factory, login, role):
    user = factory.user(role)
    browser = login(user)
    set_times(db, user, idle=timedelta(minutes=29))
    assert logged_in(browser)
    set_times(db, user, idle=timedelta(minutes=31))
    assert not logged_in(browser)

    browser = login(user)
    set_times(db, user, idle=timedelta(seconds=0), age=timedelta(hours=11, minutes=59))
    assert logged_in(browser)
    set_times(db, user, idle=timedelta(seconds=0), age=timedelta(hours=12, minutes=1))
    assert not logged_in(browser)


def test_resident_logins_end_after_30_days_idle_only(app, db, factory, login):
    user = factory.user()
    browser = login(user)
    set_times(db, user, idle=timedelta(days=29), age=timedelta(days=400))
    assert logged_in(browser)
    set_times(db, user, idle=timedelta(days=30, minutes=1))
    assert not logged_in(browser)


def test_the_limits_are_configurable(app, db, factory, login, monkeypatch):
    monkeypatch.setitem(app.config, "RESIDENT_SESSION_IDLE", timedelta(hours=1))
    monkeypatch.setitem(app.config, "RESIDENT_SESSION_LIFETIME", timedelta(days=7))
    user = factory.user()
    browser = login(user)
    set_times(db, user, idle=timedelta(minutes=59), age=timedelta(days=6))
    assert logged_in(browser)
    set_times(db, user, idle=timedelta(minutes=61))
    assert not logged_in(browser)
    browser = login(user)
    set_times(db, user, idle=timedelta(0), age=timedelta(days=7, minutes=1))
    assert not logged_in(browser)


def test_activity_keeps_a_login_alive_with_at_most_one_write_a_minute(app, db, factory, login):
    user = factory.user(Role.COORDINATOR)
    browser = login(user)
    set_times(db, user, idle=timedelta(seconds=30))
    (before,) = logins_of(db, user)
    with count_queries(db.engine) as queries:
        assert logged_in(browser)
    assert not any(s.lstrip().upper().startswith("UPDATE LOGIN_SESSION") for s in queries.statements), queries
    assert logins_of(db, user)[0].last_seen_at == before.last_seen_at

    set_times(db, user, idle=timedelta(minutes=25))
    assert logged_in(browser)
    (after,) = logins_of(db, user)
    assert utcnow() - after.last_seen_at < timedelta(seconds=10)


def test_the_periodic_job_purges_expired_logins_only(app, db, factory, login):
    coordinator, resident = factory.user(Role.COORDINATOR), factory.user()
    for _ in range(3):
        login(coordinator)
    for _ in range(3):
        login(resident)
    now = utcnow()
    staff_rows, resident_rows = logins_of(db, coordinator), logins_of(db, resident)
    staff_rows[0].last_seen_at = now - timedelta(minutes=31)  # idle
    staff_rows[1].created_at = now - timedelta(hours=13)  # too old
    resident_rows[0].last_seen_at = now - timedelta(days=31)  # idle
    resident_rows[1].created_at = now - timedelta(days=300)  # old but in use: residents have no lifetime
    keep = {staff_rows[2].id, resident_rows[1].id, resident_rows[2].id}
    db.session.commit()

    sessions.purge_expired_logins()

    db.session.expire_all()
    assert set(db.session.scalars(select(LoginSession.id))) == keep


# -- the profile page -------------------------------------------------------------------------------------

def test_the_profile_lists_where_one_is_logged_in_with_this_device_first(app, db, factory):
    user = factory.user()
    phone = login_with_agent(app, db, user, ANDROID_CHROME)
    login_with_agent(app, db, user, IPHONE_SAFARI)
    iphone_row = next(row for row in logins_of(db, user) if row.system == "iPhone")
    iphone_row.last_seen_at = utcnow() - timedelta(minutes=5)
    db.session.commit()

    page = phone.get("/profile").get_data(as_text=True)
    assert page.index("Chrome på Android") < page.index("Den här enheten") < page.index("Safari på iPhone")
    assert page.count("Den här enheten") == 1 and "Aktiv nu." in page
    assert "Senast aktiv för 5 minuter sedan." in page
    assert page.count('name="session"') == 1  # only the other login can be ended from here
    assert "Avsluta alla inloggningar" in page


def test_ending_another_login_from_the_profile(app, db, factory, login):
    user, stranger = factory.user(), factory.user()
    phone = login_with_agent(app, db, user, ANDROID_CHROME)
    laptop = login_with_agent(app, db, user, IPHONE_SAFARI)
    strangers_browser = login(stranger)
    other = next(row.id for row in logins_of(db, user) if row.system == "iPhone")
    this = next(row.id for row in logins_of(db, user) if row.system == "Android")

    # Not someone else's login, nor this one's (that is "Logga ut"), nor a made-up one.
    for key in (logins_of(db, stranger)[0].id, this, "0" * 64, "x" * 500, ""):
        response = phone.post("/profile/sessions/end", data={"session": key}, follow_redirects=True)
        assert response.status_code == 200 and "Den inloggningen var redan avslutad." in response.get_data(as_text=True)
    assert logged_in(strangers_browser) and logged_in(laptop) and logged_in(phone)

    response = phone.post("/profile/sessions/end", data={"session": other}, follow_redirects=True)
    assert "Enheten är utloggad." in response.get_data(as_text=True)
    assert not logged_in(laptop) and logged_in(phone)
    assert [row.id for row in logins_of(db, user)] == [this]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.session_ended"))
    assert event.actor_id == user.id and event.details == {}


def test_my_data_export_holds_the_logins(app, db, factory):
    user = factory.user()
    phone = login_with_agent(app, db, user, ANDROID_CHROME)
    data = phone.get("/my-data/export.json").get_json()
    (entry,) = data["logins"]
    assert (entry["browser"], entry["system"]) == ("Chrome", "Android") and entry["logged_in_at"]


@pytest.mark.parametrize("user_agent, expected", [
    (ANDROID_CHROME, ("Chrome", "Android")),
    (IPHONE_SAFARI, ("Safari", "iPhone")),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1", ("Chrome", "iPhone")),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
     "Safari/537.36 Edg/124.0.2478.67", ("Edge", "Windows")),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0", ("Firefox", "macOS")),
    ("Mozilla/5.0 (Linux; Android 14; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 "
     "Chrome/117.0.0.0 Mobile Safari/537.36", ("Samsung Internet", "Android")),
    ("Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 "
     "Mobile/15E148 Safari/604.1", ("Safari", "iPad")),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.0.0 "
     "Safari/537.36", ("Chrome", "Linux")),
    ("curl/8.5.0", ("", "")),
    ("", ("", "")),
])
def test_the_device_is_read_from_the_user_agent(user_agent, expected):
    assert sessions.device(user_agent) == expected


def test_device_labels_are_short_and_translated(app):
    with app.test_request_context():
        assert sessions.device_label("Chrome", "Android") == "Chrome på Android"
        assert sessions.device_label("", "Linux") == "En webbläsare på Linux"
        assert sessions.device_label("", "") == "En okänd enhet"
    assert all(len(name) <= 40 for _, name in sessions.BROWSERS + sessions.SYSTEMS)

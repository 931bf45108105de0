"""Password reset by email, password change, and ending sessions from the server."""
import re

from flask import Flask
from itsdangerous import TimestampSigner
from sqlalchemy import select

from watch import create_app
from watch.auth import sessions
from watch.auth.services import end_all_sessions
from watch.extensions import db as _db
from watch.models import AuditEvent, Base, OutboxMessage, User
from tests.conftest import PASSWORD, Factory, RequestIsolatedClient

NEW_PASSWORD = "Skjutsgossevägen-9-båt"


def reset_link(db, user) -> str:
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == user.email))
    return re.search(r"https?://\S+", message.body).group(0)


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def test_reset_email_in_the_recipients_language_with_a_link_to_the_public_address(app, client, db, factory):
    swede = factory.user(locale="sv")
    response = client.post("/password/forgot", data={"email": swede.email.upper()})
    assert response.status_code == 302 and response.location == "/login"
    message = db.session.scalar(select(OutboxMessage))
    assert message.subject == "Välj ett nytt lösenord till Grannsamverkan"
    assert reset_link(db, swede).startswith(app.config["PUBLIC_URL"] + "/password/reset/")
    assert "Om det finns ett konto med den adressen" in client.get("/login").get_data(as_text=True)


def test_no_hint_whether_an_address_has_an_account(client, db, factory):
    factory.user(email="finns@exempel.se")
    known = client.post("/password/forgot", data={"email": "finns@exempel.se"}, follow_redirects=True)
    unknown = client.post("/password/forgot", data={"email": "finns-inte@exempel.se"}, follow_redirects=True)
    def strip(page):
        # The CSRF token carries the second it was signed in: the two pages may straddle a second.
        text = page.get_data(as_text=True)
        for token in set(re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', text)):
            text = text.replace(token, "")
        return text.replace("finns-inte@exempel.se", "").replace("finns@exempel.se", "")

    assert strip(known) == strip(unknown)
    assert [m.recipient for m in db.session.scalars(select(OutboxMessage))] == ["finns@exempel.se"]


def test_reset_link_sets_a_new_password_once_and_ends_every_session(app, client, db, factory, login):
    user = factory.user()
    elsewhere = login(user)
    client.post("/password/forgot", data={"email": user.email})
    link = path_of(reset_link(db, user))
    assert "Nytt lösenord" in client.get(link).get_data(as_text=True)
    weak = client.post(link, data={"new_password": "kort"})
    assert "minst 8 tecken" in weak.get_data(as_text=True)

    response = client.post(link, data={"new_password": NEW_PASSWORD})
    assert response.status_code == 302 and response.location == "/login"
    assert elsewhere.get("/profile").status_code == 302  # the other device is logged out
    assert client.post("/login", data={"email": user.email, "password": NEW_PASSWORD}).status_code == 302
    # The link is spent: it does not work a second time.
    used = app.test_client().get(link).get_data(as_text=True)
    assert "Länken fungerar inte längre" in used
    assert app.test_client().post(link, data={"new_password": "Ännu-ett-lösenord-7"}).status_code == 200
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "auth.password_reset"))


def test_reset_link_expires_after_an_hour(client, db, factory, monkeypatch):
    user = factory.user()
    client.post("/password/forgot", data={"email": user.email})
    link = path_of(reset_link(db, user))
    issued = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: issued(self) + 3601)
    assert "Länken fungerar inte längre" in client.get(link).get_data(as_text=True)
    client.post(link, data={"new_password": NEW_PASSWORD})
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302


def test_reset_link_dies_when_the_password_is_changed_another_way(client, db, factory, login):
    user = factory.user()
    client.post("/password/forgot", data={"email": user.email})
    link = path_of(reset_link(db, user))
    login(user).post("/profile/password", data={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert "Länken fungerar inte längre" in client.get(link).get_data(as_text=True)


def test_tampered_or_deactivated_reset_links_do_not_work(client, db, factory):
    user = factory.user()
    client.post("/password/forgot", data={"email": user.email})
    link = path_of(reset_link(db, user))
    assert "Länken fungerar inte längre" in client.get(link[:-3] + "abc").get_data(as_text=True)
    user.active = False
    db.session.commit()
    assert "Länken fungerar inte längre" in client.get(link).get_data(as_text=True)
    client.post("/password/forgot", data={"email": user.email})
    assert db.session.scalar(select(OutboxMessage.id).offset(1)) is None  # no mail to a deactivated account


def test_changing_the_password_needs_the_current_one_and_ends_other_sessions(db, factory, login):
    user = factory.user()
    here, elsewhere = login(user), login(user)
    wrong = here.post("/profile/password", data={"current_password": "fel-lösenord", "new_password": NEW_PASSWORD})
    assert "Det är inte ditt nuvarande lösenord." in wrong.get_data(as_text=True)
    assert elsewhere.get("/profile").status_code == 200

    response = here.post("/profile/password", data={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert here.get("/profile").status_code == 200  # this device carries on
    assert elsewhere.get("/profile").status_code == 302
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.password_changed"))
    assert event.actor_id == user.id and event.details == {}


def test_log_out_everywhere_ends_every_session(db, factory, login):
    user = factory.user()
    here, elsewhere = login(user), login(user)
    assert "Avsluta alla inloggningar" in here.get("/profile").get_data(as_text=True)
    response = here.post("/profile/log-out-everywhere")
    assert response.status_code == 302 and response.location == "/login"
    assert here.get("/profile").status_code == 302
    assert elsewhere.get("/profile").status_code == 302
    assert login(user).get("/profile").status_code == 200


def test_remember_cookie_is_revoked_with_the_sessions(tmp_path):
    """We offer no "remember me" yet, but the cookie carries the same login token when it comes."""
    app: Flask = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/remember.db"})
    app.test_client_class = RequestIsolatedClient
    with app.app_context():
        Base.metadata.create_all(_db.engine)
        user = Factory(_db).user()
        user_id = user.id

        @app.get("/__remember-me")
        def remember_me():
            sessions.log_in(_db.session.get(User, user_id), remember=True)
            return "ok"

        first = app.test_client()
        first.get("/__remember-me")
        remember_cookie = first.get_cookie("remember_token").value
        cookie_only = app.test_client()
        cookie_only.set_cookie("remember_token", remember_cookie)
        assert cookie_only.get("/profile").status_code == 200

        end_all_sessions(_db.session.get(User, user_id))
        _db.session.commit()
        after = app.test_client()
        after.set_cookie("remember_token", remember_cookie)
        assert after.get("/profile").status_code == 302


def test_old_style_session_ids_are_not_accepted(client, db, factory):
    """Sessions made before session tokens existed (bare user id) no longer log anyone in."""
    user = factory.user()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
    assert client.get("/profile").status_code == 302

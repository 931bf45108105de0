"""Two-factor login: required for staff, optional for residents, recovery codes, rate of guessing."""
import re
import time

import pyotp
from sqlalchemy import func, select

from watch.models import AuditEvent, RecoveryCode, Role
from tests.conftest import PASSWORD


def password_step(client, user, next_url=""):
    return client.post(f"/login{next_url}", data={"email": user.email, "password": PASSWORD})


def code_at(user, offset_steps=0):
    totp = pyotp.TOTP(user.totp_secret)
    return totp.at(time.time() + offset_steps * totp.interval)


def enrol(client, db, user) -> list[str]:
    """Walk through the enrolment page and return the recovery codes it shows."""
    page = client.get("/login/enrol").get_data(as_text=True)
    db.session.refresh(user)
    assert user.totp_secret and user.totp_secret[:4] in page  # the key to type, grouped in fours
    response = client.post("/login/enrol", data={"code": code_at(user)})
    assert response.status_code == 200
    return re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", response.get_data(as_text=True))


def test_coordinator_without_two_factor_must_enrol_before_using_anything(client, db, factory):
    coordinator = factory.user(Role.COORDINATOR, mfa=False)
    response = password_step(client, coordinator, "?next=/profile")
    assert response.status_code == 302 and response.location == "/login/enrol"
    # Half-way through, nothing is reachable: the person is not logged in.
    assert client.get("/profile").status_code == 302
    assert client.get("/audit").status_code == 302

    response = client.get("/login/enrol")
    assert response.headers["Cache-Control"] == "no-store"  # the page shows the TOTP key
    page = response.get_data(as_text=True)
    assert "Ställ in tvåstegsinloggning" in page
    assert 'src="data:image/svg+xml' in page and 'alt="QR-kod' in page
    wrong = client.post("/login/enrol", data={"code": "000000"}).get_data(as_text=True)
    assert "Koden stämmer inte" in wrong and 'aria-invalid="true"' in wrong
    assert client.get("/profile").status_code == 302

    codes = enrol(client, db, coordinator)
    assert len(codes) == 10 and len(set(codes)) == 10
    db.session.refresh(coordinator)
    assert coordinator.mfa_enabled
    stored = set(db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == coordinator.id)))
    assert len(stored) == 10 and not any(code.replace("-", "") in stored for code in codes)  # only hashes
    assert client.get("/profile").status_code == 200  # logged in now
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "mfa.enrolled"))


def test_enrolled_staff_are_asked_for_a_code_and_a_code_works_only_once(client, app, db, factory):
    police = factory.user(Role.POLICE)
    assert password_step(client, police, "?next=/profile").location == "/login/code"
    assert client.get("/profile").status_code == 302
    page = client.post("/login/code", data={"code": "123456"}).get_data(as_text=True)
    assert "Koden stämmer inte" in page
    code = code_at(police)
    response = client.post("/login/code", data={"code": code})
    assert response.status_code == 302 and response.location == "/profile"
    assert client.get("/profile").status_code == 200

    # The same code, seen over a shoulder, does not let anyone else in.
    other = app.test_client()
    password_step(other, police)
    assert "Koden stämmer inte" in other.post("/login/code", data={"code": code}).get_data(as_text=True)
    assert other.post("/login/code", data={"code": code_at(police, 1)}).status_code == 302


def test_a_recovery_code_logs_in_once(client, db, factory):
    coordinator = factory.user(Role.COORDINATOR, mfa=False)
    password_step(client, coordinator)
    codes = enrol(client, db, coordinator)
    client.post("/logout")

    password_step(client, coordinator)
    spaced = codes[3].upper().replace("-", " ")  # typed as read, in capitals with a space
    assert client.post("/login/code", data={"code": spaced}).status_code == 302
    client.post("/logout")
    password_step(client, coordinator)
    assert "Koden stämmer inte" in client.post("/login/code", data={"code": codes[3]}).get_data(as_text=True)
    assert client.post("/login/code", data={"code": codes[4]}).status_code == 302
    assert "Du har 8 oanvända reservkoder." in client.get("/profile/two-factor").get_data(as_text=True)
    used = db.session.scalars(select(AuditEvent.details).where(AuditEvent.action == "mfa.recovery_code_used"))
    assert [details["remaining"] for details in used] == [9, 8]


def test_code_steps_need_a_recent_correct_password(client, db, factory):
    police = factory.user(Role.POLICE)
    response = client.get("/login/code")
    assert response.status_code == 302 and response.location == "/login"
    assert client.post("/login/code", data={"code": code_at(police)}).status_code == 302
    assert client.get("/profile").status_code == 302  # not logged in by a code alone

    password_step(client, police)
    with client.session_transaction() as session:
        session["mfa_pending"] = {**session["mfa_pending"], "at": session["mfa_pending"]["at"] - 11 * 60}
    assert client.post("/login/code", data={"code": code_at(police)}).location == "/login"


def test_residents_log_in_with_a_password_until_they_turn_two_factor_on(client, db, factory, login):
    resident = factory.user()
    assert password_step(client, resident).location == "/"
    client.post("/logout")

    logged_in = login(resident)
    assert "Av" in logged_in.get("/profile/two-factor").get_data(as_text=True)
    page = logged_in.get("/profile/two-factor/setup").get_data(as_text=True)
    assert "Slå på tvåstegsinloggning" in page
    db.session.refresh(resident)
    response = logged_in.post("/profile/two-factor/setup", data={"code": code_at(resident)})
    assert "Dina reservkoder" in response.get_data(as_text=True)
    db.session.refresh(resident)
    assert resident.mfa_enabled

    assert password_step(client, resident).location == "/login/code"


def test_residents_turn_two_factor_off_with_their_password_and_staff_cannot(db, factory, login):
    resident = factory.user(mfa=True)
    client = login(resident)
    wrong = client.post("/profile/two-factor/disable", data={"disable-password": "fel-lösenord"})
    assert "Det är inte ditt nuvarande lösenord." in wrong.get_data(as_text=True)
    db.session.refresh(resident)
    assert resident.mfa_enabled
    response = client.post("/profile/two-factor/disable", data={"disable-password": PASSWORD})
    assert response.status_code == 302
    db.session.refresh(resident)
    assert not resident.mfa_enabled and resident.totp_secret is None

    coordinator = factory.user(Role.COORDINATOR)
    staff = login(coordinator)
    assert "kan inte stängas av" in staff.get("/profile/two-factor").get_data(as_text=True)
    assert staff.post("/profile/two-factor/disable", data={"disable-password": PASSWORD}).status_code == 403
    db.session.refresh(coordinator)
    assert coordinator.mfa_enabled


def test_new_recovery_codes_replace_the_old_ones(db, factory, login):
    coordinator = factory.user(Role.COORDINATOR)
    client = login(coordinator)
    page = client.post("/profile/two-factor/recovery-codes", data={"codes-password": PASSWORD}).get_data(as_text=True)
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", page)
    assert len(codes) == 10
    assert db.session.scalar(select(func.count(RecoveryCode.id)).where(RecoveryCode.user_id == coordinator.id)) == 10


def test_staff_without_two_factor_lose_an_existing_session(db, factory, login):
    """Someone promoted while logged in cannot keep using the session without enrolling."""
    resident = factory.user()
    client = login(resident)
    resident.role = Role.COORDINATOR
    db.session.commit()
    assert client.get("/profile").status_code == 302


def test_reset_mfa_command_logs_out_and_enrolment_starts_again(app, db, factory, login):
    police = factory.user(Role.POLICE)
    client = login(police)
    result = app.test_cli_runner().invoke(args=["users", "reset-mfa", "--email", police.email])
    assert result.exit_code == 0, result.output
    assert client.get("/profile").status_code == 302
    db.session.refresh(police)
    assert not police.mfa_enabled
    assert password_step(app.test_client(), police).location == "/login/enrol"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "mfa.reset"))
    assert event.subject_id == police.id and event.municipality_id == police.municipality_id
    unknown = app.test_cli_runner().invoke(args=["users", "reset-mfa", "--email", "ingen@exempel.se"])
    assert unknown.exit_code != 0


def test_code_guessing_is_rate_limited_per_person(limited_app):
    app, factory = limited_app
    police = factory.user(Role.POLICE)
    client = app.test_client()
    password_step(client, police)
    statuses = [client.post("/login/code", data={"code": "000000"}).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    # The shared counter covers the enrolment step too.
    assert client.post("/login/enrol", data={"code": "000000"}).status_code == 429

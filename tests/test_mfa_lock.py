"""Guessing the second factor is seen and stopped: every wrong code is audited, ten in 24 hours lock
two-factor login until an administrator resets it (issue 15, item 3)."""
import time
from datetime import timedelta

import pyotp
from sqlalchemy import select

from tests.conftest import PASSWORD
from tests.group_helpers import emails_to
from watch.audit import actions
from watch.audit.services import record
from watch.auth.mfa import MAX_CODE_FAILURES, new_recovery_codes
from watch.models import AuditEvent, Role, utcnow

LOCKED = "Tvåstegsinloggningen för det här kontot är låst efter för många felaktiga koder."
WRONG = "Koden stämmer inte"


def password_step(client, user):
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).location == "/login/code"


def right_code(user, offset_steps=0) -> str:
    totp = pyotp.TOTP(user.totp_secret)
    return totp.at(time.time() + offset_steps * totp.interval)


def events(db, action, user) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action,
                                                            AuditEvent.subject_id == user.id)))


def test_each_wrong_code_is_an_audit_event_the_coordinator_can_read(client, db, factory, login):
    police = factory.user(Role.POLICE, name="Anna Berg")
    password_step(client, police)
    assert WRONG in client.post("/login/code", data={"code": "000000"}).get_data(as_text=True)
    assert WRONG in client.post("/login/code", data={"code": "abcde-fghij"}).get_data(as_text=True)  # recovery
    failed = events(db, actions.MFA_CODE_FAILED, police)
    assert len(failed) == 2
    assert all(e.actor_id is None and e.municipality_id == police.municipality_id and e.details == {}
               for e in failed)
    coordinator = factory.user(Role.COORDINATOR, police.municipality)
    page = login(coordinator).get("/audit").get_data(as_text=True)
    assert page.count("Fel kod för tvåstegsinloggning") == 3  # two rows, and the filter's choice


def test_ten_wrong_codes_in_a_day_lock_the_second_factor_even_against_the_right_code(app, client, db, factory):
    coordinator = factory.user(Role.COORDINATOR, name="Anna Berg", locale="en")
    password_step(client, coordinator)
    for _ in range(MAX_CODE_FAILURES - 1):
        assert WRONG in client.post("/login/code", data={"code": "000000"}).get_data(as_text=True)
    db.session.refresh(coordinator)
    assert not coordinator.mfa_locked and emails_to(db, coordinator) == []

    last = client.post("/login/code", data={"code": "000000"})
    assert last.status_code == 200 and LOCKED in last.get_data(as_text=True)
    db.session.refresh(coordinator)
    assert coordinator.mfa_locked
    [lock] = events(db, actions.MFA_LOCKED, coordinator)
    assert lock.details == {"failures": MAX_CODE_FAILURES}

    # The person is told, in their language, with the way out.
    [email] = emails_to(db, coordinator)
    assert email.subject == "Two-factor login to your Grannsamverkan account is locked"
    assert "10 times within 24 hours" in email.body and "/password/forgot" in email.body
    assert app.config["CONTACT_EMAIL"] in email.body

    # Neither the right code nor a fresh password step lets anyone in.
    refused = client.post("/login/code", data={"code": right_code(coordinator)})
    assert refused.status_code == 200 and LOCKED in refused.get_data(as_text=True)
    assert client.get("/profile").status_code == 302
    other = app.test_client()
    password_step(other, coordinator)
    page = other.get("/login/code").get_data(as_text=True)
    assert LOCKED in page and 'name="code"' not in page
    assert other.post("/login/code", data={"code": right_code(coordinator, 1)}).status_code == 200
    assert other.get("/profile").status_code == 302
    assert len(emails_to(db, coordinator)) == 1  # one email, however often it is tried afterwards


def test_a_recovery_code_does_not_open_a_locked_second_factor(client, db, factory, login):
    resident = factory.user(mfa=True)
    codes = new_recovery_codes(resident)
    resident.mfa_locked_at = utcnow()
    db.session.commit()
    password_step(client, resident)
    assert LOCKED in client.post("/login/code", data={"code": codes[0]}).get_data(as_text=True)
    assert client.get("/profile").status_code == 302


def test_wrong_codes_older_than_a_day_or_from_before_enrolment_do_not_count(client, db, factory):
    police = factory.user(Role.POLICE)
    police.mfa_enrolled_at = utcnow() - timedelta(days=3)
    for age in [timedelta(hours=25)] * 5 + [timedelta(days=4)] * 5:
        record(actions.MFA_CODE_FAILED, subject=police, actor=None).created_at = utcnow() - age
    db.session.commit()
    password_step(client, police)
    assert WRONG in client.post("/login/code", data={"code": "000000"}).get_data(as_text=True)
    db.session.refresh(police)
    assert not police.mfa_locked


def test_reset_mfa_unlocks_and_the_person_enrols_again(app, client, db, factory):
    police = factory.user(Role.POLICE)
    password_step(client, police)
    for _ in range(MAX_CODE_FAILURES):
        client.post("/login/code", data={"code": "000000"})
    db.session.refresh(police)
    assert police.mfa_locked

    result = app.test_cli_runner().invoke(args=["users", "reset-mfa", "--email", police.email])
    assert result.exit_code == 0, result.output
    db.session.refresh(police)
    assert not police.mfa_locked and not police.mfa_enabled
    fresh = app.test_client()
    assert fresh.post("/login", data={"email": police.email, "password": PASSWORD}).location == "/login/enrol"
    fresh.get("/login/enrol")
    db.session.refresh(police)
    assert fresh.post("/login/enrol", data={"code": right_code(police)}).status_code == 200
    assert fresh.get("/profile").status_code == 200
    # The failures before the reset do not count against the new enrolment.
    db.session.refresh(police)
    assert not police.mfa_locked

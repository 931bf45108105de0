"""TOTP secrets are encrypted at rest with keys from the environment (issue 15, item 4)."""
import re

import pyotp
from cryptography.fernet import Fernet
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from tests.conftest import PASSWORD, log_in
from tests.test_migrations import fresh_database_url
from watch import create_app
from watch.extensions import db as _db
from watch.models import Role

BASE32_SECRET = re.compile(r"[A-Z2-7]{16,}")


def stored_secret(db, user) -> str | None:
    return db.session.execute(text('SELECT totp_secret FROM "user" WHERE id = :id'), {"id": user.id}).scalar()


def test_the_database_holds_no_totp_secret_in_clear_and_logins_still_work(app, db, factory, login):
    coordinator = factory.user(Role.COORDINATOR)
    stored = stored_secret(db, coordinator)
    assert stored and stored.startswith("gAAAAA")  # a Fernet token
    assert coordinator.totp_secret not in stored and not BASE32_SECRET.search(stored)
    assert Fernet(app.config["TOTP_ENCRYPTION_KEYS"][0]).decrypt(stored.encode()).decode() == coordinator.totp_secret
    assert login(coordinator).get("/profile").status_code == 200


def test_a_secret_made_at_enrolment_is_stored_encrypted(client, db, factory):
    police = factory.user(Role.POLICE, mfa=False)
    client.post("/login", data={"email": police.email, "password": PASSWORD})
    page = client.get("/login/enrol").get_data(as_text=True)
    db.session.refresh(police)
    assert police.totp_secret[:4] in page
    stored = stored_secret(db, police)
    assert not BASE32_SECRET.search(stored)
    assert client.post("/login/enrol", data={"code": pyotp.TOTP(police.totp_secret).now()}).status_code == 200
    assert client.get("/profile").status_code == 200


def test_keys_rotate_a_new_key_first_and_the_old_one_still_decrypts(app, db, factory, monkeypatch):
    old_key = app.config["TOTP_ENCRYPTION_KEYS"][0]
    coordinator = factory.user(Role.COORDINATOR)
    before = stored_secret(db, coordinator)
    new_key = Fernet.generate_key().decode()

    monkeypatch.setitem(app.config, "TOTP_ENCRYPTION_KEYS", [new_key, old_key])
    db.session.expire_all()
    log_in(app.test_client(), coordinator, db)  # read with the old key
    result = app.test_cli_runner().invoke(args=["users", "reencrypt-totp"])
    assert result.exit_code == 0 and "1 two-factor secrets" in result.output
    after = stored_secret(db, coordinator)
    assert after != before
    assert Fernet(new_key).decrypt(after.encode()).decode() == coordinator.totp_secret

    monkeypatch.setitem(app.config, "TOTP_ENCRYPTION_KEYS", [new_key])  # the old key is gone
    db.session.expire_all()
    log_in(app.test_client(), coordinator, db)


def test_the_migration_encrypts_existing_secrets_and_downgrade_decrypts_them(tmp_path):
    url, drop = fresh_database_url(tmp_path)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    secret = pyotp.random_base32()
    try:
        with app.app_context():
            upgrade(revision="b7e2d4a91c05")
            with _db.engine.begin() as connection:
                connection.execute(text(
                    "INSERT INTO \"user\" (name, email, password_hash, locale, role, active, created_at, "
                    "session_token, totp_secret, email_new_observations, alert_channel, member_alerts) "
                    "VALUES ('Anna Berg', 'anna.berg@exempel.se', 'x', 'sv', 'coordinator', true, "
                    "CURRENT_TIMESTAMP, 'token', :secret, false, 'sms', false)"), {"secret": secret})
            upgrade(revision="88edc864bb9b")
            with _db.engine.connect() as connection:
                stored = connection.execute(text('SELECT totp_secret FROM "user"')).scalar()
            assert secret not in stored
            assert Fernet(app.config["TOTP_ENCRYPTION_KEYS"][0]).decrypt(stored.encode()).decode() == secret
            downgrade(revision="b7e2d4a91c05")
            with _db.engine.connect() as connection:
                assert connection.execute(text('SELECT totp_secret FROM "user"')).scalar() == secret
            _db.engine.dispose()
    finally:
        drop()

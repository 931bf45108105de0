import pytest

from tests.alerts.helpers import build_town
from tests.fake_twilio import FakeTwilio


@pytest.fixture
def town(db, factory):
    return build_town(db, factory)


@pytest.fixture
def fake_twilio(app, monkeypatch):
    """The real twilio client in the app, talking to a fake Twilio on 127.0.0.1."""
    fake = FakeTwilio(app.config["TWILIO_ACCOUNT_SID"], app.config["TWILIO_AUTH_TOKEN"]).start()
    monkeypatch.setitem(app.config, "SMS_BACKEND", "twilio")
    monkeypatch.setitem(app.config, "TWILIO_API_BASE_URL", fake.url)
    yield fake
    fake.stop()


@pytest.fixture
def rate_limited_client(app, db):
    """Clients of a second app on the same database with Flask-Limiter switched on (tests keep it off)."""
    from tests.conftest import log_in
    from watch import create_app, jobs
    from watch.extensions import limiter

    limited = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                          "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"})
    limited.test_client_class = app.test_client_class

    def client_for(user):
        client = limited.test_client()
        log_in(client, user, db)
        return client

    yield client_for
    limiter.reset()
    limiter.enabled = False
    jobs.init_app(app)
    with limited.app_context():
        db.engine.dispose()

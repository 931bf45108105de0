"""Rate limits really trigger, answer with the translated 429 page, and count in Redis when it is configured."""
from limits.storage import MemoryStorage, RedisStorage

from watch.extensions import limiter
from watch.ratelimit import LOGIN
from tests.conftest import TEST_REDIS_URL


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
    assert "För många försök" in page and '<html lang="sv">' in page
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

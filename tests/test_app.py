from flask import session

from watch import create_app
from watch.config import check_production

import pytest


def test_front_page_is_swedish_by_default_with_emergency_numbers(client, factory):
    factory.municipality("Oxelösund", "0481")
    factory.municipality("Nyköping", "0480")
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="sv" dir="ltr">' in page
    assert "Välj din kommun" in page
    assert "Oxelösund" in page and "Nyköping" in page
    assert "Pågående brott?" in page and 'href="tel:112"' in page and 'href="tel:11414"' in page
    assert "Vad är Båtsamverkan?" in page


def test_browser_language_is_used_when_nothing_was_chosen(client, db):
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in page and "Choose your municipality" in page


def test_explicit_language_choice_beats_the_browser_and_is_remembered(client, db):
    response = client.post("/language", data={"lang": "en", "next": "/register"})
    assert response.status_code == 302 and response.location == "/register"
    page = client.get("/", headers={"Accept-Language": "sv"}).get_data(as_text=True)
    assert "Choose your municipality" in page
    client.post("/language", data={"lang": "sv", "next": "https://evil.example/"})
    assert "Välj din kommun" in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_language_switch_rejects_unknown_language(client, db):
    assert client.post("/language", data={"lang": "de"}).status_code == 400


def test_logged_in_users_language_setting_wins_and_a_switch_saves_it(db, factory, login):
    user = factory.user(locale="en")
    client = login(user)
    assert "Choose your municipality" in client.get("/", headers={"Accept-Language": "sv"}).get_data(as_text=True)
    client.post("/language", data={"lang": "sv"})
    db.session.refresh(user)
    assert user.locale == "sv"


def test_municipality_page_and_unknown_municipality(client, factory):
    factory.municipality("Nyköping", "0480")
    assert "Grannsamverkan i Nyköping" in client.get("/m/nykoping").get_data(as_text=True)
    missing = client.get("/m/atlantis")
    assert missing.status_code == 404 and "Sidan finns inte" in missing.get_data(as_text=True)


def test_healthz_checks_the_database(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing-dir/x.db"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["database"] == "unreachable"


def test_unexpected_error_gives_a_friendly_translated_page(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})

    @app.get("/__boom")
    def boom():
        raise RuntimeError("kaboom")

    response = app.test_client().get("/__boom")
    assert response.status_code == 500
    assert "Något gick fel hos oss" in response.get_data(as_text=True)


def test_responses_vary_on_htmx_and_language(client, db):
    vary = client.get("/").headers["Vary"]
    assert "HX-Request" in vary and "Accept-Language" in vary


@pytest.mark.parametrize(
    "settings",
    [{}, {"SECRET_KEY": "dev-only-not-secret"}, {"SECRET_KEY": "short"}],
)
def test_production_refuses_a_missing_or_default_secret(settings):
    config = {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://db/watch", "SECRET_KEY": "", **settings}
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        check_production(config)


# What else production needs since issue 15 (shared rate-limit counters, a key for the TOTP secrets); their
# refusals are tested in tests/test_production.py.
PRODUCTION_NEEDS = {"REDIS_URL": "redis://redis.internal:6379/0",
                    "TOTP_ENCRYPTION_KEYS": ["5Yb3s0-Vn0XhLZgZ0rFqI8cU2bB9vQ4s4Jf8m1yA0kE="]}


def test_production_accepts_a_real_secret_and_database():
    check_production({"SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://db/watch",
                      **PRODUCTION_NEEDS, "PUBLIC_URL": "https://grannsamverkan.example"})


def test_security_headers_on_every_page(client, db):
    headers = client.get("/").headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Cache-Control" not in headers or "no-store" not in headers["Cache-Control"]


def test_pages_for_logged_in_people_are_not_cached(factory, login):
    assert login(factory.user()).get("/profile").headers["Cache-Control"] == "no-store"


def test_front_page_query_count_does_not_grow_with_municipalities(client, db, factory):
    from tests.querycount import count_queries

    factory.municipality("Oxelösund", "0481")
    with count_queries(db.engine) as few:
        client.get("/")
    for n in range(10):
        factory.municipality(f"Kommun {n}", f"09{n:02d}")
    with count_queries(db.engine) as many:
        client.get("/")
    assert many.count == few.count <= 2, many


def test_production_cookies_are_secure_httponly_and_samesite_and_hsts_is_sent(tmp_path):
    from watch.config import ProductionConfig

    production = {key: getattr(ProductionConfig, key) for key in dir(ProductionConfig) if key.isupper()}
    app = create_app({**production, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/prod.db", "SECRET_KEY": "x" * 40,
                      "TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "t" * 32,
                      "TWILIO_FROM": "+46700000000", **PRODUCTION_NEEDS, "PUBLIC_URL": "https://grannsamverkan.example"})
    assert app.config["ENV_NAME"] == "production"
    assert app.config["REMEMBER_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_HTTPONLY"]
    assert app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"

    with app.test_request_context():
        session["pending"] = 1  # what any login writes
        response = app.make_response("x")
        app.session_interface.save_session(app, session, response)
    session_cookie = response.headers["Set-Cookie"]
    assert "Secure" in session_cookie and "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie

    response = app.test_client().post("/language", data={"lang": "en"})
    assert "Secure" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_no_hsts_outside_production(client, db):
    assert "Strict-Transport-Security" not in client.get("/").headers

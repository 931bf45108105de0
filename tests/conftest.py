"""Fixtures: one app per test session, a clean database per test, people of every role."""
import contextvars
import itertools
import os
import shutil
import tempfile

import pyotp
import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text, update

from watch import create_app
from watch.admin.services import create_municipality, create_staff
from watch.auth.services import create_user
from watch.config import database_url
from watch.extensions import cache
from watch.extensions import db as _db
from watch.auth.mfa import enrol_with_known_secret
from watch.models import Base, Role, User

XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")  # "gw0", "gw1", … under `pytest -n`, else None


def own_database(url: str | None) -> str | None:
    """Under `pytest -n`, each worker empties its tables after every test: give it a PostgreSQL database of its own."""
    if not (url and XDIST_WORKER):
        return url
    own = f"{url}_{XDIST_WORKER}"
    drop_database(url, own, then_create=True)
    return own


def drop_database(admin_url: str, url: str, then_create: bool = False) -> None:
    name = url.rsplit("/", 1)[1]
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if then_create:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def own_redis(url: str | None) -> str | None:
    """…and a Redis database of its own (counting down from the one given), so rate limits and queues don't mix."""
    if not (url and XDIST_WORKER):
        return url
    base, number = url.rsplit("/", 1)
    return f"{base}/{(int(number) - int(XDIST_WORKER.removeprefix('gw'))) % 16}"


def pytest_sessionfinish(session, exitstatus):
    if TEST_DATABASE_URL and XDIST_WORKER:
        drop_database(GIVEN_DATABASE_URL, TEST_DATABASE_URL)


GIVEN_DATABASE_URL = database_url(os.environ.get("TEST_DATABASE_URL"))
TEST_DATABASE_URL = own_database(GIVEN_DATABASE_URL)
TEST_REDIS_URL = own_redis(os.environ.get("TEST_REDIS_URL"))
PASSWORD = "Tallvägen-17-grind"


class RequestIsolatedClient(FlaskClient):
    """Runs each request in a fresh context, as a real server would.

    Without this, a request reuses the test's app context, so `g` (the logged-in user,
    the chosen locale) and the database session would leak between requests.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


def sqlite_test_url(tmp_path_factory) -> str:
    # On tmpfs when there is one: every commit's fsync would otherwise dominate the suite's time.
    folder = tempfile.mkdtemp(prefix="watch-test-", dir="/dev/shm") if os.path.isdir("/dev/shm") else \
        tmp_path_factory.mktemp("db")
    return "sqlite:///" + os.path.join(folder, "test.db")


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    config = {
        "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL or sqlite_test_url(tmp_path_factory),
        "UPLOAD_FOLDER": str(tmp_path_factory.mktemp("uploads")),
    }
    if TEST_REDIS_URL:
        config["REDIS_URL"] = TEST_REDIS_URL
    app = create_app(config)
    app.test_client_class = RequestIsolatedClient
    with app.app_context():
        Base.metadata.drop_all(_db.engine)
        Base.metadata.create_all(_db.engine)
    yield app
    with app.app_context():
        Base.metadata.drop_all(_db.engine)
        _db.engine.dispose()
    if not TEST_DATABASE_URL:
        shutil.rmtree(os.path.dirname(config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")),
                      ignore_errors=True)


@pytest.fixture
def db(app):
    """The database inside an app context, emptied after the test."""
    with app.app_context():
        yield _db
        _db.session.rollback()
        _db.session.remove()
        _empty_tables()
        cache.clear()  # cached public pages of this test's data


def _empty_tables() -> None:
    tables = Base.metadata.sorted_tables
    with _db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                connection.execute(table.delete())


@pytest.fixture
def client(app, db):
    return app.test_client()


_serial = itertools.count(1)


class Factory:
    """Makes Swedish-looking municipalities and people; every call gives new, unique ones."""

    def __init__(self, db):
        self.db = db
        self._municipalities = {}

    def municipality(self, name: str = "Oxelösund", code: str = "0481"):
        if name not in self._municipalities:
            self._municipalities[name] = create_municipality(name, code)
            self.db.session.commit()
        return self._municipalities[name]

    def user(self, role: Role = Role.RESIDENT, municipality=None, *, name=None, email=None, phone=None,
             locale="sv", covers=(), mfa: bool | None = None):
        """Staff come with two-factor login set up (user.totp_secret) unless mfa=False; residents if mfa=True."""
        n = next(_serial)
        municipality = municipality if municipality is not None or role == Role.ADMIN else self.municipality()
        fields = dict(
            name=name or f"Testperson {n} Lindgren",
            email=email or f"person{n}@exempel.se",
            password=PASSWORD,
            municipality=municipality,
            phone=phone,
            locale=locale,
        )
        if role in (Role.RESIDENT, Role.REPORTER):  # a reporter's organisation: tests set partner_organisation
            user = create_user(role=role, **fields)
        else:
            user = create_staff(role=role, covers=list(covers), **fields)
        if mfa if mfa is not None else user.mfa_required:
            enrol_with_known_secret(user, pyotp.random_base32())
        self.db.session.commit()
        return user


@pytest.fixture
def factory(db):
    return Factory(db)


def log_in(client, user, db):
    """Password, then (for staff and anyone with two-factor login) the current code from their app."""
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    if response.location == "/login/code":
        # A code is accepted only once: let a test log the same person in several times.
        db.session.execute(update(User).where(User.id == user.id).values(totp_last_step=None))
        db.session.commit()
        response = client.post("/login/code", data={"code": pyotp.TOTP(user.totp_secret).now()})
    assert response.status_code == 302 and not response.location.startswith("/login"), "login failed"
    return response


@pytest.fixture
def login(app, db):
    """login(user) → a test client logged in as that user."""

    def _login(user):
        client = app.test_client()
        log_in(client, user, db)
        return client

    return _login


@pytest.fixture
def limited_app(app, tmp_path):
    """A second app with rate limiting on (TestingConfig has it off), its own SQLite file and,
    when TEST_REDIS_URL is set, counters in Redis. Yields (app, factory) inside its app context."""
    from watch.extensions import limiter

    config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/limited.db", "RATELIMIT_ENABLED": True}
    if TEST_REDIS_URL:
        config["REDIS_URL"] = TEST_REDIS_URL
    limited = create_app(config)
    limited.test_client_class = RequestIsolatedClient
    limiter.reset()
    try:
        with limited.app_context():
            Base.metadata.create_all(_db.engine)
            yield limited, Factory(_db)
            _db.session.remove()
    finally:
        limiter.reset()
        limiter.init_app(app)  # the limiter is one object: give it back the session app's settings (off)

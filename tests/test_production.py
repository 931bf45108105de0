"""The production entry point as an operator runs it: gunicorn with deploy/gunicorn.conf.py."""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from watch.config import DEVELOPMENT_TOTP_KEYS

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PRODUCTION_TOTP_KEY = "5Yb3s0-Vn0XhLZgZ0rFqI8cU2bB9vQ4s4Jf8m1yA0kE="


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _production_env(tmp_path, **extra) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("TEST_", "LOG_", "SECURE_"))}
    env.update(WATCH_ENV="production", FLASK_APP="watch", SECRET_KEY="k" * 48,
               DATABASE_URL=f"sqlite:///{tmp_path}/prod.db", HUEY_SQLITE_PATH=str(tmp_path / "huey.db"),
               UPLOAD_FOLDER=str(tmp_path / "uploads"), SMS_BACKEND="outbox",
               PUBLIC_URL="https://grannsamverkan.example")
    env.pop("REDIS_URL", None)
    # Production refuses to start without shared rate-limit counters and a key for the TOTP secrets. Only
    # POSTs touch the counters, and these tests send none, so no Redis needs to answer at this address.
    env.update(RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15", TOTP_ENCRYPTION_KEYS=PRODUCTION_TOTP_KEY)
    env.update(extra)
    return env


def _get(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, dict(response.headers)


@pytest.fixture(scope="module")
def gunicorn_run(tmp_path_factory):
    """Migrate a fresh database, serve it with two workers, make two requests, stop with SIGTERM."""
    tmp_path = tmp_path_factory.mktemp("gunicorn")
    port = _free_port()
    env = _production_env(tmp_path, WEB_CONCURRENCY="2", GUNICORN_BIND=f"127.0.0.1:{port}")
    subprocess.run([BIN / "flask", "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    server = subprocess.Popen([BIN / "gunicorn", "-c", "deploy/gunicorn.conf.py", "watch:create_app()"],
                              env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                health = _get(base + "/healthz?email=eva.sjoberg@exempel.se")
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not answer within 10 s")
        reset = _get(base + "/password/reset/IjEyMyI.secret-token")
    finally:
        server.send_signal(signal.SIGTERM)
        stdout, stderr = server.communicate(timeout=40)
    return {"health": health, "reset": reset, "exit": server.returncode, "stdout": stdout, "stderr": stderr}


def test_gunicorn_serves_the_app_and_stops_cleanly_on_sigterm(gunicorn_run):
    assert gunicorn_run["health"][0] == 200
    assert gunicorn_run["exit"] == 0, gunicorn_run["stderr"]
    assert "Shutting down: Master" in gunicorn_run["stderr"]


def test_every_log_line_is_json_and_access_lines_carry_the_request_id_with_personal_data_masked(gunicorn_run):
    access = [json.loads(line) for line in gunicorn_run["stdout"].splitlines()]
    errors = [json.loads(line) for line in gunicorn_run["stderr"].splitlines()]
    assert {entry["logger"] for entry in errors} >= {"gunicorn.error"}
    assert [entry["path"] for entry in access] == ["/healthz", "/password/reset/***"]
    health, reset = access
    assert health["request_id"] == gunicorn_run["health"][1]["X-Request-ID"]
    assert reset["request_id"] == gunicorn_run["reset"][1]["X-Request-ID"]
    assert health["status"] == 200 and health["method"] == "GET" and health["duration_ms"] >= 0
    assert health["query"] == "email=e***@exempel.se"
    everything = gunicorn_run["stdout"] + gunicorn_run["stderr"]
    assert "eva.sjoberg" not in everything and "secret-token" not in everything


def _production_setting(tmp_path, expression: str, **env) -> str:
    code = f"from watch import create_app; app = create_app(); print({expression})"
    return subprocess.run([sys.executable, "-c", code], env=_production_env(tmp_path, **env), cwd=ROOT,
                          check=True, capture_output=True, text=True).stdout.strip()


def test_cookies_are_secure_unless_an_operator_says_plain_http_on_purpose(tmp_path):
    setting = 'app.config["SESSION_COOKIE_SECURE"], app.config["REMEMBER_COOKIE_SECURE"], ' \
              'bool(app.config["STRICT_TRANSPORT_SECURITY"])'
    assert _production_setting(tmp_path, setting) == "True True True"
    assert _production_setting(tmp_path, setting, SECURE_COOKIES="false") == "False False False"


def _production_start(tmp_path, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from watch import create_app; create_app()"],
                          env=_production_env(tmp_path, **env), cwd=ROOT, capture_output=True, text=True)


@pytest.mark.parametrize(("env", "message"), [
    ({"RATELIMIT_STORAGE_URI": ""}, "Production needs shared rate-limit counters"),
    ({"RATELIMIT_STORAGE_URI": "memory://"}, "Production needs shared rate-limit counters"),
    ({"TOTP_ENCRYPTION_KEYS": ""}, "TOTP_ENCRYPTION_KEYS must be set in production"),
    ({"TOTP_ENCRYPTION_KEYS": "hemligt"}, "not a Fernet key"),
    ({"TOTP_ENCRYPTION_KEYS": f"{PRODUCTION_TOTP_KEY},{DEVELOPMENT_TOTP_KEYS[0]}"}, "the development key"),
])
def test_production_refuses_to_start_without_shared_rate_limits_or_a_totp_key(tmp_path, env, message):
    started = _production_start(tmp_path, **env)
    assert started.returncode != 0 and message in started.stderr


def test_production_starts_with_redis_for_the_counters_and_a_totp_key(tmp_path):
    # REDIS_URL alone is enough for the counters; the app does not connect before it needs to.
    started = _production_start(tmp_path, RATELIMIT_STORAGE_URI="", REDIS_URL="redis://127.0.0.1:6379/15")
    assert started.returncode == 0, started.stderr


# -- safe defaults (issue 15, item 7) -------------------------------------------------------------------

def _run(env: dict, code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)


def test_without_watch_env_the_app_is_production_and_refuses_to_start_on_development_defaults(tmp_path):
    """A server where nobody set WATCH_ENV must not run with the dev secret and the open outbox."""
    env = _production_env(tmp_path)
    for name in ("WATCH_ENV", "SECRET_KEY", "DATABASE_URL", "PUBLIC_URL"):
        env.pop(name)
    started = _run(env, "from watch import create_app; create_app()")
    assert started.returncode != 0
    assert "SECRET_KEY must be set" in started.stderr and "WATCH_ENV is not set" in started.stderr

    env = _production_env(tmp_path)
    env.pop("WATCH_ENV")
    subprocess.run([BIN / "flask", "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    code = ("from watch import create_app; app = create_app(); client = app.test_client(); front = client.get('/'); "
            "print(app.config['ENV_NAME'], app.config['SECRET_KEY'] == 'k' * 48, client.get('/dev/outbox').status_code, "
            "front.status_code, '/dev/outbox' in front.get_data(as_text=True))")
    assert _run(env, code).stdout.split() == ["production", "True", "404", "200", "False"]


def test_an_unknown_watch_env_is_refused(tmp_path):
    started = _run(_production_env(tmp_path, WATCH_ENV="prod"), "from watch import create_app; create_app()")
    assert started.returncode != 0 and "WATCH_ENV='prod'" in started.stderr


def _production_config(**settings) -> dict:
    from watch.config import ProductionConfig

    config = {key: getattr(ProductionConfig, key) for key in dir(ProductionConfig) if key.isupper()}
    config.update(SECRET_KEY="k" * 48, SQLALCHEMY_DATABASE_URI="sqlite://", SMS_BACKEND="outbox",
                  SESSION_COOKIE_SECURE=True, REDIS_URL="redis://127.0.0.1:6379/15",
                  TOTP_ENCRYPTION_KEYS=[PRODUCTION_TOTP_KEY])
    config.update(settings)
    return config


@pytest.mark.parametrize("public_url, secure_cookies, starts", [
    ("https://grannsamverkan.oxelosund.se", True, True),
    ("https://grannsamverkan.oxelosund.se/portal/", True, True),
    (None, True, False),
    ("", True, False),
    ("http://grannsamverkan.oxelosund.se", True, False),
    ("https://", True, False),
    ("grannsamverkan.oxelosund.se", True, False),
    ("ftp://grannsamverkan.oxelosund.se", True, False),
    ("http://[::1", False, False),
    # make prod-local: plain http on this machine, which SECURE_COOKIES=false already declares.
    ("http://127.0.0.1:8000", False, True),
    ("http://localhost:8000", False, True),
    ("http://127.0.0.1:8000", True, False),
    ("http://192.168.1.20:8000", False, False),
])
def test_production_refuses_to_start_without_an_https_public_url(public_url, secure_cookies, starts):
    from watch.config import check_production

    config = _production_config(PUBLIC_URL=public_url, SESSION_COOKIE_SECURE=secure_cookies)
    if starts:
        check_production(config)
    else:
        with pytest.raises(RuntimeError, match="PUBLIC_URL must be the portal's https:// address"):
            check_production(config)


def test_production_refuses_to_seed_the_demo(tmp_path):
    env = _production_env(tmp_path)
    subprocess.run([BIN / "flask", "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    seeded = subprocess.run([BIN / "flask", "demo", "seed"], env=env, cwd=ROOT, capture_output=True, text=True)
    assert seeded.returncode != 0
    assert "the demo is not for production" in seeded.stderr and "WATCH_ENV=development" in seeded.stderr
    code = ("from sqlalchemy import func, select; from watch import create_app; from watch.extensions import db; "
            "from watch.models import User\nwith create_app().app_context(): print(db.session.scalar("
            "select(func.count()).select_from(User)))")
    assert _run(env, code).stdout.strip() == "0"


def test_production_never_serves_the_dev_outbox_whatever_the_settings_say(tmp_path):
    from watch import create_app

    app = create_app(_production_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/outbox.db",
                                        PUBLIC_URL="https://grannsamverkan.example", SHOW_DEMO_OUTBOX=True,
                                        WTF_CSRF_ENABLED=False))
    with app.app_context():
        from watch.extensions import db
        from watch.models import Base

        Base.metadata.create_all(db.engine)
    client = app.test_client()
    assert client.get("/dev/outbox").status_code == 404
    assert client.post("/dev/outbox/inbound", data={"phone": "+46701234505", "body": "Hej"}).status_code == 404
    front = client.get("/")
    assert front.status_code == 200 and "/dev/outbox" not in front.get_data(as_text=True)

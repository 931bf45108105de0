"""CPU time and SQL statements per request, in one process: where a page's time goes, next to hello's.

    .venv/bin/python benchmarks/request_cpu.py postgresql://postgres@127.0.0.1:5432/watch_load redis://127.0.0.1:6379/0

Run it after benchmarks/load.py on the same database (it uses that run's people and observations;
it changes nothing but the login steps). The Flask test client calls the app directly, with the
production configuration, so no network or gunicorn is counted; CPU time (not wall time) makes the
figures less sensitive to other work on the machine.
"""
import os
import re
import sys
import time
from pathlib import Path

import pyotp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RUNS = 300
FORWARDED = {"X-Forwarded-For": "198.51.100.250", "X-Forwarded-Proto": "https", "Accept-Language": "sv"}


def cpu_ms(client, path: str, headers: dict) -> float:
    for _ in range(20):
        assert client.get(path, headers=headers).status_code == 200, path
    start = time.process_time()
    for _ in range(RUNS):
        client.get(path, headers=headers)
    return (time.process_time() - start) / RUNS * 1000


def main(database_url: str, redis_url: str) -> None:
    from benchmarks.load import PASSWORD
    from benchmarks.stack import production_env

    os.environ.update(production_env(database_url, redis_url, LOG_FORMAT="text"))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from hello import app as hello_app
    from sqlalchemy import select, update

    from tests.querycount import count_queries
    from watch import create_app
    from watch.extensions import db
    from watch.models import User

    app = create_app()

    def logged_in(email: str):
        client = app.test_client()

        def post(path: str, fields: dict):
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                              client.get(path, headers=FORWARDED).text).group(1)
            return client.post(path, data={"csrf_token": token, **fields},
                               headers={**FORWARDED, "Referer": f"https://localhost{path}"})

        if post("/login", {"email": email, "password": PASSWORD}).location.endswith("/login/code"):
            with app.app_context():
                user = db.session.scalar(select(User).where(User.email == email))
                secret = user.totp_secret
                db.session.execute(update(User).where(User.id == user.id).values(totp_last_step=None))
                db.session.commit()
            post("/login/code", {"code": pyotp.TOTP(secret).now()})
        return client

    resident, coordinator = logged_in("boende0@lasttest.example"), logged_in("samordnare0@lasttest.example")
    print("| request | CPU ms | SQL statements |\n| --- | ---: | ---: |")
    print(f"| hello (benchmarks/hello.py) | {cpu_ms(hello_app.test_client(), '/', {}):.2f} | 0 |")
    for label, client, path in [
        ("/healthz, not logged in", app.test_client(), "/healthz"),
        ("/healthz, logged in", resident, "/healthz"),
        ("front page", resident, "/"),
        ("directory", resident, "/m/oxelosund/groups"),
        ("observation form", resident, "/observations/new"),
        ("my observations", resident, "/observations/mine"),
        ("coordinator inbox", coordinator, "/coordinator/observations"),
    ]:
        milliseconds = cpu_ms(client, path, FORWARDED)
        with app.app_context(), count_queries(db.engine) as queries:
            client.get(path, headers=FORWARDED)
        print(f"| {label} | {milliseconds:.2f} | {queries.count} |")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])

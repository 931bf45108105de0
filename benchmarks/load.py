"""Load test of the production stack: 50 simulated people for 60 s, against a bare Flask "hello".

    .venv/bin/python benchmarks/load.py postgresql://postgres@127.0.0.1:5432/watch_load redis://127.0.0.1:6379/0

EMPTIES that PostgreSQL database (created if missing) and that Redis database. The stack is the one
docs/operations.md describes: gunicorn with deploy/gunicorn.conf.py and WATCH_ENV=production, two Huey
consumers, the database migrated with `flask db upgrade` and the demo seeded, plus 50 residents and 5
coordinators (with their own TOTP keys) made for the test. The script plays the load balancer in front
of gunicorn (X-Forwarded-For/-Proto, TRUSTED_PROXY_HOPS=1): each simulated person has an address of
their own, so per-address login limits work as in production; rate limits stay on.

Phases, each with every simulated person asking as fast as answers come (no think time), so 50 here
stand for many more real people:
  1. "hello" (benchmarks/hello.py) under the same gunicorn settings: the yardstick;
  2. each page alone for --page-seconds: the page's capacity, reported as a ratio to hello's;
  3. mixed journeys for --seconds: residents (front page → directory → observation form → file one on
     every third round → my observations) and coordinators (front page → inbox → inbox of new ones).
Then: observations acknowledged by a redirect vs rows in PostgreSQL (lost / unexpected), the emails
to the coordinator that the Huey consumers stored, and error lines in the server's log.

Traffic goes only to 127.0.0.1; every loop ends at its deadline and after at most MAX_REQUESTS_PER_PERSON.
Prints Markdown for docs/benchmarks.md.
"""
import argparse
import http.client
import itertools
import json
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pyotp
import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.stack import flask, production_env, serving  # noqa: E402
from deploy.create_database import create_database  # noqa: E402

HOST = "127.0.0.1"
PORTAL_PORT, HELLO_PORT = 8100, 8101
RESIDENTS, COORDINATORS = 50, 5
PASSWORD = "Lasttest-losen-2026"
MAX_REQUESTS_PER_PERSON = 100_000
# The form allows 20 observations an hour per person: the phases share that budget.
FILE_BUDGET_PAGE_PHASE, FILE_BUDGET_MIXED = 8, 10
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
SWEDISH_TIME = ZoneInfo("Europe/Stockholm")


class Person:
    """One simulated person: their own connection, cookies and (made-up, documentation-range) address."""

    def __init__(self, port: int, address: str, cookies: dict[str, str] | None = None):
        self.connection = http.client.HTTPConnection(HOST, port, timeout=30)
        self.host = f"{HOST}:{port}"
        self.address = address
        self.cookies = dict(cookies or {})
        self.group: int | None = None  # a resident's group, where they file observations
        self.filed = 0

    def clone(self) -> "Person":
        """Another browser tab of the same person: same cookies, own connection."""
        return Person(self.connection.port, self.address, self.cookies)

    def request(self, method: str, path: str, body: bytes | None = None, content_type: str | None = None,
                referer: str | None = None) -> tuple[int, dict[str, str], bytes]:
        headers = {"X-Forwarded-For": self.address, "X-Forwarded-Proto": "https", "Accept-Language": "sv",
                   "Accept-Encoding": "identity"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        if referer:  # Flask-WTF checks it on https, as browsers send it
            headers["Referer"] = f"https://{self.host}{referer}"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            raise
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["expires"].startswith("Thu, 01 Jan 1970") or morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, dict(response.headers), data

    def form_token(self, path: str) -> str:
        status, _, body = self.request("GET", path)
        match = CSRF.search(body.decode())
        if status != 200 or not match:
            raise RuntimeError(f"no form at {path} ({status})")
        return match.group(1) or match.group(2)

    def post_form(self, path: str, fields: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        token = self.form_token(path)
        body = "&".join(f"{k}={v}" for k, v in {"csrf_token": token, **fields}.items())
        return self.request("POST", path, body.encode(), "application/x-www-form-urlencoded", referer=path)


class Recorder:
    """Latencies and failures per page, from every thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.error_samples: list[str] = []
        self.acknowledged: set[str] = set()  # observation markers answered with the redirect
        self.started = self.finished = 0.0

    def timed(self, page: str, person: Person, expect: int, method: str, path: str, **kwargs) -> bytes | None:
        start = time.perf_counter()
        try:
            status, headers, body = person.request(method, path, **kwargs)
        except (OSError, http.client.HTTPException) as error:
            status, headers, body = None, {}, repr(error).encode()
        elapsed = time.perf_counter() - start
        with self.lock:
            if status == expect:
                self.latencies[page].append(elapsed)
                return body if status == 200 else headers.get("Location", "").encode()
            self.errors[page] += 1
            if len(self.error_samples) < 10:
                self.error_samples.append(f"{page}: {method} {path} → {status} {body[:200]!r}")
        return None

    def seconds(self) -> float:
        return self.finished - self.started


# -- journeys -------------------------------------------------------------------------------------

def observation_fields(person: Person, token: str, group_id: int, marker: str) -> tuple[bytes, str]:
    """The observation form as a phone's browser sends it: multipart, with an empty photo field."""
    seen = (datetime.now(SWEDISH_TIME) - timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M")
    fields = {"csrf_token": token, "category": "suspicious_vehicle", "observed_at": seen, "group": str(group_id),
              "location": "Västra vägen 14", "latitude": "", "longitude": "", "vehicle_registration": "ABC 123",
              "vehicle_colour": "vit", "vehicle_make": "Ford Transit",
              "description": f"{marker}: skåpbil utan firmanamn körde sakta förbi flera gånger."}
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
             for name, value in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="photo"; filename=""\r\n'
                 "Content-Type: application/octet-stream\r\n\r\n\r\n")
    parts.append(f"--{boundary}--\r\n")
    return "".join(parts).encode(), f"multipart/form-data; boundary={boundary}"


def file_observation(recorder: Recorder, person: Person, form_body: bytes, group_id: int) -> None:
    match = CSRF.search(form_body.decode())
    marker = f"Lasttest {uuid.uuid4().hex[:12]}"
    body, content_type = observation_fields(person, match.group(1) or match.group(2), group_id, marker)
    person.filed += 1
    location = recorder.timed("file an observation", person, 302, "POST", "/observations/new", body=body,
                              content_type=content_type, referer="/observations/new")
    if location is not None and location.decode().endswith("/observations/mine"):
        with recorder.lock:
            recorder.acknowledged.add(marker)


def resident_round(recorder: Recorder, person: Person, group_id: int, round_number: int, budget: int) -> None:
    recorder.timed("front page", person, 200, "GET", "/")
    recorder.timed("directory", person, 200, "GET", "/m/oxelosund/groups")
    form = recorder.timed("observation form", person, 200, "GET", "/observations/new")
    if form is not None and round_number % 3 == 0 and person.filed < budget:
        file_observation(recorder, person, form, group_id)
    recorder.timed("my observations", person, 200, "GET", "/observations/mine")


def coordinator_round(recorder: Recorder, person: Person) -> None:
    recorder.timed("front page", person, 200, "GET", "/")
    recorder.timed("coordinator inbox", person, 200, "GET", "/coordinator/observations")
    recorder.timed("coordinator inbox", person, 200, "GET", "/coordinator/observations?status=new")


def run(people: list[Person], seconds: float, step) -> Recorder:
    """Every person repeats `step(recorder, person, round_number)` until the deadline."""
    recorder = Recorder()
    barrier = threading.Barrier(len(people))

    def loop(person: Person) -> None:
        # A connection left idle since the last phase may be past gunicorn's keep-alive: start afresh,
        # as a browser would (it retries such a request on a new connection).
        person.connection.close()
        barrier.wait()
        deadline = time.monotonic() + seconds
        for round_number in range(MAX_REQUESTS_PER_PERSON):
            if time.monotonic() >= deadline or step(recorder, person, round_number) is False:
                break
        person.connection.close()

    recorder.started = time.perf_counter()
    with ThreadPoolExecutor(len(people)) as pool:
        list(pool.map(loop, people))
    recorder.finished = time.perf_counter()
    return recorder


# -- setting up -----------------------------------------------------------------------------------

def empty(database_url: str, redis_url: str) -> None:
    create_database(database_url)
    with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as db:
        db.execute("DROP SCHEMA public CASCADE")
        db.execute("CREATE SCHEMA public")
    redis.Redis.from_url(redis_url).flushdb()


SEED = """
import json, sys
import pyotp
from sqlalchemy import select
from watch import create_app
from watch.admin.services import create_staff
from watch.core.municipalities import find_municipality
from watch.auth.services import create_user
from watch.extensions import db
from watch.auth.mfa import enrol_with_known_secret
from watch.models import Group, GroupStatus, Membership, MembershipStatus, Role

residents, coordinators, password = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
with create_app().app_context():
    oxelosund = find_municipality("oxelosund")
    groups = db.session.scalars(select(Group).where(Group.municipality_id == oxelosund.id,
                                                    Group.status == GroupStatus.APPROVED).order_by(Group.id)).all()
    people = []
    for n in range(residents):
        user = create_user(name=f"Lasttest Boende {n}", email=f"boende{n}@lasttest.example", password=password,
                           municipality=oxelosund)
        group = groups[n % len(groups)]
        db.session.add(Membership(group=group, user=user, status=MembershipStatus.ACTIVE))
        people.append({"email": user.email, "group": group.id})
    for n in range(coordinators):
        user = create_staff(name=f"Lasttest Samordnare {n}", email=f"samordnare{n}@lasttest.example",
                            password=password, role=Role.COORDINATOR, municipality=oxelosund)
        enrol_with_known_secret(user, pyotp.random_base32())
        user.email_new_observations = n == 0  # one coordinator has an email for every new observation
        people.append({"email": user.email, "totp": user.totp_secret})
    db.session.commit()
    print(json.dumps(people))
"""


def seed(env: dict[str, str]) -> list[dict]:
    flask(env, "db", "upgrade")
    flask({**env, "WATCH_ENV": "development"}, "demo", "seed")  # production refuses the demo
    output = subprocess.run([sys.executable, "-c", SEED, str(RESIDENTS), str(COORDINATORS), PASSWORD], env=env,
                            cwd=Path(__file__).resolve().parents[1], check=True, capture_output=True, text=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def log_in(port: int, account: dict, address: str, password: str = PASSWORD) -> Person:
    """A logged-in person: password, then the code from their authenticator app where they have one."""
    person = Person(port, address)
    status, headers, _ = person.post_form("/login", {"email": account["email"], "password": password})
    if headers.get("Location", "").endswith("/login/code"):
        status, headers, _ = person.post_form("/login/code", {"code": pyotp.TOTP(account["totp"]).now()})
    if status != 302 or "/login" in headers.get("Location", ""):
        raise RuntimeError(f"could not log in {account['email']}: {status} {headers.get('Location')}")
    person.group = account.get("group")
    return person


# -- reporting ------------------------------------------------------------------------------------

def percentiles(latencies: list[float]) -> tuple[float, float, float]:
    if len(latencies) < 2:
        return (latencies[0] * 1000,) * 3 if latencies else (0.0, 0.0, 0.0)
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000


def table(recorder: Recorder, pages: list[str], hello_rate: float | None = None, rates=None) -> list[str]:
    header = "| page | requests | req/s | p50 ms | p95 ms | p99 ms | errors |"
    lines = [header, "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    if rates is not None:
        lines = [header + " rate ÷ hello |", lines[1] + " ---: |"]
    for page in pages:
        latencies = recorder.latencies.get(page, [])
        rate = (rates or {}).get(page, len(latencies) / recorder.seconds())
        p50, p95, p99 = percentiles(latencies)
        line = f"| {page} | {len(latencies)} | {rate:.1f} | {p50:.0f} | {p95:.0f} | {p99:.0f} | {recorder.errors[page]} |"
        if rates is not None:
            line += f" {rate / hello_rate:.2f} |"
        lines.append(line)
    return lines


def count_server_errors(log_dir: Path) -> int:
    errors = 0
    for path in log_dir.glob("portal*.err"):
        for line in path.read_text().splitlines():
            try:
                errors += json.loads(line).get("level") in ("ERROR", "CRITICAL")
            except ValueError:
                errors += 1  # anything that is not a JSON line is a crash's output
    return errors


def stored_markers(database_url: str) -> tuple[set[str], int]:
    with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://")) as db:
        rows = db.execute("SELECT description FROM observation WHERE description LIKE 'Lasttest %'").fetchall()
        emails = db.execute("SELECT count(*) FROM outbox_message WHERE recipient = 'samordnare0@lasttest.example'"
                            ).fetchone()[0]
    return {row[0].split(":", 1)[0] for row in rows}, emails


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database_url")
    parser.add_argument("redis_url")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--page-seconds", type=float, default=15)
    parser.add_argument("--users", type=int, default=RESIDENTS)
    args = parser.parse_args()
    users = min(args.users, RESIDENTS)

    env = production_env(args.database_url, args.redis_url)
    print(f"emptying and seeding {args.database_url} and {args.redis_url} ...", file=sys.stderr)
    empty(args.database_url, args.redis_url)
    accounts = seed(env)
    addresses = (f"198.51.100.{n}" for n in itertools.count(1))  # documentation range: never a real client

    with tempfile.TemporaryDirectory(prefix="watch-load-") as folder:
        log_dir = Path(folder)
        with serving(env, HELLO_PORT, log_dir, app="hello:app"):
            hello = run([Person(HELLO_PORT, f"192.0.2.{n}") for n in range(users)], args.page_seconds,
                        lambda r, p, n: r.timed("hello", p, 200, "GET", "/"))
        hello_rate = len(hello.latencies["hello"]) / hello.seconds()
        print(f"hello: {hello_rate:.0f} req/s", file=sys.stderr)

        with serving(env, PORTAL_PORT, log_dir, job_workers=2):
            with ThreadPoolExecutor(10) as pool:
                people = list(pool.map(lambda a: log_in(PORTAL_PORT, a, next(addresses)), accounts))
            residents = people[:RESIDENTS][:users]
            coordinators = people[RESIDENTS:]
            tabs = [coordinators[n % len(coordinators)].clone() for n in range(users)]

            single = {}
            for page, path, group in [("front page", "/", residents), ("directory", "/m/oxelosund/groups", residents),
                                      ("observation form", "/observations/new", residents),
                                      ("my observations", "/observations/mine", residents),
                                      ("coordinator inbox", "/coordinator/observations", tabs)]:
                single[page] = run([p.clone() for p in group], args.page_seconds,
                                   lambda r, p, n, page=page, path=path: r.timed(page, p, 200, "GET", path))
                print(f"{page}: {len(single[page].latencies[page]) / single[page].seconds():.0f} req/s",
                      file=sys.stderr)

            def file_until_budget(recorder, person, round_number):
                if person.filed >= FILE_BUDGET_PAGE_PHASE:
                    return False
                form = recorder.timed("observation form", person, 200, "GET", "/observations/new")
                if form is not None:
                    file_observation(recorder, person, form, person.group)

            filing = run(residents, args.page_seconds, file_until_budget)
            filed = filing.latencies["file an observation"]
            single["file an observation"] = filing
            # Each round is a form, then the post; the post's capacity is the round rate.
            filing_rate = len(filed) / filing.seconds()

            mixed_people = residents[:users - COORDINATORS] + coordinators
            for person in mixed_people:
                person.filed = 0
            mixed = run(mixed_people, args.seconds, lambda r, p, n: (
                resident_round(r, p, p.group, n, FILE_BUDGET_MIXED) if p.group else coordinator_round(r, p)))

            acknowledged = filing.acknowledged | mixed.acknowledged
            deadline = time.monotonic() + 60  # the consumers catch up with the emails
            while True:
                stored, emails = stored_markers(args.database_url)
                if emails >= len(stored) or time.monotonic() > deadline:
                    break
                time.sleep(1)
        server_errors = count_server_errors(log_dir)

    pages = ["front page", "directory", "observation form", "file an observation", "my observations",
             "coordinator inbox"]
    rates = {page: len(rec.latencies[page]) / rec.seconds() for page, rec in single.items()}
    rates["file an observation"] = filing_rate
    total = sum(len(v) for v in mixed.latencies.values())
    report = [
        f"{users} simulated people, no think time; hello: {hello_rate:.1f} req/s "
        f"(p50 {percentiles(hello.latencies['hello'])[0]:.0f} ms, errors {hello.errors['hello']})",
        "",
        f"### Each page alone ({args.page_seconds:.0f} s each)",
        "",
        *table(_merged(single), pages, hello_rate, rates),
        "",
        f"### Mixed journeys ({args.seconds:.0f} s): {total} requests, {total / mixed.seconds():.1f} req/s, "
        f"{sum(mixed.errors.values())} errors",
        "",
        *table(mixed, pages),
        "",
        f"Observations acknowledged: {len(acknowledged)}; in PostgreSQL: {len(stored)}; "
        f"lost: {len(acknowledged - stored)}; stored without acknowledgement: {len(stored - acknowledged)}.",
        f"Emails to the coordinator who asked for them, stored by the Huey consumers: {emails} of {len(stored)}.",
        f"Error lines in the server logs: {server_errors}.",
    ]
    print("\n".join(report))
    samples = [*hello.error_samples, *(s for rec in single.values() for s in rec.error_samples),
               *mixed.error_samples]
    if samples:
        print("\nFirst errors:\n" + "\n".join(samples[:10]), file=sys.stderr)


def _merged(recorders: dict[str, Recorder]) -> Recorder:
    """One recorder holding each page's own phase (the observation form also ran in the filing phase)."""
    merged = Recorder()
    merged.started, merged.finished = 0.0, 1.0
    for page, recorder in recorders.items():
        merged.latencies[page] = recorder.latencies[page]
        merged.errors[page] = sum(recorder.errors.values())
    return merged


if __name__ == "__main__":
    main()

"""Fan-out benchmark: one alert to N recipients through a real job worker and the real twilio client.

A fake Twilio (tests/fake_twilio.py) answers after --latency seconds and fails --failure-rate of
the requests with a temporary 503. For each configured rate it reports the achieved send rate
as a share of the configured one, how long composing took (p95, small and whole audience),
duplicates (messages beyond one per recipient) and the worker's peak memory.

    .venv/bin/python benchmarks/fanout.py                                  # 10,000 recipients, 50 and 200/s
    .venv/bin/python benchmarks/fanout.py --recipients 1000 --rates 50     # a quick look
    .venv/bin/python benchmarks/fanout.py --rates 200 --processes 2 --skip-compose   # two worker processes
    .venv/bin/python benchmarks/fanout.py --rates ""                        # only the compose request
    .venv/bin/python benchmarks/fanout.py --database-url postgresql://postgres@127.0.0.1/bench \\
        --redis-url redis://127.0.0.1:6379/12

Without --database-url it uses a fresh SQLite file, without --redis-url Huey on SQLite.
"""
import argparse
import math
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from staff_login import enrol, log_in  # noqa: E402  (beside this file)

ACCOUNT_SID, AUTH_TOKEN = "AC" + "b" * 32, "benchmark-auth-token"
BODY = "Tre inbrott i förråd på Västra vägen i veckan. Lås in trimmers och motorer. Tips: 114 14."


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--rates", default="50,200", help="messages per second to configure, comma separated")
    parser.add_argument("--latency", type=float, default=0.150, help="seconds the fake Twilio takes to answer")
    parser.add_argument("--failure-rate", type=float, default=0.05, help="share of temporary 503 answers")
    parser.add_argument("--compose-samples", type=int, default=20)
    parser.add_argument("--processes", type=int, default=1, help="worker processes sharing the threads")
    parser.add_argument("--skip-compose", action="store_true", help="only the fan-out")
    parser.add_argument("--claim-batch", type=int, default=10,
                        help="SMS_CLAIM_BATCH: deliveries claimed, paced and recorded together (1 = one at a time)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL"))
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    bench = prepare(args.database_url, args.redis_url, args.recipients)
    app, client, env, workdir = bench.app, bench.client, bench.env, bench.workdir
    from sqlalchemy import text

    from tests.fake_twilio import FakeTwilio
    from watch.extensions import db
    from watch.models import Base, DeliveryStatus

    print(f"# {args.recipients} recipients · latency {args.latency * 1000:.0f} ms · "
          f"{args.failure_rate:.0%} temporary failures · {db_kind(bench.database_url)} · "
          f"jobs on {'Redis' if args.redis_url else 'SQLite'}")
    if not args.skip_compose:
        compose = measure_compose(app, client, bench.municipality_id, bench.small_group, args.compose_samples)
        print("compose median / p95: whole audience {:.0f} / {:.0f} ms, one group {:.0f} / {:.0f} ms".format(
            *compose["whole"], *compose["small"]))

    for rate in [float(r) for r in args.rates.split(",") if r]:
        fake = FakeTwilio(ACCOUNT_SID, AUTH_TOKEN, latency=args.latency,
                          temporary_failure_rate=args.failure_rate).start()
        concurrency = math.ceil(rate * (args.latency + 0.05)) + 4
        threads = math.ceil(concurrency / args.processes)
        workers = [start_worker(env, fake, rate, threads, workdir / f"worker-{rate}-{n}.log",
                                SMS_SEND_CONCURRENCY=str(concurrency), SMS_CLAIM_BATCH=str(args.claim_batch))
                   for n in range(args.processes)]
        started = time.monotonic()
        alert_id = send_alert(client, bench.municipality_id)
        peak_rss = 0

        def track_memory():
            nonlocal peak_rss
            peak_rss = max(peak_rss, *(rss_kib(worker.pid) for worker in workers))

        statuses = wait_until_handled(app, alert_id, args.recipients / rate * 3 + 120, track_memory)
        wall = time.monotonic() - started
        peak_rss = max(peak_rss, *(hwm_kib(worker.pid) for worker in workers))
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=60)
        fake.stop()

        times = sorted(a.at for a in fake.attempts)
        achieved = (len(times) - 1) / (times[-1] - times[0])
        # While the backlog lasted: up to each number's first try; after it only back-off retries trickle in.
        first_tries = {}
        for attempt in sorted(fake.attempts, key=lambda a: a.at):
            first_tries.setdefault(attempt.to, attempt.at)
        backlog_end = max(first_tries.values())
        in_backlog = [t for t in times if t <= backlog_end]
        steady = (len(in_backlog) - 1) / (backlog_end - times[0])
        with open(workdir / f"attempts-{rate:.0f}.csv", "w") as out:
            out.writelines(f"{a.at - times[0]:.3f},{a.to},{a.outcome}\n" for a in fake.attempts)
        sent_per_number = Counter(m["To"] for m in fake.messages)
        duplicates = sum(n - 1 for n in sent_per_number.values())
        print(f"rate {rate:.0f}/s: achieved {steady:.1f}/s = {steady / rate:.1%} of configured while the "
              f"backlog lasted ({achieved / rate:.1%} counting the last back-off retries) · "
              f"{len(fake.attempts)} requests ({sum(a.outcome == 503 for a in fake.attempts)} temporary failures, "
              f"retried) · {len(sent_per_number)} recipients got a message · duplicates {duplicates} · "
              f"sent {statuses.get(DeliveryStatus.SENT, 0)}, failed {statuses.get(DeliveryStatus.FAILED, 0)} · "
              f"all handled in {wall:.0f} s · {args.processes} × {threads} worker threads, "
              f"peak RSS {peak_rss / 1024:.0f} MiB per worker")
    with app.app_context():
        db.session.execute(text("SELECT 1"))
        Base.metadata.drop_all(db.engine)


class Bench(NamedTuple):
    app: object
    client: object
    env: dict
    workdir: Path
    database_url: str
    municipality_id: int
    small_group: int


def prepare(database_url: str | None, redis_url: str | None, recipients: int) -> Bench:
    """Fresh tables with `recipients` contact persons, empty job queues, and a logged-in police client."""
    workdir = Path(tempfile.mkdtemp(prefix="fanout-"))
    database_url = database_url or f"sqlite:///{workdir}/bench.db"
    # Huey's storage is chosen at import: decide it before watch is imported, the same for the workers.
    # The workers run the development configuration (no production secrets here); without WATCH_ENV they would be
    # production and refuse to start.
    env = {**os.environ, "FLASK_APP": "watch", "WATCH_ENV": "development", "DATABASE_URL": database_url,
           "HUEY_SQLITE_PATH": str(workdir / "huey.db")}
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    os.environ.clear()
    os.environ.update(env)

    from tests.conftest import RequestIsolatedClient
    from watch import create_app
    from watch.config import database_url as normalised_url
    from watch.extensions import db
    from watch.jobs import huey
    from watch.models import Base

    app = create_app({"SQLALCHEMY_DATABASE_URI": normalised_url(database_url), "JOBS_IMMEDIATE": False,
                      "REDIS_URL": redis_url})
    app.test_client_class = RequestIsolatedClient
    huey.immediate = False
    with app.app_context():
        Base.metadata.drop_all(db.engine)
        Base.metadata.create_all(db.engine)
        police_email, municipality_id, small_group = seed(db, recipients)
    if redis_url:
        import redis

        redis.Redis.from_url(redis_url).flushdb()
    huey.flush()
    client = app.test_client()
    log_in(client, police_email, "benchmark-password")
    return Bench(app, client, env, workdir, database_url, municipality_id, small_group)


def start_worker(env: dict, fake, rate: float, threads: int, log_path: Path, *, periodic: bool = False,
                 **settings: str) -> subprocess.Popen:
    """A `flask jobs worker` process sending through the fake Twilio at `rate` messages per second."""
    worker_env = {**env, "SMS_BACKEND": "twilio", "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
                  "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_FROM": "+46766860000",
                  "TWILIO_API_BASE_URL": fake.url, "SMS_RATE_PER_SECOND": str(rate),
                  "SMS_SEND_CONCURRENCY": str(threads), "SMS_RETRY_BASE_SECONDS": "1",
                  "TWILIO_HTTP_TIMEOUT_SECONDS": "5", **settings}
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "jobs", "worker", "--workers", str(threads),
         *([] if periodic else ["--no-periodic"])],
        cwd=ROOT, env=worker_env, stdout=subprocess.DEVNULL, stderr=open(log_path, "w"),
    )
    time.sleep(2)
    return worker


def wait_until_handled(app, alert_id: int, timeout: float, tick=lambda: None) -> Counter:
    """Poll once a second until no delivery of the alert waits; returns how many ended in each status."""
    from sqlalchemy import func, select

    from watch.extensions import db
    from watch.models import Alert, Delivery, PENDING_STATUSES

    started = time.monotonic()
    with app.app_context():
        while True:
            time.sleep(1)
            tick()
            written = db.session.scalar(select(Alert.deliveries_written).where(Alert.id == alert_id))
            pending = db.session.scalar(select(func.count()).where(
                Delivery.alert_id == alert_id, Delivery.status.in_(PENDING_STATUSES)))
            db.session.rollback()
            if written and not pending:
                break
            if time.monotonic() - started > timeout:
                print("gave up waiting", file=sys.stderr)
                break
        return Counter(dict(db.session.execute(
            select(Delivery.status, func.count()).where(Delivery.alert_id == alert_id)
            .group_by(Delivery.status)).all()))


def send_alert(client, municipality_id: int) -> int:
    """Send the benchmark's warning to the whole municipality; returns the alert's id."""
    response = client.post("/alerts/new", data=compose_form(municipality_id, "municipality"))
    return int(response.location.rsplit("/", 1)[1])


def seed(db, recipients: int):
    """A municipality with groups of 20 contact persons each, every one with a verified phone."""
    from sqlalchemy import insert, select

    from watch.auth.services import hash_password
    from watch.models import Group, GroupKind, GroupStatus, Membership, Municipality, Role, User, utcnow

    now = utcnow()
    municipality = Municipality(name="Oxelösund", slug="oxelosund", code="0481")
    db.session.add(municipality)
    db.session.flush()
    police = User(name="Johan Berg", email="polis@bench.se", password_hash=hash_password("benchmark-password"),
                  role=Role.POLICE, municipality_id=municipality.id, locale="sv", created_at=now)
    enrol(police)
    db.session.add(police)
    groups = recipients // 20 + 1
    db.session.execute(insert(Group), [
        {"municipality_id": municipality.id, "kind": GroupKind.NEIGHBOURHOOD, "status": GroupStatus.APPROVED,
         "name": f"Område {g}", "area_description": "", "created_at": now} for g in range(groups)])
    group_ids = list(db.session.scalars(select(Group.id).order_by(Group.id)))
    db.session.execute(insert(User), [
        {"name": f"Kontakt {i}", "email": f"kontakt{i}@bench.se", "phone": f"+4670{i:07d}",
         "verified_phone": f"+4670{i:07d}", "phone_verified_at": now, "password_hash": "x", "locale": "sv",
         "role": Role.RESIDENT, "municipality_id": municipality.id, "active": True, "created_at": now,
         "alert_channel": "sms", "member_alerts": False} for i in range(recipients)])
    user_ids = list(db.session.scalars(select(User.id).where(User.role == Role.RESIDENT).order_by(User.id)))
    db.session.execute(insert(Membership), [
        {"group_id": group_ids[n // 20], "user_id": user_id, "role": "contact", "status": "active",
         "created_at": now} for n, user_id in enumerate(user_ids)])
    db.session.commit()
    return police.email, municipality.id, group_ids[0]


def compose_form(municipality_id: int, target: str, group_id: int | None = None) -> dict:
    data = {"municipality": municipality_id, "target": target, "audience": "contacts", "body": BODY,
            "validity": 4, "action": "send"}
    if group_id:
        data["groups"] = [group_id]
    return data


def measure_compose(app, client, municipality_id, small_group, samples) -> dict:
    """Median and p95 in ms of the sending request itself; the alerts are removed again and their jobs dropped."""
    from sqlalchemy import delete

    from watch.extensions import db
    from watch.jobs import huey
    from watch.models import Alert, Delivery, alert_group

    result = {}
    for name, form in (("whole", compose_form(municipality_id, "municipality")),
                       ("small", compose_form(municipality_id, "groups", small_group))):
        durations = []
        for _ in range(samples):
            started = time.perf_counter()
            response = client.post("/alerts/new", data=form)
            durations.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 302 and "/alerts/" in response.location, response.location
        result[name] = statistics.median(durations), statistics.quantiles(durations, n=20)[18]
    with app.app_context():
        for table in (Delivery.__table__, alert_group, Alert.__table__):
            db.session.execute(delete(table))
        db.session.commit()
    huey.flush()
    return result


def rss_kib(pid: int) -> int:
    return _status_field(pid, "VmRSS:")


def hwm_kib(pid: int) -> int:
    return _status_field(pid, "VmHWM:")


def _status_field(pid: int, name: str) -> int:
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith(name):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def db_kind(url: str) -> str:
    return "PostgreSQL" if url.startswith("postgres") else "SQLite"


if __name__ == "__main__":
    main()

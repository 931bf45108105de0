"""Fault drill: one alert to 10,000 phones while the fake Twilio misbehaves and a job worker is killed.

Two `flask jobs worker` processes send through the real twilio client to tests/fake_twilio.py.
Of its answers, --failure-rate (20 %) go wrong: half are a 503, half hang past the client's
timeout, and half of those hung messages were accepted before the answer got lost, so the
worker cannot know whether the phone got it. When --kill-at of the messages are out, one worker
is killed with SIGKILL in the middle of sending; the claims it held are handed back by the
other worker's periodic recovery job after SMS_CLAIM_TIMEOUT_SECONDS. The drill passes when
every delivery ends `sent` and every phone got the warning exactly once.

    .venv/bin/python benchmarks/sms_faults.py                              # 10,000 phones, SQLite
    .venv/bin/python benchmarks/sms_faults.py --database-url postgresql://postgres@127.0.0.1/bench \\
        --redis-url redis://127.0.0.1:6379/12

Prints a summary, then the figures as one JSON line; exits 1 when a phone got the warning twice
or not at all. tests/test_sms_fault_drill.py runs it small on every CI run.
"""
import argparse
import json
import os
import re
import signal
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fanout import (  # noqa: E402  (beside this file, not a package)
    ACCOUNT_SID, AUTH_TOKEN, db_kind, prepare, send_alert, start_worker, wait_until_handled,
)

TWILIO_TIMEOUT = 2.0  # the worker's HTTP timeout; the fake hangs longer than this


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=100, help="messages per second, shared by both workers")
    parser.add_argument("--threads", type=int, default=16, help="threads per worker")
    parser.add_argument("--failure-rate", type=float, default=0.20, help="share of 503s and timeouts, half each")
    parser.add_argument("--kill-at", type=float, default=0.33, help="share of messages out when a worker is killed")
    parser.add_argument("--claim-timeout", type=int, default=15, help="SMS_CLAIM_TIMEOUT_SECONDS of the workers")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL"))
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    bench = prepare(args.database_url, args.redis_url, args.recipients)

    from sqlalchemy import func, select

    from tests.fake_twilio import FakeTwilio
    from watch.extensions import db
    from watch.models import Base, Delivery, DeliveryStatus

    fake = FakeTwilio(ACCOUNT_SID, AUTH_TOKEN, latency=0.05, temporary_failure_rate=args.failure_rate / 2,
                      timeout_rate=args.failure_rate / 2, timeout_seconds=TWILIO_TIMEOUT + 1).start()
    settings = {"TWILIO_HTTP_TIMEOUT_SECONDS": str(TWILIO_TIMEOUT), "SMS_CLAIM_TIMEOUT_SECONDS": str(args.claim_timeout),
                "SMS_SEND_CONCURRENCY": str(2 * args.threads)}
    survivor_log = bench.workdir / "worker-survivor.log"
    survivor = start_worker(bench.env, fake, args.rate, args.threads, survivor_log, periodic=True, **settings)
    victim = start_worker(bench.env, fake, args.rate, args.threads, bench.workdir / "worker-killed.log", **settings)
    print(f"# {args.recipients} phones · {args.rate:.0f}/s · {args.failure_rate:.0%} of requests fail "
          f"(503 or timeout) · one of two workers killed at {args.kill_at:.0%} · {db_kind(bench.database_url)} · "
          f"jobs on {'Redis' if args.redis_url else 'SQLite'}", flush=True)

    started = time.monotonic()
    alert_id = send_alert(bench.client, bench.municipality_id)
    while len(fake.messages) < args.kill_at * args.recipients:
        if time.monotonic() - started > args.recipients / args.rate * 3 + 60:
            raise SystemExit("the workers never got going: see " + str(bench.workdir))
        time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    with bench.app.app_context():
        claimed_at_kill = db.session.scalar(select(func.count()).where(
            Delivery.alert_id == alert_id, Delivery.status == DeliveryStatus.SENDING))
        db.session.rollback()
    killed_after = time.monotonic() - started

    statuses = wait_until_handled(bench.app, alert_id, args.recipients / args.rate * 5 + 180)
    wall = time.monotonic() - started
    survivor.send_signal(signal.SIGTERM)
    survivor.wait(timeout=60)
    fake.stop()
    with bench.app.app_context():
        Base.metadata.drop_all(db.engine)

    per_phone = Counter(message["To"] for message in fake.messages)
    result = {
        "recipients": args.recipients,
        "requests": len(fake.attempts),
        "http_503": sum(attempt.outcome == 503 for attempt in fake.attempts),
        "timeouts": sum(attempt.hung for attempt in fake.attempts),
        "accepted_then_timed_out": sum(attempt.hung and attempt.accepted for attempt in fake.attempts),
        "killed_after_seconds": round(killed_after, 1),
        "claimed_at_kill": claimed_at_kill,
        "requeued_after_kill": requeued(survivor_log),
        "phones_reached": len(per_phone),
        "duplicates": sum(n - 1 for n in per_phone.values()),
        "missed": args.recipients - len(per_phone),
        "statuses": {status.value: count for status, count in statuses.items()},
        "seconds": round(wall, 1),
    }
    passed = (result["duplicates"] == 0 and result["missed"] == 0
              and statuses.get(DeliveryStatus.SENT, 0) == args.recipients)
    print(f"{result['requests']} requests: {result['http_503']} answered 503, {result['timeouts']} timed out "
          f"({result['accepted_then_timed_out']} of them after Twilio took the message) · worker killed after "
          f"{killed_after:.0f} s with {claimed_at_kill} deliveries in flight; recovery requeued "
          f"{result['requeued_after_kill']}, the dead worker's · {result['phones_reached']} phones reached, {result['duplicates']} duplicates, "
          f"{result['missed']} missed · statuses {result['statuses']} · {wall:.0f} s · "
          f"{'PASS' if passed else 'FAIL'}")
    print(json.dumps(result))
    return 0 if passed else 1


def requeued(worker_log: Path) -> int:
    """Deliveries the recovery job handed back, from its log lines."""
    pattern = re.compile(r"requeued (\d+) deliveries left claimed")
    return sum(int(match.group(1)) for match in pattern.finditer(worker_log.read_text()))


if __name__ == "__main__":
    sys.exit(main())

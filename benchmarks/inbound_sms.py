"""The inbound SMS webhook with 100,000 SMS already stored.

    WATCH_ENV=development .venv/bin/python benchmarks/inbound_sms.py                 # SQLite in a temporary folder
    .venv/bin/python benchmarks/inbound_sms.py postgresql://postgres@127.0.0.1:5432/scratch   # EMPTIES that database

Posts signed Twilio webhooks to /sms/inbound through the Flask test client (server time, no network),
each in its own app context and session as on a real server, with jobs queued rather than run (the
webhook stores and enqueues only). Three kinds of SMS, 200 each after 20 warm-up requests, each kind
from 100 numbers in turn: members' replies to a recent alert, members' reports (no alert answered, so
each becomes an observation and is acknowledged), and unknown numbers (answered once a day). Prints a
Markdown table for docs/benchmarks.md: median and 95th percentile per kind, and SQL statements sent.
"""
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from itertools import count, cycle

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("HUEY_SQLITE_PATH", os.path.join(tempfile.mkdtemp(prefix="bench-huey-"), "huey.db"))

from sqlalchemy import insert  # noqa: E402

from tests.fake_twilio import sign  # noqa: E402
from tests.querycount import count_queries  # noqa: E402
from watch import create_app  # noqa: E402
from watch.admin.services import create_municipality, create_staff  # noqa: E402
from watch.auth.services import create_user  # noqa: E402
from watch.config import database_url  # noqa: E402
from watch.extensions import db  # noqa: E402
from watch.models import (  # noqa: E402
    Alert, AlertAudience, AlertStatus, AlertTarget, Base, Delivery, DeliveryChannel, DeliveryStatus, Group, GroupKind,
    GroupStatus, Membership, MembershipRole, MembershipStatus, Role, SmsReply, SmsReplyKind, utcnow,
)

STORED = int(os.environ.get("STORED_SMS", 100_000))
RUNS = 200
WARM_UP = 20
PASSWORD = "Benchmark-losen-2026"


def phone_number(n: int) -> str:
    return f"+4670{n:07d}"


def seed(stored: int) -> tuple[list[str], list[str]]:
    """Oxelösund with 200 members with verified numbers, one alert sent to them, and `stored` old SMS."""
    municipality = create_municipality("Oxelösund", "0481")
    police = create_staff(name="Johan Berg", email="polis@bench.test", password=PASSWORD, role=Role.POLICE,
                          municipality=municipality)
    group = Group(municipality=municipality, kind=GroupKind.NEIGHBOURHOOD, status=GroupStatus.APPROVED,
                  name="Västra vägen", area_description="")
    db.session.add(group)
    members = []
    for n in range(200):
        member = create_user(name=f"Boende {n} Lindgren", email=f"boende{n}@bench.test", password=PASSWORD,
                             municipality=municipality, phone=phone_number(n))
        member.verified_phone, member.phone_verified_at = member.phone, utcnow()
        members.append(member)
    group.memberships = [Membership(user=m, role=MembershipRole.CONTACT, status=MembershipStatus.ACTIVE)
                         for m in members]
    now = utcnow()
    alert = Alert(municipality=municipality, author=police, body="Lås förråden i natt.", validity_seconds=14400,
                  target=AlertTarget.MUNICIPALITY, target_description="Hela Oxelösund", audience=AlertAudience.CONTACTS,
                  status=AlertStatus.SENT,
                  valid_until=now + timedelta(hours=4), sent_at=now)
    db.session.add(alert)
    db.session.flush()
    db.session.execute(insert(Delivery), [
        dict(alert_id=alert.id, user_id=m.id, channel=DeliveryChannel.SMS, phone=m.phone,
             status=DeliveryStatus.DELIVERED, provider_sid=f"SM{m.id:032d}", sent_at=now, next_attempt_at=now)
        for m in members[:100]])
    rng = random.Random(14)
    batch = []
    for n in range(stored):
        batch.append(dict(provider_sid=f"SMold{n:027d}", phone=phone_number(rng.randrange(100_000)),
                          body="Tack, vi har låst förrådet.", kind=SmsReplyKind.MESSAGE,
                          received_at=now - timedelta(minutes=rng.randrange(60 * 24 * 60))))
        if len(batch) == 10_000:
            db.session.execute(insert(SmsReply), batch)
            batch = []
    db.session.commit()
    return [phone_number(n) for n in range(100)], [phone_number(n) for n in range(100, 200)]


def main(url: str | None) -> None:
    serial = count()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(url) or f"sqlite:///{folder}/bench.db",
                          "UPLOAD_FOLDER": folder, "JOBS_IMMEDIATE": False})
        with app.app_context():
            Base.metadata.drop_all(db.engine)
            Base.metadata.create_all(db.engine)
            repliers, reporters = seed(STORED)
            engine = db.engine
        client = app.test_client()
        webhook = app.config["PUBLIC_URL"] + "/sms/inbound"

        def post(phone: str, body: str) -> None:
            params = {"MessageSid": f"SMbench{next(serial):025d}", "From": phone, "Body": body,
                      "To": app.config["TWILIO_FROM"] or "+46766860000", "AccountSid": app.config["TWILIO_ACCOUNT_SID"]}
            headers = {"X-Twilio-Signature": sign(app.config["TWILIO_AUTH_TOKEN"], webhook, params)}
            assert client.post("/sms/inbound", data=params, headers=headers).status_code == 200

        # Each kind cycles through 100 numbers, so no number sends more than SMS_INBOUND_PER_HOUR (a flood).
        strangers = [f"+4676{n:07d}" for n in range(100)]
        cases = [("reply to a recent alert", repliers, "Tack, vi har sett en vit skåpbil vid förråden."),
                 ("member's report", reporters, "Två personer provar dörrar på Tallvägen just nu."),
                 ("unknown number", strangers, "Hej, vem är detta?")]
        print(f"{STORED:,} SMS stored; {RUNS} requests per kind after {WARM_UP} warm-up\n")
        print("| SMS | median ms | p95 ms | SQL statements |\n| --- | ---: | ---: | ---: |")
        for label, phones, body in cases:
            senders = cycle(phones)
            for _ in range(WARM_UP):
                post(next(senders), body)
            timings = []
            for _ in range(RUNS):
                start = time.perf_counter()
                post(next(senders), body)
                timings.append((time.perf_counter() - start) * 1000)
            with count_queries(engine) as queries:
                post(next(senders), body)
            print(f"| {label} | {statistics.median(timings):.1f} | {statistics.quantiles(timings, n=20)[18]:.1f} "
                  f"| {queries.count} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)

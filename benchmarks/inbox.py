"""Coordinator inbox timings with 10,000 observations.

    .venv/bin/python benchmarks/inbox.py                 # SQLite in a temporary folder
    .venv/bin/python benchmarks/inbox.py postgresql://postgres@127.0.0.1:5432/scratch   # EMPTIES that database

Prints a Markdown table for docs/benchmarks.md: median and 95th percentile server time per page
(through the Flask test client, so no network) and the SQL statements each page sends.
"""
import argparse
import os
import random
import sys
import tempfile
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy import insert  # noqa: E402

from staff_login import enrol, log_in  # noqa: E402  (beside this file)
from scratch import settle  # noqa: E402  (beside this file)
from server_time import print_table  # noqa: E402  (beside this file)
from watch import create_app  # noqa: E402
from watch.admin.services import create_municipality, create_staff  # noqa: E402
from watch.auth.services import create_user  # noqa: E402
from watch.config import database_url  # noqa: E402
from watch.core.weeks import iso_week  # noqa: E402
from watch.extensions import db  # noqa: E402
from watch.models import (  # noqa: E402
    Base, Group, GroupKind, GroupStatus, Membership, MembershipRole, MembershipStatus, Observation,
    ObservationCategory, ObservationStatus, Role, utcnow,
)

ROWS = 10_000
RUNS = 30
PASSWORD = "Benchmark-losen-2026"


def seed(rows: int) -> tuple[str, int, str]:
    municipality = create_municipality("Oxelösund", "0481")
    groups = [Group(municipality=municipality, kind=GroupKind.NEIGHBOURHOOD, status=GroupStatus.APPROVED,
                    name=f"Område {n}", area_description="") for n in range(20)]
    member = create_user(name="Maria Holm", email="boende@bench.test", password=PASSWORD, municipality=municipality)
    groups[0].memberships = [Membership(user=member, role=MembershipRole.MEMBER, status=MembershipStatus.ACTIVE)]
    db.session.add_all(groups)
    coordinator = create_staff(name="Karin Lindqvist", email="samordnare@bench.test", password=PASSWORD,
                               role=Role.COORDINATOR, municipality=municipality)
    enrol(coordinator)
    db.session.flush()
    rng = random.Random(6)
    now = utcnow()
    values = []
    for n in range(rows):
        moment = now - timedelta(minutes=rng.randint(0, 365 * 24 * 60))
        values.append(dict(
            group_id=rng.choice(groups).id, municipality_id=municipality.id, reporter_id=member.id,
            category=rng.choice(list(ObservationCategory)), observed_at=moment, observed_week=iso_week(moment),
            location=f"Västra vägen {n % 90}", description="Skåpbil körde sakta förbi flera gånger.",
            status=rng.choice(list(ObservationStatus)), notable=False, created_at=moment,
        ))
    db.session.execute(insert(Observation), values)
    db.session.commit()
    return coordinator.email, groups[3].id, iso_week(now - timedelta(weeks=10))


def main(url: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(url) or f"sqlite:///{folder}/bench.db",
                          "UPLOAD_FOLDER": folder})
        with app.app_context():
            engine = db.engine
            Base.metadata.drop_all(engine)
            Base.metadata.create_all(engine)
            email, group_id, week = seed(ROWS)
            settle(engine)
        # Requests outside any app context: each gets its own, with a fresh session, as on a real server.
        client = app.test_client()
        log_in(client, email, PASSWORD)
        cases = [
            ("newest first, page 1", ""),
            ("page 200 of 400", "?page=200"),
            ("status = new", "?status=new"),
            ("category + group", f"?category=burglary&group={group_id}"),
            ("one ISO week", f"?week={week}"),
            ("all filters", f"?status=forwarded&category=burglary&group={group_id}&week={week}"),
        ]
        print(f"{engine.dialect.name}, {ROWS:,} observations, {RUNS} runs each\n")
        # Six warm-up requests: psycopg prepares a statement on its fifth use, as a running server has long done.
        print_table(client, engine, [(name, "/coordinator/observations" + query) for name, query in cases], RUNS,
                    warm_up=6)
        Base.metadata.drop_all(engine)
        engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database_url", nargs="?", help="PostgreSQL (EMPTIED); without it SQLite in a temporary folder")
    main(parser.parse_args().database_url)

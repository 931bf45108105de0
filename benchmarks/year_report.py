"""The yearly follow-up and Open311 `GET requests` with 100,000 observations and 2,000 EST actions, on PostgreSQL.

    .venv/bin/python benchmarks/year_report.py                       # server at postgresql://postgres@127.0.0.1:5432
    .venv/bin/python benchmarks/year_report.py postgresql://user@host:5432 --runs 100

Creates a database of its own (watch_bench_year), runs the migrations, seeds one municipality with two years
of observations (a tenth from partner organisations), 2,000 actions, groups started and archived, alerts with
their deliveries and medborgarlöften, and a neighbouring municipality; runs VACUUM ANALYZE; drops the database
at the end.
Prints a Markdown table for docs/benchmarks.md: median and 95th percentile server time per page (through the
Flask test client, so no network) and the SQL statements each page sends.
"""
import argparse
import os
import random
import sys
import time
from datetime import date, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from lagesbild import AREAS, CATEGORY_WEIGHTS  # noqa: E402  (beside this file)
from staff_login import enrol, log_in  # noqa: E402  (beside this file)
from scratch import scratch_app, settle  # noqa: E402  (beside this file)
from server_time import print_table  # noqa: E402  (beside this file)
from watch.admin.services import create_municipality, create_staff  # noqa: E402
from watch.core.weeks import iso_week  # noqa: E402
from watch.extensions import db  # noqa: E402
from watch.lagesbild import services  # noqa: E402
from watch.models import (  # noqa: E402
    ActionStatus, Alert, AlertAudience, AlertStatus, AlertTarget, CitizenPromise, Delivery, DeliveryChannel,
    DeliveryStatus, EstAction, Group, GroupKind, GroupPostcode, GroupStatus, Observation,
    ObservationStatus, PUBLIC_PLACE_CATEGORIES, PartnerKind, PartnerOrganisation, Role, utcnow,
)

DATABASE = "watch_bench_year"
ROWS = 100_000
OTHER_ROWS = 10_000
ACTIONS = 2_000
ALERTS = 300
PEOPLE_PER_ALERT = 40
DAYS = 2 * 365
BATCH = 10_000
PASSWORD = "Benchmark-losen-2026"
PARTNERS = [("Oxelösundshem", PartnerKind.HOUSING), ("Ramdalsskolan", PartnerKind.SCHOOL),
            ("Securitas Oxelösund", PartnerKind.SECURITY), ("Fritidsgården Ramdalen", PartnerKind.YOUTH_CENTRE)]


def seed_municipality(name: str, code: str, rows: int, rng: random.Random):
    municipality = create_municipality(name, code)
    groups = [Group(municipality=municipality, kind=kind, status=GroupStatus.APPROVED, name=area,
                    postcodes=[GroupPostcode(postcode=p) for p in postcodes]) for area, kind, postcodes in AREAS]
    partners = [PartnerOrganisation(municipality=municipality, name=n, kind=k) for n, k in PARTNERS]
    db.session.add_all([*groups, *partners])
    db.session.flush()
    now = utcnow()
    categories, weights = list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values())
    for start in range(0, rows, BATCH):
        values = []
        for _ in range(start, min(rows, start + BATCH)):
            moment = now - timedelta(minutes=rng.randint(0, DAYS * 24 * 60))
            group = rng.choice(groups)
            partner = rng.choice(partners) if rng.random() < 0.1 else None
            values.append(dict(
                group_id=None if partner else group.id, partner_organisation_id=partner.id if partner else None,
                municipality_id=municipality.id, reporter_id=None,
                category=(rng.choice(PUBLIC_PLACE_CATEGORIES) if partner
                          else rng.choices(categories, weights)[0]),
                observed_at=moment, observed_week=iso_week(moment), location="",
                postcode=rng.choice(group.postcodes).postcode, description="",
                status=ObservationStatus.CLOSED if rng.random() < 0.8 else ObservationStatus.NEW,
                notable=False, created_at=moment,
            ))
        db.session.execute(insert(Observation), values)
    return municipality, groups


def seed_follow_up(municipality, rng: random.Random) -> None:
    now = utcnow()
    actions = []
    for n in range(ACTIONS):
        decided = now - timedelta(days=rng.randint(0, DAYS))
        status = rng.choice(list(ActionStatus))
        closed = None if status in (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS) else \
            iso_week(min(now, decided + timedelta(days=rng.randint(0, 60))))
        actions.append(dict(municipality_id=municipality.id, decided_week=iso_week(decided), closed_week=closed,
                            what=f"Åtgärd {n}: belysning och röjning", area="Ramdalen", postcode="61335",
                            organisation="Oxelösundshem", responsible="Nadia Karlsson", status=status,
                            categories=["graffiti"], created_at=decided))
    db.session.execute(insert(EstAction), actions)
    db.session.execute(insert(Group), [
        dict(municipality_id=municipality.id, kind=GroupKind.NEIGHBOURHOOD, name=f"Kvarter {n}",
             status=GroupStatus.ARCHIVED if n % 3 == 0 else GroupStatus.APPROVED,
             created_at=now - timedelta(days=rng.randint(0, DAYS)),
             decided_at=now - timedelta(days=rng.randint(0, 300)))
        for n in range(60)])
    for n in range(ALERTS):
        sent = now - timedelta(days=rng.randint(0, DAYS))
        alert = Alert(municipality=municipality, body="Inbrott i förråd på Ramdalsvägen i natt.",
                      target=AlertTarget.MUNICIPALITY, target_description="Oxelösund",
                      audience=AlertAudience.MEMBERS, status=AlertStatus.SENT, valid_until=sent, created_at=sent)
        db.session.add(alert)
        db.session.flush()
        db.session.execute(insert(Delivery), [
            dict(alert_id=alert.id, user_id=None, channel=DeliveryChannel.SMS,
                 status=rng.choice([DeliveryStatus.DELIVERED, DeliveryStatus.SENT, DeliveryStatus.FAILED]))
            for _ in range(PEOPLE_PER_ALERT)])
    year = now.year
    db.session.add_all([
        CitizenPromise(municipality=municipality, title=f"Tryggare {season} {y}", body="Polis och fältare.",
                       starts_on=date(y, month, 1), ends_on=date(y, month + 3, 28))
        for y in (year - 1, year) for season, month in (("vinter", 1), ("vår", 4), ("sommar", 7))])


def seed() -> tuple[str, str]:
    rng = random.Random(7)
    oxelosund, _groups = seed_municipality("Oxelösund", "0481", ROWS, rng)
    seed_municipality("Nyköping", "0480", OTHER_ROWS, rng)
    seed_follow_up(oxelosund, rng)
    coordinator = create_staff(name="Karin Lindqvist", email="samordnare@bench.test", password=PASSWORD,
                               role=Role.COORDINATOR, municipality=oxelosund)
    enrol(coordinator)
    db.session.commit()
    return coordinator.email, oxelosund.slug


def main(server: str, runs: int) -> None:
    with scratch_app(server, DATABASE, RATELIMIT_ENABLED=False) as (app, _):
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            email, slug = seed()
            settle(db.engine)
            print(f"seeded {ROWS:,} + {OTHER_ROWS:,} observations, {ACTIONS:,} actions "
                  f"in {time.perf_counter() - started:.0f} s", file=sys.stderr)
            engine = db.engine
            year = services.this_week().year
        client = app.test_client()
        log_in(client, email, PASSWORD)
        open311 = f"/open311/v2/requests.{{fmt}}?jurisdiction_id={slug}"
        pages = [
            ("year page (staff)", f"/lagesbild/{slug}/year/{year}"),
            ("year CSV (staff)", f"/lagesbild/{slug}/year/{year}.csv"),
            ("year page (public)", f"/m/{slug}/year/{year}"),
            ("Open311 requests, 90 days, JSON page 1", open311.format(fmt="json")),
            ("Open311 requests, 90 days, XML page 1", open311.format(fmt="xml")),
            ("Open311 requests, 90 days, JSON page 20", open311.format(fmt="json") + "&page=20"),
        ]
        print_table(client, engine, pages, runs)

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("server", nargs="?", default="postgresql://postgres@127.0.0.1:5432",
                        help="a PostgreSQL server URL without the database name")
    parser.add_argument("--runs", type=int, default=100)
    arguments = parser.parse_args()
    main(arguments.server, arguments.runs)

"""Weekly lägesbild timings with 100,000 observations over three years in one municipality, on PostgreSQL.

    .venv/bin/python benchmarks/lagesbild.py                       # server at postgresql://postgres@127.0.0.1:5432
    .venv/bin/python benchmarks/lagesbild.py postgresql://user@host:5432 --runs 300

Creates a database of its own (watch_bench_lagesbild), runs the migrations, seeds it, and drops it at the end.
Prints a Markdown table for docs/benchmarks.md: median and 95th percentile server time per page (through the
Flask test client, so no network; each request in its own app context as on a real server) and the SQL
statements each page sends.
"""
import argparse
import os
import random
import sys
import time
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

from staff_login import enrol, log_in  # noqa: E402  (beside this file)
from scratch import scratch_app  # noqa: E402  (beside this file)
from server_time import print_table  # noqa: E402  (beside this file)
from watch.admin.services import create_municipality, create_staff  # noqa: E402
from watch.core.weeks import Period, iso_week  # noqa: E402
from watch.extensions import db  # noqa: E402
from watch.lagesbild import services  # noqa: E402
from watch.models import (  # noqa: E402
    Group, GroupKind, GroupPostcode, GroupStatus, Observation, ObservationCategory,
    ObservationStatus, Role, utcnow,
)

DATABASE = "watch_bench_lagesbild"
ROWS = 100_000
OTHER_ROWS = 10_000  # a neighbouring municipality, so the municipality filter has something to exclude
YEARS = 3
BATCH = 10_000
PASSWORD = "Benchmark-losen-2026"
# Burglaries and suspicious vehicles are the common reports, fire the rare one.
CATEGORY_WEIGHTS = {
    ObservationCategory.SUSPICIOUS_PERSON: 20, ObservationCategory.SUSPICIOUS_VEHICLE: 25,
    ObservationCategory.BURGLARY: 15, ObservationCategory.BOAT_THEFT: 12, ObservationCategory.FUEL_THEFT: 3,
    ObservationCategory.STORAGE_THEFT: 2, ObservationCategory.VANDALISM: 12, ObservationCategory.FIRE_HAZARD: 4,
    ObservationCategory.OTHER: 12,
}
AREAS = [
    ("Västra vägen", GroupKind.NEIGHBOURHOOD, ["61331", "61332"]),
    ("Ramdalen", GroupKind.NEIGHBOURHOOD, ["61335"]),
    ("Frösäng", GroupKind.NEIGHBOURHOOD, ["61336", "61337"]),
    ("Peterslund", GroupKind.NEIGHBOURHOOD, ["61333"]),
    ("Stjärnholm", GroupKind.NEIGHBOURHOOD, ["61338"]),
    ("Jogersö båtklubb", GroupKind.BOAT, ["61339"]),
    ("Femöre fritidsbåtshamn", GroupKind.BOAT, ["61352"]),
    ("Gästhamnen", GroupKind.BOAT, ["61330"]),
]


def seed_municipality(name: str, code: str, rows: int, rng: random.Random):
    municipality = create_municipality(name, code)
    groups = [Group(municipality=municipality, kind=kind, status=GroupStatus.APPROVED, name=area,
                    postcodes=[GroupPostcode(postcode=p) for p in postcodes]) for area, kind, postcodes in AREAS]
    db.session.add_all(groups)
    db.session.flush()
    now = utcnow()
    span = YEARS * 365 * 24 * 60
    categories, weights = list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values())
    for start in range(0, rows, BATCH):
        values = []
        for n in range(start, min(rows, start + BATCH)):
            moment = now - timedelta(minutes=rng.randint(0, span))
            group = rng.choice(groups)
            values.append(dict(
                group_id=group.id, municipality_id=municipality.id, reporter_id=None,
                category=rng.choices(categories, weights)[0], observed_at=moment,
                observed_week=iso_week(moment), location="", postcode=rng.choice(group.postcodes).postcode,
                description="", status=ObservationStatus.CLOSED, notable=rng.random() < 0.005, created_at=moment,
            ))
        db.session.execute(insert(Observation), values)
    return municipality


def seed() -> tuple[str, str]:
    rng = random.Random(7)
    oxelosund = seed_municipality("Oxelösund", "0481", ROWS, rng)
    seed_municipality("Nyköping", "0480", OTHER_ROWS, rng)
    coordinator = create_staff(name="Karin Lindqvist", email="samordnare@bench.test", password=PASSWORD,
                               role=Role.COORDINATOR, municipality=oxelosund)
    enrol(coordinator)
    last_week = services.this_week().shift(-1)
    services.publish(oxelosund, Period(last_week, last_week), "Lugn vecka.", coordinator)
    db.session.commit()
    return coordinator.email, oxelosund.slug


def main(server: str, runs: int) -> None:
    with scratch_app(server, DATABASE) as (app, _):
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            email, slug = seed()
            with db.engine.begin() as connection:
                connection.execute(text("ANALYZE"))
            print(f"seeded {ROWS:,} + {OTHER_ROWS:,} observations in {time.perf_counter() - started:.0f} s",
                  file=sys.stderr)
            engine = db.engine
        client = app.test_client()
        log_in(client, email, PASSWORD)
        with app.app_context():
            week = services.this_week()
        pages = [
            ("this week", f"/lagesbild/{slug}/{week.year}/{week.number}"),
            ("a quarter (13 weeks)", f"/lagesbild/{slug}/{week.shift(-12).year}/{week.shift(-12).number}"
                                     f"?last={week.key}"),
            ("CSV of this week", f"/lagesbild/{slug}/{week.year}/{week.number}/counts.csv"),
            ("municipality front page", f"/m/{slug}"),
        ]
        print_table(client, engine, pages, runs)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("server", nargs="?", default="postgresql://postgres@127.0.0.1:5432",
                        help="a PostgreSQL server URL without the database name")
    parser.add_argument("--runs", type=int, default=200)
    arguments = parser.parse_args()
    main(arguments.server, arguments.runs)

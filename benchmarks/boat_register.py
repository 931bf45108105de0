"""Police search of the boat register: 200,000 marked items over 20 municipalities, on PostgreSQL.

    .venv/bin/python benchmarks/boat_register.py                      # server at postgresql://postgres@127.0.0.1:5432
    .venv/bin/python benchmarks/boat_register.py postgresql://user@host:5432 --runs 200

Creates a database of its own (watch_bench_boats), runs the migrations, seeds it with realistic serial numbers
(Yamaha, Mercury, Suzuki, Honda, Volvo Penta and hull numbers: many share their first characters, the hard case
for a three-character index) and DNA marks, and drops it at the end. The officer covers three municipalities
(30,000 items). Prints a Markdown table for docs/benchmarks.md: median and p95 server time of the whole search
request (POST /police/register through the Flask test client: no network; the form, the search, the audit events
and the page) and of the search alone (`watch.boats.services.find`), and the SQL statements of the request.
"""
import argparse
import os
import random
import statistics
import string
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from staff_login import enrol, log_in  # noqa: E402  (beside this file)
from tests.querycount import count_queries  # noqa: E402
from watch import create_app  # noqa: E402
from watch.admin.services import create_municipality, create_staff  # noqa: E402
from watch.auth.services import hash_password  # noqa: E402
from watch.boats.services import find  # noqa: E402
from watch.config import database_url  # noqa: E402
from watch.core.serials import grams, normalise  # noqa: E402
from watch.extensions import db  # noqa: E402
from watch.models import Role, User  # noqa: E402

DATABASE = "watch_bench_boats"
MUNICIPALITIES = 20
ITEMS = 200_000
OWNERS_PER_MUNICIPALITY = 400
PASSWORD = "Benchmark-losen-2026"
REASON = "Ärende 5000-K123456-26, motor hittad vid Femöre"
DIGITS, LETTERS = string.digits, string.ascii_uppercase


def serial(rng: random.Random) -> tuple[str, str, str]:
    """(kind, make, serial) in the shapes real plates have."""
    def d(n):
        return "".join(rng.choices(DIGITS, k=n))

    return rng.choice([
        lambda: ("outboard", "Yamaha", f"6AH-{rng.choice('KLX')}-{d(7)}"),
        lambda: ("outboard", "Mercury", f"2B{d(6)}"),
        lambda: ("outboard", "Suzuki", f"02002F-{d(6)}"),
        lambda: ("outboard", "Honda", f"BAZJ-{d(7)}"),
        lambda: ("inboard", "Volvo Penta", f"21{d(8)}"),
        lambda: ("boat", "Buster", f"SE-BUS{d(5)}{rng.choice(LETTERS)}{d(3)}"),
        lambda: ("trailer", "Brenderup", f"YS9{d(14)}"),
    ])()


def copy_rows(connection, table: str, columns: str, rows) -> None:
    raw = connection.connection.driver_connection
    with raw.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def seed(rng: random.Random) -> tuple[str, list[tuple[str, str]]]:
    municipalities = [create_municipality(f"Kommun {n:02d}", f"{9000 + n}") for n in range(MUNICIPALITIES)]
    db.session.flush()
    officer = create_staff(name="Lena Ek", email="polis@bench.test", password=PASSWORD, role=Role.POLICE,
                           municipality=municipalities[0], covers=municipalities[1:3])
    enrol(officer)
    password = hash_password(PASSWORD)
    owners = [User(name=f"Båtägare {m.id}-{n}", email=f"agare{m.id}-{n}@bench.test", phone="+46701234567",
                   password_hash=password, municipality=m)
              for m in municipalities for n in range(OWNERS_PER_MUNICIPALITY)]
    db.session.add_all(owners)
    db.session.flush()
    items, pieces, samples = [], [], []
    for item_id in range(1, ITEMS + 1):
        owner = owners[(item_id * 7919) % len(owners)]
        kind, make, typed = serial(rng)
        mark = f"SW-{''.join(rng.choices(DIGITS + LETTERS, k=6))}" if rng.random() < 0.3 else ""
        serial_key, mark_key = normalise(typed), normalise(mark)
        items.append((item_id, owner.id, owner.municipality_id, kind, make, "", typed, serial_key,
                      "dna" if mark else "none", mark, mark_key, "", "", "", "berth", "", "2026-01-01T00:00:00+00"))
        pieces.extend((item_id, gram, owner.municipality_id) for gram in grams(serial_key) | grams(mark_key))
        if owner.municipality_id == municipalities[1].id and len(samples) < 40:
            samples.append((typed, mark))
    connection = db.session.connection()
    copy_rows(connection, "marked_item", "id, owner_id, municipality_id, kind, make, model, serial, serial_key, "
              "mark_scheme, mark, mark_key, colour, boat_name, registration, kept_at, place, created_at", items)
    copy_rows(connection, "marked_item_gram", "item_id, gram, municipality_id", pieces)
    db.session.execute(text("SELECT setval('marked_item_id_seq', :n)"), {"n": ITEMS})
    db.session.commit()
    print(f"{len(items):,} items, {len(pieces):,} index rows", file=sys.stderr)
    return officer.email, samples


def queries(samples: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """What an officer types: a serial as read off the plate, one character misread, part of it, a mark, a miss."""
    typed = [s for s, _ in samples if s.startswith("6AH")][0]
    other = [s for s, _ in samples if s.startswith("02002F")][0]
    misread = other[:-2] + ("1" if other[-2] != "1" else "2") + other[-1]
    mark = [m for _, m in samples if m][0]
    return [
        ("exact, typed differently", typed.lower().replace("-", " ")),
        ("one character misread", misread),
        ("last 7 characters only", typed[-7:]),
        ("DNA mark", mark.lower()),
        ("no match", "ZZ-999-QQQ-111"),
    ]


def timed(function, runs: int, warm_up: int = 5) -> tuple[float, float]:
    for _ in range(warm_up):
        function()
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings), statistics.quantiles(timings, n=20)[18]


def main(server: str, runs: int) -> None:
    admin = create_engine(database_url(f"{server.rstrip('/')}/postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {DATABASE}"))
    try:
        with tempfile.TemporaryDirectory() as folder:
            app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(f"{server.rstrip('/')}/{DATABASE}"),
                              "UPLOAD_FOLDER": folder, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
            with app.app_context():
                upgrade()
                started = time.perf_counter()
                email, samples = seed(random.Random(18))
                # What autovacuum does soon after a bulk load: statistics, and the visibility map that lets the
                # piece lookups read the index alone.
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                    connection.execute(text("VACUUM ANALYZE"))
                print(f"seeded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
                officer = db.session.scalar(db.select(User).where(User.email == email))
                covered = officer.municipality_ids()
                engine = db.engine
            client = app.test_client()
            log_in(client, email, PASSWORD)
            print(f"load average before: {os.getloadavg()[0]:.2f}", file=sys.stderr)
            print("| search | hits | request median ms | request p95 ms | search alone median ms | p95 ms | SQL |")
            print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
            for name, query in queries(samples):
                def request():
                    response = client.post("/police/register", data={"query": query, "reason": REASON})
                    assert response.status_code == 200, response.status_code

                def alone():
                    with app.app_context():
                        return find(covered, normalise(query))

                with app.app_context():
                    hits = len(find(covered, normalise(query)))
                request_median, request_p95 = timed(request, runs)
                alone_median, alone_p95 = timed(alone, runs)
                with count_queries(engine) as statements:
                    request()
                print(f"| {name} | {hits} | {request_median:.1f} | {request_p95:.1f} | {alone_median:.1f} | "
                      f"{alone_p95:.1f} | {statements.count} |")
            print(f"load average after: {os.getloadavg()[0]:.2f}", file=sys.stderr)
            with app.app_context():
                db.engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
        admin.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("server", nargs="?", default="postgresql://postgres@127.0.0.1:5432",
                        help="a PostgreSQL server URL without the database name")
    parser.add_argument("--runs", type=int, default=200)
    arguments = parser.parse_args()
    main(arguments.server, arguments.runs)

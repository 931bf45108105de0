"""Police search of the boat register: 200,000 marked items over 20 municipalities, on PostgreSQL.

    .venv/bin/python benchmarks/boat_register.py                      # server at postgresql://postgres@127.0.0.1:5432
    .venv/bin/python benchmarks/boat_register.py postgresql://user@host:5432 --runs 200

Creates a database of its own (watch_bench_boats), runs the migrations, seeds it with realistic serial numbers
(Yamaha, Mercury, Suzuki, Honda, Volvo Penta and hull numbers: many share their first characters, the hard case
for a three-character index) and DNA marks, and drops it at the end. The officer covers three municipalities
(30,000 items). Prints a Markdown table for docs/benchmarks.md: median and p95 server time of the whole search
request (POST /police/register through the Flask test client: no network; the form, the search, the audit events
and the page) and of the search alone (`watch.boats.services.find`), the database's own execution time of the
search's candidate query (EXPLAIN ANALYZE), and the SQL statements of the request. On a busy machine the absolute
times say more about the load than the search, so each search is also timed against a reference measured in
the same loop, interleaved: a `SELECT 1` round trip through the same session; and the web process's own CPU
time for the search is given beside the database's time. --reuse keeps the seeded database
for the next run (and uses it when it is there).
"""
import argparse
import os
import random
import statistics
import string
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, text  # noqa: E402

from scratch import scratch_app, settle  # noqa: E402  (beside this file)
from staff_login import enrol, log_in  # noqa: E402  (beside this file)
from tests.querycount import count_queries  # noqa: E402
from watch.admin.services import create_municipality, create_staff  # noqa: E402
from watch.auth.services import hash_password  # noqa: E402
from watch.boats.services import find  # noqa: E402
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


def timed(function, reference, runs: int, warm_up: int = 5) -> tuple[float, float, float, float]:
    """Median and p95 of `function` in ms, its median time over the reference's (timed alternately), and the
    median CPU time of this process in ms (what a busy machine's other processes do not add)."""
    for _ in range(warm_up):
        function()
        reference()
    timings, ratios, cpu = [], [], []
    for _ in range(runs):
        start = time.perf_counter()
        reference()
        middle, cpu_start = time.perf_counter(), time.process_time()
        function()
        end, cpu_end = time.perf_counter(), time.process_time()
        timings.append((end - middle) * 1000)
        ratios.append((end - middle) / (middle - start))
        cpu.append((cpu_end - cpu_start) * 1000)
    return (statistics.median(timings), statistics.quantiles(timings, n=20)[18], statistics.median(ratios),
            statistics.median(cpu))


def database_ms(app, engine, covered: set[int], key: str) -> float:
    """The database's execution time of the search's first (candidate) query, from EXPLAIN ANALYZE."""
    captured = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with app.app_context():
            find(covered, key)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    statement, parameters = captured[0]
    times = []
    with engine.connect() as connection:
        for _ in range(21):
            plan = connection.exec_driver_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters).scalar()
            times.append(plan[0]["Execution Time"])
    return statistics.median(times)


def main(server: str, runs: int, reuse: bool) -> None:
    with scratch_app(server, DATABASE, reuse=reuse, WTF_CSRF_ENABLED=False,
                     RATELIMIT_ENABLED=False) as (app, reused):
        with app.app_context():
            if reused:
                email = "polis@bench.test"
                samples = [tuple(row) for row in db.session.execute(text(
                    "SELECT serial, mark FROM marked_item WHERE municipality_id = "
                    "(SELECT id FROM municipality ORDER BY id LIMIT 1 OFFSET 1) ORDER BY id LIMIT 40"))]
            else:
                upgrade()
                started = time.perf_counter()
                email, samples = seed(random.Random(18))
                settle(db.engine)  # the piece lookups then read the index alone
                print(f"seeded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
            officer = db.session.scalar(db.select(User).where(User.email == email))
            covered = officer.municipality_ids()
            engine = db.engine
        client = app.test_client()
        log_in(client, email, PASSWORD)

        def round_trip():
            with app.app_context():
                db.session.execute(text("SELECT 1"))

        print(f"load average before: {os.getloadavg()[0]:.2f}", file=sys.stderr)
        print("| search | hits | request median ms | p95 | search alone median ms | p95 | × SELECT 1 | "
              "search alone, app CPU ms | database ms | SQL |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for name, query in queries(samples):
            def request():
                response = client.post("/police/register", data={"query": query, "reason": REASON})
                assert response.status_code == 200, response.status_code

            def alone():
                with app.app_context():
                    return find(covered, normalise(query))

            with app.app_context():
                hits = len(find(covered, normalise(query)))
            request_median, request_p95, _, _ = timed(request, round_trip, runs)
            alone_median, alone_p95, ratio, cpu = timed(alone, round_trip, runs)
            with count_queries(engine) as statements:
                request()
            print(f"| {name} | {hits} | {request_median:.1f} | {request_p95:.1f} | {alone_median:.1f} | "
                  f"{alone_p95:.1f} | {ratio:.1f} | {cpu:.1f} | "
                  f"{database_ms(app, engine, covered, normalise(query)):.1f} | "
                  f"{statements.count} |")
        print(f"load average after: {os.getloadavg()[0]:.2f}", file=sys.stderr)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("server", nargs="?", default="postgresql://postgres@127.0.0.1:5432",
                        help="a PostgreSQL server URL without the database name")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--reuse", action="store_true", help="keep the seeded database, and use it if it is there")
    arguments = parser.parse_args()
    main(arguments.server, arguments.runs, arguments.reuse)

"""Public pages against a bare Flask "hello", both under gunicorn, measured with wrk in one run.

    .venv/bin/python benchmarks/public_pages.py postgresql://postgres@127.0.0.1:5432/watch_public redis://127.0.0.1:6379/0

EMPTIES that PostgreSQL database (created if missing) and that Redis database, migrates it and seeds the demo.
Then gunicorn serves the portal (WATCH_ENV=production, deploy/gunicorn.conf.py) and hello (benchmarks/hello.py),
each with --workers processes, and wrk (--connections, one thread per core) asks as a visitor who is not logged
in. Hello is measured before the first page and after every page; each page's rate is divided by the mean of
the hello runs on either side of it, so a machine that gets busier or quieter during the run moves both.
Each rate is the median of --repeats wrk runs, each opening its connections afresh. (Before the workers had
a socket each, `reuse_port` in deploy/gunicorn.conf.py, one run in three had one worker accept all 16
connections while the other idled, which cut hello and the portal alike to a third.)
Needs `wrk` (Debian: apt-get install wrk). Prints Markdown for docs/benchmarks.md.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.load import empty  # noqa: E402
from benchmarks.stack import flask, production_env, serving  # noqa: E402

PORTAL_PORT, HELLO_PORT = 8110, 8111
PAGES = ["/", "/m/oxelosund", "/m/oxelosund/groups", "/m/oxelosund/groups/{group}", "/m/oxelosund/promises",
         "/privacy", "/accessibility", "/m/oxelosund/privacy"]
RATE = re.compile(r"Requests/sec:\s+([\d.]+)")
NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")
LATENCY = re.compile(r"Latency\s+([\d.]+)(us|ms|s)")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database_url")
    parser.add_argument("redis_url")
    parser.add_argument("--seconds", type=int, default=5, help="wrk's duration for each run")
    parser.add_argument("--repeats", type=int, default=3, help="wrk runs per figure; the median is shown")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes, for both apps")
    parser.add_argument("--no-cache", action="store_true", help="PUBLIC_PAGE_CACHE=false: the pages rendered each time")
    return parser.parse_args()


def wrk(url: str, seconds: int, connections: int) -> tuple[float, int, str]:
    """Requests per second, responses that were not 2xx/3xx, and the mean latency as wrk prints it."""
    output = subprocess.run(
        ["wrk", f"-t{os.cpu_count() or 2}", f"-c{connections}", f"-d{seconds}s", "-H", "Accept-Language: sv", url],
        check=True, capture_output=True, text=True).stdout
    errors = NON_2XX.search(output)
    latency = LATENCY.search(output)
    return float(RATE.search(output).group(1)), int(errors.group(1)) if errors else 0, \
        "".join(latency.groups()) if latency else "?"


def median_rate(url: str, args) -> tuple[float, int, str, list[float]]:
    """The median run of --repeats: its rate, errors and latency, and every run's rate."""
    runs = sorted((wrk(url, args.seconds, args.connections) for _ in range(args.repeats)), key=lambda run: run[0])
    return (*runs[len(runs) // 2], [run[0] for run in runs])


def first_group_id(env: dict) -> int:
    code = ("from sqlalchemy import select\nfrom watch import create_app\nfrom watch.extensions import db\n"
            "from watch.models import Group, GroupStatus\n"
            "with create_app().app_context():\n"
            "    print(db.session.scalar(select(Group.id).where(Group.status == GroupStatus.APPROVED)"
            ".order_by(Group.id)))")
    output = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True)
    return int(output.stdout.strip().splitlines()[-1])


def main() -> None:
    args = parse_args()
    empty(args.database_url, args.redis_url)
    env = production_env(args.database_url, args.redis_url, WEB_CONCURRENCY=str(args.workers),
                         PUBLIC_PAGE_CACHE="false" if args.no_cache else "true")
    flask(env, "db", "upgrade")
    flask({**env, "WATCH_ENV": "development"}, "demo", "seed")  # production refuses the demo
    group = first_group_id(env)
    load = os.getloadavg()[0]
    rows = []
    with tempfile.TemporaryDirectory() as logs, \
            serving(env, PORTAL_PORT, Path(logs)) as portal, \
            serving(env, HELLO_PORT, Path(logs), app="hello:app") as hello:
        hello_rates = [median_rate(hello + "/", args)[0]]
        for page in PAGES:
            path = page.format(group=group)
            wrk(portal + path, 1, args.connections)  # the first request renders and stores the page
            rate, errors, latency, runs = median_rate(portal + path, args)
            hello_rates.append(median_rate(hello + "/", args)[0])
            yardstick = (hello_rates[-2] + hello_rates[-1]) / 2
            rows.append((page, rate, runs, latency, errors, yardstick, rate / yardstick))
    print(f"gunicorn {args.workers} workers × 4 threads each app, wrk {args.connections} connections, "
          f"median of {args.repeats} runs of {args.seconds} s, cache {'off' if args.no_cache else 'on'}, load average {load:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after; hello {min(hello_rates):.0f}–{max(hello_rates):.0f} req/s")
    print()
    print("| page | req/s (median) | all runs | mean latency | errors | hello beside it, req/s | ÷ hello |")
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: |")
    for page, rate, runs, latency, errors, yardstick, ratio in rows:
        print(f"| `{page}` | {rate:.0f} | {', '.join(f'{run:.0f}' for run in runs)} | {latency} | {errors} | "
              f"{yardstick:.0f} | **{ratio:.2f}** |")


if __name__ == "__main__":
    main()

"""Page weight and Lighthouse scores of the front page and the observation form, on the production stack.

    .venv/bin/python benchmarks/lighthouse.py postgresql://postgres@127.0.0.1:5432/watch_lighthouse redis://127.0.0.1:6379/0

EMPTIES that database (created if missing) and that Redis database, migrates the first, seeds the demo and serves it with gunicorn
(deploy/gunicorn.conf.py, WATCH_ENV=production, plain http on 127.0.0.1 as with make prod-local).
Then, for each page:
  - the bytes of its first load in Debian's chromium through Playwright, every request counted;
  - Lighthouse (npm package `lighthouse`, run with npx and Debian's chromium via CHROME_PATH, mobile
    form factor, the chromium flags of the browser tests); the form logged in as the demo resident,
    the session cookie passed with --extra-headers.
Lighthouse is not in package.json: it is 176 MB that `npm ci` would install twice in every CI run for
tests that never use it. npx fetches it once into npm's cache (needs the npm registry the first time).
Prints Markdown for docs/benchmarks.md and the audits that cost points.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.load import empty, log_in  # noqa: E402
from benchmarks.stack import flask, production_env, serving  # noqa: E402
from tests.e2e.conftest import CHROMIUM_FLAGS, PHONE  # noqa: E402
from tests.e2e.page_weight import first_load  # noqa: E402
from watch.demo import DEMO_PASSWORD  # noqa: E402

# 12.8 is the newest that supports the Node.js 20 of Debian bookworm (13 wants Node.js 22).
LIGHTHOUSE = "lighthouse@12.8.2"
PORT = 8102
RESIDENT = "boende@oxelosund.demo"  # a member of Västra vägen in the demo: the form is there for her


def chromium() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        sys.exit("Debian's chromium is missing: apt-get install -y chromium")
    return path


def lighthouse(url: str, report: Path, cookie: str | None) -> dict:
    command = ["npx", "--yes", LIGHTHOUSE, url, "--quiet", "--output=json", f"--output-path={report}",
               "--form-factor=mobile", "--only-categories=performance,accessibility,best-practices",
               "--chrome-flags=" + " ".join(["--headless=new", *CHROMIUM_FLAGS])]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    subprocess.run(command, check=True, env={**os.environ, "CHROME_PATH": chromium()})
    return json.loads(report.read_text())


def failing_audits(result: dict) -> list[str]:
    """Audits that cost points: in a scored category, weighted, below a full score."""
    lines = []
    for category in result["categories"].values():
        for ref in category["auditRefs"]:
            audit = result["audits"][ref["id"]]
            if ref.get("weight", 0) > 0 and audit.get("score") is not None and audit["score"] < 1:
                lines.append(f"  {category['id']}: {ref['id']} ({audit['score']}) {audit.get('displayValue', '')}")
    return lines


def weigh(base: str, path: str, cookie: str | None) -> int:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_FLAGS)
        context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                      locale="sv-SE", base_url=base)
        if cookie:
            name, _, value = cookie.partition("=")
            context.add_cookies([{"name": name, "value": value, "url": base}])
        transfers = first_load(context.new_page(), path)
        browser.close()
    for url, size in transfers:
        print(f"  {size:>7} {url}", file=sys.stderr)
    return sum(size for _, size in transfers)


def main(database_url: str, redis_url: str) -> None:
    env = production_env(database_url, redis_url, TRUSTED_PROXY_HOPS="0", SECURE_COOKIES="false",
                         PUBLIC_URL=f"http://127.0.0.1:{PORT}")
    empty(database_url, redis_url)
    flask(env, "db", "upgrade")
    flask({**env, "WATCH_ENV": "development"}, "demo", "seed")  # production refuses the demo
    rows = []
    with tempfile.TemporaryDirectory(prefix="watch-lighthouse-") as folder, \
            serving(env, PORT, Path(folder)) as base:
        resident = log_in(PORT, {"email": RESIDENT}, "127.0.0.1", DEMO_PASSWORD)
        cookie = f"session={resident.cookies['session']}"
        for name, path, page_cookie in [("front page", "/", None),
                                        ("observation form (logged in)", "/observations/new", cookie)]:
            weight = weigh(base, path, page_cookie)
            result = lighthouse(base + path, Path(folder) / "report.json", page_cookie)
            assert result["finalDisplayedUrl"].endswith(path), f"Lighthouse ended on {result['finalDisplayedUrl']}"
            scores = {key: round(category["score"] * 100) for key, category in result["categories"].items()}
            metrics = {key: result["audits"][key]["displayValue"] for key in
                       ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
                        "cumulative-layout-shift", "speed-index")}
            rows.append(f"| {name} | {weight / 1024:.1f} KB | {scores['performance']} | {scores['accessibility']} | "
                        f"{scores['best-practices']} | {metrics['first-contentful-paint']} | "
                        f"{metrics['largest-contentful-paint']} | {metrics['total-blocking-time']} | "
                        f"{metrics['cumulative-layout-shift']} |")
            print(f"{name}: audits below full score:", *failing_audits(result) or ["  none"], sep="\n",
                  file=sys.stderr)
    print(f"Lighthouse {LIGHTHOUSE.split('@')[1]}, mobile, {os.path.basename(chromium())} "
          f"{subprocess.run([chromium(), '--version'], capture_output=True, text=True).stdout.strip()}\n")
    print("| page | first load | performance | accessibility | best practices | FCP | LCP | TBT | CLS |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print("\n".join(rows))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "redis://127.0.0.1:6379/0")

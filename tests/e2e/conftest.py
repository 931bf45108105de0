"""Browser tests: Playwright drives Debian's chromium at phone size against a live server.

Every page a test lands on must be audited with `audit(page)`: axe-core (WCAG 2.1 A/AA)
finds no violation and the page does not scroll sideways at 390 px. A test that visits a
page without auditing it fails at teardown.
"""
import json
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pyotp
import pytest
from playwright.sync_api import expect, sync_playwright
from sqlalchemy import update
from werkzeug.serving import make_server

from watch.models import User
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
AXE_SOURCE = ROOT / "node_modules/axe-core/axe.min.js"
PHONE = {"width": 390, "height": 844}
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    executable = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    assert executable, "Debian's chromium is missing: `apt-get install -y chromium` (make test does it)"
    assert AXE_SOURCE.exists(), "axe-core is missing: run `npm ci` (make test does it)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


class Auditor:
    def __init__(self):
        self.visited: set[str] = set()
        self.audited: set[str] = set()

    @staticmethod
    def key(url: str) -> str:
        return urlsplit(url).path

    def __call__(self, page) -> None:
        """axe finds no WCAG 2.1 A/AA violation and nothing scrolls sideways on a phone."""
        page.wait_for_load_state("load")
        results = page.evaluate(
            """async () => await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
                resultTypes: ['violations']})"""
        )
        violations = [
            {"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in results["violations"]
        ]
        assert not violations, f"axe on {page.url}:\n{json.dumps(violations, indent=1, ensure_ascii=False)}"
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at {PHONE['width']}px"
        self.audited.add(self.key(page.url))


@pytest.fixture
def audit():
    return Auditor()


@pytest.fixture
def page(browser, live_server, audit, db):
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="sv-SE",
        base_url=live_server,
    )
    context.add_init_script(path=str(AXE_SOURCE))
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("framenavigated", lambda frame: frame == page.main_frame and audit.visited.add(Auditor.key(frame.url)))
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # A blocked inline script or style shows up as a console error: the CSP must never bite.
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    yield page
    context.close()
    assert not errors, f"errors in the browser console: {errors}"
    unaudited = audit.visited - audit.audited - {"blank"}
    assert not unaudited, f"pages visited but not audited with audit(page): {sorted(unaudited)}"


def log_in(page, audit, db, user, password: str = PASSWORD) -> None:
    """Log in through the login page, typing the code from the app where two-factor login asks for one."""
    page.goto("/login")
    audit(page)
    page.get_by_label("E-post").fill(user.email)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    if urlsplit(page.url).path == "/login/code":
        audit(page)
        # A code is accepted only once: let a test log the same person in several times.
        db.session.execute(update(User).where(User.id == user.id).values(totp_last_step=None))
        db.session.commit()
        page.get_by_label("Kod").fill(pyotp.TOTP(user.totp_secret).now())
        page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()
    audit(page)


def log_out(page) -> None:
    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_text("Du är utloggad.")).to_be_visible()

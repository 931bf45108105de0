"""The main pages at 390 px with the demo's data: each passes the audit, and `make screenshots` keeps
a picture of each in docs/screenshots/ for the README (SCREENSHOT_DIR tells where; else a temporary folder)."""
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import PHONE, log_in
from watch.demo import DEMO_PASSWORD, seed_demo
from watch.models import Alert, Group, User

# (file name, who is logged in or None, path; "{group}" is Västra vägen's id, "{alert}" the demo's alert)
PAGES = [
    ("front-page", None, "/"),
    ("municipality", None, "/m/oxelosund"),
    ("register", None, "/register"),
    ("group-directory", None, "/m/oxelosund/groups"),
    ("group-page", "kontakt@oxelosund.demo", "/groups/{group}"),
    ("observation-form", "boende@oxelosund.demo", "/observations/new"),
    ("coordinator-inbox", "samordnare@oxelosund.demo", "/coordinator/observations"),
    ("lagesbild", "samordnare@oxelosund.demo", "/lagesbild/oxelosund"),
    ("alert-compose", "polis@oxelosund.demo", "/alerts/new"),
    ("alert-report", "polis@oxelosund.demo", "/alerts/{alert}"),
    ("alert-feed", "kontakt@oxelosund.demo", "/alerts/feed"),
]
# (file name, language): the front page for a visitor who chose that language
LANGUAGE_PAGES = [("front-page-arabic", "ar"), ("front-page-finnish", "fi")]


@pytest.fixture
def screenshot_dir(tmp_path) -> Path:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("name, email, path", PAGES, ids=[name for name, *_ in PAGES])
def test_main_page_at_390_px_with_demo_data(page, audit, db, screenshot_dir, name, email, path):
    for _ in seed_demo():
        pass
    db.session.commit()
    group = db.session.scalar(select(Group.id).where(Group.name == "Västra vägen"))
    alert = db.session.scalar(select(Alert.id).order_by(Alert.id))
    if email:
        log_in(page, audit, db, db.session.scalar(select(User).where(User.email == email)), DEMO_PASSWORD)
    page.goto(path.format(group=group, alert=alert))
    keep_screenshot(page, audit, screenshot_dir, name)


@pytest.mark.parametrize("name, language", LANGUAGE_PAGES, ids=[name for name, _ in LANGUAGE_PAGES])
def test_front_page_in_another_language_at_390_px(page, audit, db, live_server, screenshot_dir, name, language):
    for _ in seed_demo():
        pass
    db.session.commit()
    page.context.add_cookies([{"name": "lang", "value": language, "url": live_server}])  # as the switch leaves it
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    keep_screenshot(page, audit, screenshot_dir, name)


def keep_screenshot(page, audit, screenshot_dir: Path, name: str) -> None:
    audit(page)
    expect(page.locator("h1")).to_be_visible()
    # 390 CSS pixels wide, from the top down to at most two phone screens (the inbox goes on for long).
    height = min(page.evaluate("document.documentElement.scrollHeight"), 2 * PHONE["height"])
    page.screenshot(path=screenshot_dir / f"{name}.png", full_page=True, scale="css", animations="disabled",
                    clip={"x": 0, "y": 0, "width": PHONE["width"], "height": height})
    assert (screenshot_dir / f"{name}.png").stat().st_size > 5_000

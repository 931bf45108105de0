"""Finnish, Arabic and Somali on a phone: a visitor picks the language with the switch, a logged-in person
saves it on the account; front page, registration, observation form and alert feed pass the audit (axe, no
sideways scroll at 390 px) with the right `lang` and `dir`; in Arabic the page mirrors."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import PHONE, log_in
from watch.core.languages import LANGUAGE_NAMES, text_direction
from watch.demo import DEMO_PASSWORD, seed_demo
from watch.models import User


def choose_language(page, audit, language: str) -> None:
    """As a person does: open the menu from the keyboard, then pick the language by its own name."""
    page.locator(".language-menu summary").focus()
    page.keyboard.press("Enter")
    choice = page.get_by_role("button", name=LANGUAGE_NAMES[language], exact=True)
    expect(choice).to_be_visible()
    audit(page)  # open, the menu fits the phone too
    choice.click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    audit(page)


def in_language(page, audit, language: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("html")).to_have_attribute("dir", text_direction(language))
    expect(page.locator("h1")).to_be_visible()
    audit(page)
    brand = page.locator(".brand").bounding_box()
    first, second = (page.locator(".site-nav li").nth(n).bounding_box() for n in (0, 1))
    if text_direction(language) == "rtl":  # the header starts at the right edge and runs leftwards
        assert brand["x"] + brand["width"] > PHONE["width"] - 40, brand
        assert first["x"] > second["x"], (first, second)
    else:
        assert brand["x"] < 40, brand
        assert first["x"] < second["x"] or first["y"] < second["y"], (first, second)


@pytest.mark.parametrize("language", ["fi", "ar", "so"])
def test_main_pages_in_each_new_language_at_390_px(page, audit, db, language):
    for _ in seed_demo():
        pass
    db.session.commit()

    # A visitor's choice, kept in a cookie: the front page and registration.
    page.goto("/")
    audit(page)
    choose_language(page, audit, language)
    in_language(page, audit, language)
    expect(page.locator(f'.language-menu button[value="{language}"]')).to_have_attribute("aria-current", "true")
    page.goto("/register")
    in_language(page, audit, language)

    # Logged in, the account's setting decides; the switch saves the choice there.
    page.context.clear_cookies()
    eva = db.session.scalar(select(User).where(User.email == "kontakt@oxelosund.demo"))
    log_in(page, audit, db, eva, DEMO_PASSWORD)
    choose_language(page, audit, language)
    db.session.refresh(eva)
    assert eva.locale == language
    page.goto("/observations/new")
    in_language(page, audit, language)
    page.goto("/alerts/feed")
    in_language(page, audit, language)
    expect(page.locator(".alert-card").first).to_be_visible()  # the demo's warning

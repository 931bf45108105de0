import re

from playwright.sync_api import expect
from sqlalchemy import select

from watch.models import OutboxMessage

from tests.conftest import PASSWORD


def test_front_page_on_a_phone_in_swedish(page, audit, factory):
    factory.municipality("Oxelösund", "0481")
    factory.municipality("Nyköping", "0480")
    page.goto("/")
    audit(page)
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", name="Välj din kommun")).to_be_visible()
    expect(page.get_by_role("link", name="112")).to_have_attribute("href", "tel:112")
    expect(page.get_by_role("link", name="114 14")).to_have_attribute("href", "tel:11414")
    page.get_by_role("link", name="Nyköping").click()
    expect(page.get_by_role("heading", name="Grannsamverkan i Nyköping")).to_be_visible()
    audit(page)


def test_register_switch_language_log_out_and_in(page, audit, factory, db):
    factory.municipality("Oxelösund", "0481")
    page.goto("/register")
    audit(page)
    page.get_by_label("Namn").fill("Maria Holm")
    page.get_by_label("E-post").fill("maria.holm@exempel.se")
    page.get_by_label("Lösenord").fill("kort")
    page.get_by_label("Kommun").select_option(label="Oxelösund")
    page.get_by_label("Mobilnummer (frivilligt)").fill("0701234567")
    page.get_by_role("button", name="Skapa konto").click()
    expect(page.get_by_text("Lösenordet måste vara minst 8 tecken.").first).to_be_visible()
    expect(page.get_by_label("Namn")).to_have_value("Maria Holm")
    audit(page)

    page.get_by_label("Lösenord").fill("Ramdalsvägen-3-grind")
    page.get_by_role("button", name="Skapa konto").click()
    expect(page.get_by_text("Nästan klart: vi har skickat ett mejl till maria.holm@exempel.se.")).to_be_visible()
    audit(page)

    # The account is made from the link in the email, which only the owner of the address gets.
    email = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "maria.holm@exempel.se"))
    page.goto(re.search(r"/register/confirm/\S+", email.body).group(0))
    expect(page.get_by_text("Oxelösund")).to_be_visible()
    audit(page)
    page.get_by_role("button", name="Skapa mitt konto").click()
    expect(page.get_by_text("Välkommen, Maria Holm!")).to_be_visible()
    audit(page)

    page.locator(".language-menu summary").click()
    page.get_by_role("button", name="English", exact=True).click()
    expect(page.get_by_role("heading", name="Choose your municipality")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    audit(page)
    page.get_by_role("link", name="My profile").click()
    expect(page.get_by_label("Language")).to_have_value("en")
    audit(page)
    page.locator(".language-menu summary").click()
    page.get_by_role("button", name="Svenska", exact=True).click()
    expect(page.get_by_role("heading", name="Min profil")).to_be_visible()
    audit(page)

    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_text("Du är utloggad.")).to_be_visible()
    page.get_by_role("link", name="Logga in").click()
    audit(page)
    page.get_by_label("E-post").fill("maria.holm@exempel.se")
    page.get_by_label("Lösenord").fill("Ramdalsvägen-3-grind")
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()
    audit(page)


def test_keyboard_user_can_skip_to_content_and_sees_focus(page, audit, factory):
    user = factory.user()
    page.goto("/login")
    audit(page)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Hoppa till innehållet")
    expect(skip).to_be_focused()
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"
    page.get_by_label("E-post").fill(user.email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()
    audit(page)

"""The watch-group lifecycle on a phone: register both kinds, the coordinator decides, a neighbour joins."""
from playwright.sync_api import expect

from watch.models import Role
from tests.e2e.conftest import log_in, log_out


def register_neighbourhood_group(page, audit):
    page.get_by_role("link", name="Mina grupper").click()
    audit(page)
    page.get_by_role("link", name="Registrera en grupp").first.click()
    audit(page)
    page.locator("main").get_by_role("link", name="Grannsamverkan").click()
    page.get_by_label("Områdets namn").fill("Ramdalen norra")
    page.get_by_label("Gator").fill("Ramdalsvägen\nFrösängsvägen 1–15")
    page.get_by_label("Postnummer").fill("613 5")
    page.get_by_label("Antal hushåll").fill("0")
    page.get_by_role("button", name="Skicka för godkännande").click()
    expect(page.get_by_text("”613 5” är inget svenskt postnummer.").first).to_be_visible()
    expect(page.get_by_text("En grupp omfattar minst 1 hushåll.").first).to_be_visible()
    expect(page.get_by_label("Områdets namn")).to_have_value("Ramdalen norra")
    audit(page)
    page.get_by_label("Postnummer").fill("613 35")
    page.get_by_label("Antal hushåll").fill("11")
    page.get_by_label("Visa mitt mobilnummer för gruppens medlemmar").check()
    page.get_by_role("button", name="Skicka för godkännande").click()
    expect(page.get_by_text("Din grupp är registrerad.")).to_be_visible()
    audit(page)


def register_boat_group(page, audit):
    page.get_by_role("link", name="Registrera en grupp").first.click()
    page.locator("main").get_by_role("link", name="Båtsamverkan").click()
    audit(page)
    expect(page.get_by_label("Nattvakt från vecka")).to_have_value("18")
    expect(page.get_by_label("Nattvakt till och med vecka")).to_have_value("41")
    page.get_by_label("Namn på båtklubben, marinan eller hamnen").fill("Femöre fritidsbåtshamn")
    page.get_by_label("Typ").select_option(label="Marina")
    page.get_by_label("Adress").fill("Femörevägen 50")
    page.get_by_label("Postnummer").fill("61352")
    page.get_by_label("Antal båtplatser").fill("80")
    page.get_by_role("button", name="Skicka för godkännande").click()
    expect(page.get_by_role("heading", name="Femöre fritidsbåtshamn")).to_be_visible()
    audit(page)


def coordinator_decides(page, audit):
    badge = page.get_by_role("link", name="Samordning 2 grupper väntar på beslut")
    expect(badge).to_be_visible()
    badge.click()
    audit(page)
    page.get_by_role("link", name="Grupper som väntar på beslut").click()
    audit(page)
    page.get_by_role("link", name="Ramdalen norra").click()
    audit(page)
    page.get_by_role("button", name="Godkänn gruppen").click()
    expect(page.get_by_text("Ramdalen norra är godkänd")).to_be_visible()
    audit(page)

    page.get_by_role("link", name="Samordning 1 grupp väntar på beslut").click()
    page.get_by_role("link", name="Grupper som väntar på beslut").click()
    page.get_by_role("link", name="Femöre fritidsbåtshamn").click()
    page.get_by_role("button", name="Avslå gruppen").click()
    expect(page.get_by_text("Skriv varför gruppen avslås.").first).to_be_visible()
    audit(page)
    page.get_by_label("Motivering till avslaget").fill("Femöre ingår redan i Jogersö båtklubbs nattvakt.")
    page.get_by_role("button", name="Avslå gruppen").click()
    expect(page.get_by_text("Femöre fritidsbåtshamn är avslagen.")).to_be_visible()
    audit(page)


def test_groups_from_registration_to_a_neighbour_joining(page, audit, factory, db):
    oxelosund = factory.municipality("Oxelösund", "0481")
    eva = factory.user(name="Eva Sjöberg", phone="+46701234505")
    karin = factory.user(Role.COORDINATOR, oxelosund, name="Karin Lindqvist")
    maria = factory.user(name="Maria Holm")

    log_in(page, audit, db, eva)
    register_neighbourhood_group(page, audit)
    register_boat_group(page, audit)
    log_out(page)

    log_in(page, audit, db, karin)
    coordinator_decides(page, audit)
    log_out(page)

    log_in(page, audit, db, eva)
    page.get_by_role("link", name="Mina grupper").click()
    approved = page.locator("article", has_text="Ramdalen norra")
    expect(approved.get_by_text("Godkänd")).to_be_visible()
    rejected = page.locator("article", has_text="Femöre fritidsbåtshamn")
    expect(rejected.get_by_text("Avslagen")).to_be_visible()
    expect(rejected.get_by_text("Femöre ingår redan i Jogersö båtklubbs nattvakt.")).to_be_visible()
    audit(page)
    log_out(page)

    log_in(page, audit, db, maria)
    page.get_by_role("link", name="Mina grupper").click()
    audit(page)
    page.get_by_role("link", name="Hitta en grupp att gå med i").click()
    audit(page)
    page.get_by_label("Postnummer, gata eller namn").fill("613 35")
    page.get_by_role("button", name="Sök").click()
    expect(page.get_by_text("1 grupp", exact=True)).to_be_visible()
    audit(page)
    page.get_by_role("link", name="Ramdalen norra").click()
    expect(page.get_by_text("Eva Sjöberg")).to_have_count(0)
    audit(page)
    page.get_by_role("button", name="Be att få gå med").click()
    expect(page.get_by_text("Din förfrågan om att gå med i Ramdalen norra är skickad.")).to_be_visible()
    audit(page)
    log_out(page)

    log_in(page, audit, db, eva)
    page.get_by_role("link", name="Mina grupper").click()
    page.get_by_role("link", name="1 person vill gå med").click()
    audit(page)
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_role("button", name="Godkänn – Maria Holm").press("Enter")  # from the keyboard
    # The row with the focused button is replaced: focus moves to its message, not the top of the page.
    expect(page.get_by_text("Maria Holm är nu medlem.")).to_be_focused()
    assert page.evaluate("window.stillTheSamePage") is True  # htmx swapped the row; no page load
    audit(page)
    log_out(page)

    log_in(page, audit, db, maria)
    page.get_by_role("link", name="Mina grupper").click()
    page.get_by_role("link", name="Ramdalen norra").click()
    contacts = page.locator("section", has=page.get_by_role("heading", name="Kontaktombud"))
    expect(contacts.get_by_text("Eva Sjöberg")).to_be_visible()
    expect(contacts.get_by_role("link", name="070-123 45 05")).to_have_attribute("href", "tel:+46701234505")
    audit(page)

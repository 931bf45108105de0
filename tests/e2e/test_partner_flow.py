"""Done when, on a phone: a coordinator adds a housing company and invites a reporter, who sets a password and
files a graffiti report that shows in the triage inbox and the lägesbild; EST adds an action that carries over
to the next week and is marked done; the yearly follow-up prints."""
import re

from playwright.sync_api import expect

from tests.e2e.conftest import log_in, log_out
from tests.test_partners import NEW_PASSWORD, invitation_link
from watch.lagesbild import services
from watch.models import Role

REPORTER_EMAIL = "nadia.karlsson@oxelosundshem.se"
ACTION = "Sanera klottret och laga belysningen vid Höjdgatan"


def test_a_partner_reporter_files_and_est_acts_on_it_through_the_year(page, audit, factory, db):
    oxelosund = factory.municipality("Oxelösund", "0481")
    coordinator = factory.user(Role.COORDINATOR, oxelosund, name="Karin Lindqvist")
    week = services.this_week()

    # The coordinator registers the housing company and invites one of its caretakers.
    log_in(page, audit, db, coordinator)
    page.goto("/coordinator")
    audit(page)
    page.get_by_role("link", name="Samverkansparter och rapportörer").click()
    audit(page)
    page.get_by_label("Organisationens namn").fill("Oxelösundshem")
    page.get_by_label("Bostadsbolag").check()
    page.get_by_role("button", name="Lägg till organisationen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Oxelösundshem")
    audit(page)
    page.get_by_label("Rapportörens namn").fill("Nadia Karlsson")
    page.get_by_label("Rapportörens jobbmejl").fill(REPORTER_EMAIL)
    page.get_by_role("button", name="Skicka inbjudan").click()
    expect(page.get_by_text(REPORTER_EMAIL).first).to_be_visible()
    audit(page)
    log_out(page)
    audit(page)

    # The reporter follows the emailed link, chooses a password and reports graffiti.
    page.goto(invitation_link(db, REPORTER_EMAIL))
    expect(page.get_by_text("Oxelösundshem").first).to_be_visible()
    audit(page)
    page.get_by_label("Välj ett lösenord").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Skapa mitt konto").click()
    expect(page.get_by_role("heading", name="Rapportera en iakttagelse")).to_be_visible()
    expect(page.get_by_text(re.compile("aldrig vem någon är"))).to_be_visible()
    audit(page)
    page.get_by_label(re.compile("^Klotter och skadegörelse")).check()
    page.get_by_label("Var", exact=True).fill("Höjdgatan 3, 613 35 Oxelösund")
    page.get_by_label("Vad hände?").fill("Nytt klotter på fasaden mot gångvägen, lampan vid porten är trasig.")
    page.get_by_role("button", name="Skicka iakttagelsen").click()
    expect(page.get_by_role("heading", name="Mina iakttagelser")).to_be_visible()
    audit(page)
    log_out(page)
    audit(page)

    # The coordinator finds it in the inbox, marked with the organisation, and counted in the lägesbild.
    log_in(page, audit, db, coordinator)
    page.goto("/coordinator/observations")
    expect(page.get_by_text("Oxelösundshem (Bostadsbolag)").first).to_be_visible()
    audit(page)
    page.goto("/lagesbild/oxelosund")
    expect(page.get_by_role("row", name="Bostadsbolag 1", exact=True)).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("^Klotter och skadegörelse 1 ")).first).to_be_visible()
    audit(page)

    # EST decides an action this week; it carries over to the next week, where it is marked done.
    page.get_by_text("Lägg till en åtgärd som EST beslutat").click()
    page.get_by_label("Vad ska göras").fill(ACTION)
    page.get_by_label("Var", exact=True).fill("Höjdgatan, porten mot gångvägen")
    page.get_by_label("Postnummer (frivilligt)").fill("613 35")
    page.get_by_label("Organisation", exact=True).fill("Oxelösundshem")
    page.get_by_label("Ansvarig person").fill("Nadia Karlsson")
    page.locator("#add-action").get_by_label("Klotter och skadegörelse").check()
    page.get_by_role("button", name="Lägg till åtgärden").click()
    action = page.locator(".action").filter(has_text=ACTION)
    expect(action.get_by_text("0 under de fyra veckorna före, 1 sedan dess")).to_be_visible()
    audit(page)
    page.get_by_role("link", name=re.compile("^Nästa")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Vecka {week.shift(1).number}, {week.shift(1).year}")
    expect(action.locator(".status")).to_have_text("Planerad")
    audit(page)
    action.get_by_label(re.compile("^Status")).select_option("done")
    action.get_by_role("button", name="Spara status").click()
    expect(page.get_by_text(f"”{ACTION}” är nu: Klar.")).to_be_visible()
    audit(page)
    page.get_by_role("link", name=re.compile("^Föregående")).click()
    expect(action.locator(".status")).to_have_text("Klar")
    audit(page)

    # The yearly follow-up, linked from the lägesbild, prints on A4 without its controls.
    page.get_by_role("link", name=f"Uppföljning {week.year}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Uppföljning {week.year}")
    audit(page)
    graffiti = page.get_by_role("table", name="Per kategori").get_by_role("row", name="Klotter och skadegörelse 1 0")
    expect(graffiti).to_be_visible()
    expect(page.get_by_role("table", name="EST-åtgärder").get_by_role(
        "row", name="Beslutade åtgärder 1 0")).to_be_visible()
    page.emulate_media(media="print")
    expect(graffiti).to_be_visible()
    expect(page.get_by_role("link", name="Ladda ner siffrorna (CSV)")).to_be_hidden()
    page.emulate_media(media="screen")

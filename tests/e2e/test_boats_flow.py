"""Done when, on a phone: a boat-club member registers an engine with its serial and marks it stolen; police of the
municipality find it from a variant of the serial with a reason given, police of another municipality find nothing,
and the audit log shows the search. The club's winter-storage season (week 42 to week 17) is registered and shown."""
from playwright.sync_api import expect

from tests.e2e.conftest import log_in, log_out
from tests.group_helpers import make_group
from watch.models import GroupKind, Role

REASON = "Ärende 5000-K123456-26, motor upphittad vid Femöre"


def test_a_stolen_engine_is_traced_from_its_serial_and_the_winter_season_is_shown(page, audit, db, factory):
    oxelosund = factory.municipality("Oxelösund", "0481")
    nykoping = factory.municipality("Nyköping", "0480")
    contact = factory.user(Role.RESIDENT, oxelosund, name="Per Nyström", phone="+46701234506")
    member = factory.user(Role.RESIDENT, oxelosund, name="Maria Holm", phone="+46701234507")
    make_group(contact, kind=GroupKind.BOAT, members=[member])
    police = factory.user(Role.POLICE, oxelosund, name="Johan Berg")
    police_other = factory.user(Role.POLICE, nykoping, name="Lena Ek")
    coordinator = factory.user(Role.COORDINATOR, oxelosund)

    # The member registers the engine.
    log_in(page, audit, db, member)
    page.get_by_role("link", name="Mina båtar").click()
    audit(page)
    page.get_by_role("link", name="Lägg till en båt eller motor").click()
    audit(page)
    page.get_by_label("Vad är det?").select_option(label="Utombordsmotor")
    page.get_by_label("Märke", exact=True).fill("Yamaha")
    page.get_by_label("Modell", exact=True).fill("F40")
    page.get_by_label("Serienummer", exact=True).fill("YF40BETO123")
    page.get_by_label("Märkning", exact=True).select_option(label="DNA-märkning")
    page.get_by_label("Märknings-id").fill("SW-4411-KX")
    page.get_by_label("Var förvaras den?").select_option(label="I vinterförvaring")
    page.get_by_label("Båtplats eller förvaringsplats").fill("Jogersö varv, hall 2")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_text("Sparat: Utombordsmotor Yamaha.")).to_be_visible()
    audit(page)

    # The engine is stolen from winter storage: the owner reports it.
    page.get_by_text("Anmäl den stulen").click()
    page.get_by_label("När stals den?").fill("2026-11-20")
    page.get_by_role("button", name="Anmäl stulen").click()
    expect(page.get_by_text("Anmäld stulen. Polisen i kommunen kan se det")).to_be_visible()
    expect(page.get_by_text("Anmäld stulen 2026-11-20")).to_be_visible()
    audit(page)

    # The member's marina registers its winter-storage watch, across the new year.
    page.goto("/groups/register/boat")
    audit(page)
    page.get_by_label("Namn på båtklubben, marinan eller hamnen").fill("Femöre fritidsbåtshamn")
    page.get_by_label("Adress").fill("Femörevägen 50")
    page.get_by_label("Postnummer").fill("613 52")
    page.get_by_label("Antal båtplatser").fill("80")
    page.get_by_label("Nattvakt från vecka").fill("42")
    page.get_by_label("Nattvakt till och med vecka").fill("17")
    page.get_by_role("button", name="Skicka för godkännande").click()
    audit(page)
    page.get_by_role("link", name="Femöre fritidsbåtshamn").click()
    expect(page.get_by_role("heading", level=1, name="Femöre fritidsbåtshamn")).to_be_visible()
    expect(page.get_by_text("Vecka 42–17 (över årsskiftet)")).to_be_visible()
    audit(page)
    log_out(page)

    # The police of Oxelösund find it from the serial as read off the found engine.
    log_in(page, audit, db, police)
    page.get_by_role("link", name="Båtregistret").click()
    audit(page)
    page.get_by_role("button", name="Sök i registret").click()
    expect(page.get_by_text("Skriv varför du söker").first).to_be_visible()
    audit(page)
    page.get_by_label("Serienummer eller märkning").fill("yf-40 beto 123")
    page.get_by_label("Skäl till sökningen").fill(REASON)
    page.get_by_role("button", name="Sök i registret").click()
    hits = page.get_by_role("region", name="1 träff")
    expect(hits.get_by_text("Maria Holm")).to_be_visible()
    expect(hits.get_by_text("Exakt träff")).to_be_visible()
    expect(hits.get_by_text("Anmäld stulen 2026-11-20")).to_be_visible()
    expect(hits.get_by_text("YF40BETO123")).to_be_visible()
    audit(page)
    log_out(page)

    # Police of a municipality they do not cover find nothing.
    log_in(page, audit, db, police_other)
    page.get_by_role("link", name="Båtregistret").click()
    page.get_by_label("Serienummer eller märkning").fill("yf-40 beto 123")
    page.get_by_label("Skäl till sökningen").fill(REASON)
    page.get_by_role("button", name="Sök i registret").click()
    expect(page.get_by_role("heading", name="0 träffar")).to_be_visible()
    expect(page.get_by_text("Maria Holm")).to_have_count(0)
    audit(page)
    log_out(page)

    # The municipality's audit log shows the search, by whom and why.
    log_in(page, audit, db, coordinator)
    page.goto("/audit")
    search = page.locator(".audit-list li").filter(has_text="Båtregistret sökt av polisen").first
    expect(search).to_contain_text("Johan Berg")
    expect(search).to_contain_text(REASON)
    audit(page)

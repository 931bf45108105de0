"""Done-when for observations: filed on a phone with a photo, triaged by the coordinator, read by the right police."""
import re

from playwright.sync_api import expect
from sqlalchemy import select

from tests.observation_support import has_gps, make_group, photo_with_gps
from watch.models import Observation, Role
from watch.core.photo_store import photo_file
from tests.e2e.conftest import log_in, log_out


def test_observation_from_phone_to_coordinator_to_police_and_back(page, audit, factory, db):
    oxelosund = factory.municipality("Oxelösund", "0481")
    nykoping = factory.municipality("Nyköping", "0480")
    reporter = factory.user(Role.RESIDENT, oxelosund, name="Maria Holm")
    make_group(db, oxelosund, members=[reporter])
    coordinator = factory.user(Role.COORDINATOR, oxelosund, name="Karin Lindqvist")
    police = factory.user(Role.POLICE, oxelosund, name="Johan Berg")
    other_police = factory.user(Role.POLICE, nykoping, name="Lena Ek")

    # The member files from the phone: forgets the category first, and keeps what was typed.
    log_in(page, audit, db, reporter)
    page.get_by_role("link", name="Rapportera").click()
    expect(page.get_by_role("heading", name="Rapportera en iakttagelse")).to_be_visible()
    expect(page.get_by_role("link", name="112").first).to_have_attribute("href", "tel:112")
    expect(page.get_by_text("En iakttagelse är ingen polisanmälan.")).to_be_visible()
    expect(page.get_by_label("Var", exact=True)).to_have_value(re.compile("^Västra vägen och Tallvägen"))
    expect(page.get_by_label("När")).not_to_have_value("")
    audit(page)
    page.get_by_label("Var", exact=True).fill("Tallvägen 21, 613 31 Oxelösund")
    page.get_by_text("Fordon (frivilligt)").click()
    page.get_by_label("Registreringsnummer").fill("KLM 45A")
    page.get_by_label("Färg").fill("Vit")
    page.get_by_label("Vad hände?").fill("Vit skåpbil körde sakta förbi förråden tre gånger efter midnatt.")
    page.get_by_role("button", name="Skicka iakttagelsen").click()
    expect(page.get_by_text("Välj vad du såg.").first).to_be_visible()
    expect(page.get_by_label("Vad hände?")).to_have_value(re.compile("^Vit skåpbil"))
    expect(page.get_by_label("Registreringsnummer")).to_have_value("KLM 45A")
    audit(page)
    page.get_by_text("Misstänkt fordon").click()
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 58.668611, "longitude": 17.100833, "accuracy": 12})
    page.get_by_role("button", name="Använd min position").click()
    expect(page.get_by_text("Din position är bifogad (inom ungefär 12 m).")).to_be_visible()
    page.get_by_label("Foto (frivilligt)").set_input_files(
        files=[{"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": photo_with_gps()}])
    page.get_by_role("button", name="Skicka iakttagelsen").click()
    expect(page.get_by_text("Tack! Din iakttagelse har skickats")).to_be_visible()
    expect(page.get_by_role("heading", name="Mina iakttagelser")).to_be_visible()
    expect(page.get_by_text("Ny", exact=True)).to_be_visible()
    audit(page)
    log_out(page)

    observation = db.session.scalar(select(Observation))
    assert (observation.latitude, observation.longitude) == (58.668611, 17.100833)
    with open(photo_file(observation.photo_path), "rb") as f:
        assert not has_gps(f.read()), "the stored photo still carries its GPS position"

    # The coordinator sees it, with a badge, and forwards it with a note: no page reload.
    log_in(page, audit, db, coordinator)
    nav_link = page.get_by_role("link", name=re.compile("Iakttagelser"))
    expect(nav_link).to_contain_text("1")
    nav_link.click()
    audit(page)
    # Told of each new observation by default; she chooses one summary every morning instead, in place.
    page.get_by_text("Nya iakttagelser och sms: Ett meddelande för varje").click()
    page.get_by_text("En sammanfattning varje morgon").click()
    page.get_by_role("button", name="Spara", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Sparat.")).to_be_visible()
    expect(page.get_by_text("Nya iakttagelser och sms: En sammanfattning varje morgon")).to_be_visible()
    expect(page.get_by_label("En sammanfattning varje morgon")).to_be_checked()
    audit(page)
    page.get_by_text("Filtrera").click()
    page.get_by_label("Status").select_option(label="Ny")
    page.get_by_label("Kategori").select_option(label="Misstänkt fordon")
    page.get_by_role("button", name="Visa").click()
    expect(page.get_by_text("1 iakttagelse", exact=True)).to_be_visible()
    audit(page)
    page.get_by_role("link", name="Misstänkt fordon").click()
    expect(page.get_by_text("KLM 45A, Vit")).to_be_visible()
    photo = page.get_by_role("img", name="Foto som den som rapporterade bifogade")
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.naturalWidth") == 2000
    audit(page)
    detail_url = page.url
    page.get_by_role("button", name="Markera som viktig för lägesbilden").click()
    expect(page.get_by_text("Utvald till veckans lägesbild.")).to_be_visible()
    page.get_by_label("Meddelande till den som rapporterade (frivilligt)").fill(
        "Tack! Kommunpolisen har fått uppgifterna.")
    page.get_by_role("button", name="Vidarebefordra till polisen").click()
    expect(page.get_by_text("Iakttagelsen är nu: Vidarebefordrad till polisen.")).to_be_focused()
    expect(page.locator("#new-observations-badge")).to_have_text("")
    assert page.url == detail_url
    audit(page)
    log_out(page)

    # The police of that municipality read it; the police of another do not even see that it exists.
    log_in(page, audit, db, police)
    page.get_by_role("link", name="Iakttagelser").click()
    expect(page.get_by_role("heading", name="Vidarebefordrade iakttagelser")).to_be_visible()
    audit(page)
    page.get_by_role("link", name="Misstänkt fordon").click()
    expect(page.get_by_text("Vit skåpbil körde sakta förbi")).to_be_visible()
    audit(page)
    log_out(page)

    log_in(page, audit, db, other_police)
    page.get_by_role("link", name="Iakttagelser").click()
    expect(page.get_by_text("Inga iakttagelser har vidarebefordrats ännu.")).to_be_visible()
    audit(page)
    # Fetched rather than visited: the browser reports a 404 page load as a console error.
    not_theirs = page.request.get(detail_url)
    assert not_theirs.status == 404 and "Sidan finns inte" in not_theirs.text()
    assert page.request.get(detail_url + "/photo").status == 404
    log_out(page)

    # The reporter reads the coordinator's note.
    log_in(page, audit, db, reporter)
    page.get_by_role("link", name="Mina iakttagelser").click()
    expect(page.get_by_text("Tack! Kommunpolisen har fått uppgifterna.")).to_be_visible()
    expect(page.get_by_text("Vidarebefordrad till polisen")).to_be_visible()
    audit(page)

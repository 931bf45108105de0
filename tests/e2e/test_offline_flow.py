"""Done-when for the phone-first issue: an observation filed without coverage waits on the phone, is sent once
when the connection is back, and a queued observation is never sent by anyone but its writer."""
import re

from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.e2e.conftest import log_in, log_out
from tests.observation_support import make_group, photo_with_gps
from watch.models import Observation, Role

WAITING = "Ingen anslutning: din iakttagelse är sparad på telefonen och väntar på att skickas."
REFUSED = "En iakttagelse som sparats på telefonen godtogs inte av portalen."
SENT = "Din iakttagelse som sparats på telefonen har nu skickats till samordnaren."


def observations(db) -> list[Observation]:
    db.session.expire_all()
    return db.session.scalars(select(Observation)).all()


def write_offline(page, audit, text: str) -> None:
    """With the form open, coverage goes; the member files an observation with a photo."""
    page.get_by_role("link", name="Rapportera").click()
    expect(page.get_by_role("heading", name="Rapportera en iakttagelse")).to_be_visible()
    audit(page)
    page.context.set_offline(True)
    page.get_by_text("Stöld från båt eller av båtmotor").click()
    page.get_by_label("Var", exact=True).fill("Jogersö gästhamn, brygga B")
    page.get_by_label("Vad hände?").fill(text)
    page.get_by_label("Foto (frivilligt)").set_input_files(
        files=[{"name": "IMG_3310.jpg", "mimeType": "image/jpeg", "buffer": photo_with_gps((1600, 1200))}])
    page.get_by_role("button", name="Skicka iakttagelsen").click()
    expect(page.get_by_role("status").filter(has_text=WAITING)).to_be_visible()


def test_an_observation_written_without_coverage_is_sent_once_when_the_connection_is_back(page, audit, factory, db,
                                                                                        live_server):
    oxelosund = factory.municipality("Oxelösund", "0481")
    member = factory.user(Role.RESIDENT, oxelosund, name="Per Nyström")
    make_group(db, oxelosund, name="Jogersö båtklubb", members=[member])
    coordinator = factory.user(Role.COORDINATOR, oxelosund, name="Karin Lindqvist")

    log_in(page, audit, db, member)
    # The service worker is installed and has kept only files of our own server.
    kept = page.evaluate("""async () => {
        await navigator.serviceWorker.ready;
        const urls = [];
        for (const name of await caches.keys()) {
            for (const request of await (await caches.open(name)).keys()) { urls.push(request.url); }
        }
        return urls;
    }""")
    assert f"{live_server}/offline?lang=sv" in kept and any("/static/vendor/idb-keyval.js?v=" in url for url in kept)
    assert all(url.startswith(live_server + "/") for url in kept), kept
    write_offline(page, audit, "Två personer i en gummibåt lossade en utombordsmotor vid brygga B kl 02.")
    audit(page)
    expect(page.get_by_label("Vad hände?")).to_have_value("")  # kept on the phone, ready for the next one
    assert observations(db) == []

    page.context.set_offline(False)
    expect(page.get_by_role("status").filter(has_text=SENT)).to_be_visible()
    [observation] = observations(db)
    assert observation.reporter_id == member.id and observation.photo_path and observation.client_id
    assert observation.description.startswith("Två personer i en gummibåt")
    # Loading pages again sends nothing more.
    page.get_by_role("link", name="Mina iakttagelser").click()
    expect(page.get_by_text("Stöld från båt eller av båtmotor")).to_have_count(1)
    audit(page)
    assert len(observations(db)) == 1
    # The profile offers push on this device (the install button shows only when the browser offers it).
    page.get_by_role("link", name="Min profil").click()
    expect(page.get_by_role("heading", name="Den här telefonen eller datorn")).to_be_visible()
    expect(page.get_by_role("button", name="Slå på push-meddelanden")).to_be_visible()
    audit(page)
    log_out(page)

    log_in(page, audit, db, coordinator)
    page.get_by_role("link", name=re.compile("Iakttagelser")).click()
    expect(page.get_by_text("1 iakttagelse", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Stöld från båt eller av båtmotor")).to_have_count(1)
    audit(page)


def test_a_queued_observation_is_sent_only_by_its_writer_and_logging_out_asks_first(page, audit, factory, db):
    oxelosund = factory.municipality("Oxelösund", "0481")
    writer = factory.user(Role.RESIDENT, oxelosund, name="Maria Holm")
    partner = factory.user(Role.RESIDENT, oxelosund, name="Tom Wilson")
    make_group(db, oxelosund, name="Jogersö båtklubb", members=[writer, partner])

    log_in(page, audit, db, writer)
    write_offline(page, audit, "En okänd bil stod länge vid bommen till hamnen.")
    audit(page)
    # Her login ends without logging out (the cookie goes); her partner logs in on the same phone, online.
    page.context.clear_cookies()
    page.context.set_offline(False)
    log_in(page, audit, db, partner)
    page.get_by_role("link", name="Mina iakttagelser").click()
    audit(page)
    assert observations(db) == []

    # Back to her: the observation waits for her and is sent; then she queues another and logs out.
    page.context.clear_cookies()
    log_in(page, audit, db, writer)
    expect(page.get_by_role("status").filter(has_text=SENT)).to_be_visible()
    assert [o.reporter_id for o in observations(db)] == [writer.id]
    write_offline(page, audit, "Ficklampor rörde sig vid båtarna på land.")
    # Online again, but the portal does not take it (the form comes back, as for a time now too long ago).
    page.route("**/observations/new", lambda route: route.fulfill(status=200, content_type="text/html",
                                                                   body="<!doctype html><title>Formulär</title>"))
    page.context.set_offline(False)
    expect(page.get_by_role("status").filter(has_text=REFUSED)).to_be_visible()
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.dismiss() if len(asked) == 1 else dialog.accept()

    page.on("dialog", answer)
    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()  # she said no: still logged in
    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_text("Du är utloggad.")).to_be_visible()
    audit(page)
    assert asked == ["Iakttagelser som sparats på telefonen har inte skickats än. Vill du logga ut och radera dem?"] * 2
    page.unroute("**/observations/new")
    log_in(page, audit, db, writer)
    page.get_by_role("link", name="Mina iakttagelser").click()
    audit(page)
    assert db.session.scalar(select(func.count()).select_from(Observation)) == 1

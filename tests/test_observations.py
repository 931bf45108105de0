"""Observations: filing, bad input, photos, who sees what, triage, inboxes, emails and retention."""
import io
import os
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from PIL import Image
from sqlalchemy import func, insert, select

from tests.conftest import PASSWORD
from tests.observation_support import file_observation, has_gps, make_group, photo_with_gps
from tests.querycount import count_queries
from watch.core.weeks import local_zone
from watch.models import (
    PUBLIC_PLACE_CATEGORIES,
    AuditEvent, GroupStatus, MembershipStatus, NoticeChoice, Observation, ObservationCategory, ObservationStatus, OutboxMessage,
    Role, utcnow,
)
from watch.observations import services
from watch.core.photo_store import photo_file, photo_folder


@pytest.fixture
def world(db, factory):
    """Oxelösund with a group (two members and a contact person), its coordinator and police; Nyköping beside it."""
    oxelosund = factory.municipality("Oxelösund", "0481")
    nykoping = factory.municipality("Nyköping", "0480")
    reporter = factory.user(Role.RESIDENT, oxelosund, name="Maria Holm")
    neighbour = factory.user(Role.RESIDENT, oxelosund, name="Tom Wilson")
    contact = factory.user(Role.RESIDENT, oxelosund, name="Eva Sjöberg")
    group = make_group(db, oxelosund, members=[reporter, neighbour], contacts=[contact])
    return SimpleNamespace(
        oxelosund=oxelosund, nykoping=nykoping, group=group, reporter=reporter, neighbour=neighbour, contact=contact,
        coordinator=factory.user(Role.COORDINATOR, oxelosund, name="Karin Lindqvist"),
        police=factory.user(Role.POLICE, oxelosund, name="Johan Berg"),
        other_coordinator=factory.user(Role.COORDINATOR, nykoping, name="Amir Haddad"),
        other_police=factory.user(Role.POLICE, nykoping, name="Lena Ek"),
    )


def form_data(group_, **overrides):
    local_time = (utcnow() - timedelta(minutes=30)).astimezone(local_zone())
    data = {
        "group": str(group_.id),
        "category": "suspicious_vehicle",
        "observed_at": local_time.strftime("%Y-%m-%dT%H:%M"),
        "location": "Västra vägen 12, 613 31 Oxelösund",
        "latitude": "", "longitude": "",
        "vehicle_registration": "abc 12d",
        "vehicle_colour": "Vit",
        "vehicle_make": "VW Transporter",
        "description": "En vit skåpbil körde sakta förbi flera gånger och stannade vid förråden.",
    }
    data.update(overrides)
    return data


def file_with_photo(db, client, group_, size=(300, 200)) -> Observation:
    """File through the form with a phone photo; the observation it made."""
    client.post("/observations/new", data=form_data(group_, photo=(io.BytesIO(photo_with_gps(size)), "a.jpg")),
                content_type="multipart/form-data")
    return db.session.scalar(select(Observation).order_by(Observation.id.desc()))


def stored_photos() -> list[str]:
    folder = photo_folder()
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def observation_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Observation))


# ---- filing -----------------------------------------------------------------------------------------

def test_form_says_it_is_not_a_police_report_and_prefills_time_and_place(world, login):
    page = login(world.reporter).get("/observations/new").get_data(as_text=True)
    assert 'href="tel:112"' in page and 'href="tel:11414"' in page
    assert "En iakttagelse är ingen polisanmälan." in page
    assert 'value="Västra vägen och Tallvägen, villaområdet väster om centrum"' in page
    now = utcnow().astimezone(local_zone()).strftime("%Y-%m-%dT%H")
    assert f'value="{now}' in page
    assert "Misstänkt fordon" in page and 'type="radio"' in page
    assert 'enctype="multipart/form-data"' in page


def test_member_files_an_observation_with_a_photo_and_sees_it_in_my_observations(world, login, db):
    client = login(world.reporter)
    data = form_data(world.group, latitude="58.667412", longitude="17.101234",
                     photo=(io.BytesIO(photo_with_gps()), "IMG_2041.jpg"))
    response = client.post("/observations/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302 and response.location.endswith("/observations/mine")

    observation = db.session.scalar(select(Observation))
    assert observation.reporter_id == world.reporter.id and observation.group_id == world.group.id
    assert observation.municipality_id == world.oxelosund.id
    assert observation.category == ObservationCategory.SUSPICIOUS_VEHICLE
    assert observation.status == ObservationStatus.NEW
    assert observation.vehicle_registration == "ABC12D"
    assert observation.postcode == "61331"
    assert (observation.latitude, observation.longitude) == (58.667412, 17.101234)
    assert observation.observed_week == services.iso_week(observation.observed_at)

    with open(photo_file(observation.photo_path), "rb") as f:
        stored = f.read()
    assert not has_gps(stored)
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and max(image.size) == 2000 and not image.getexif()

    mine = client.get("/observations/mine").get_data(as_text=True)
    assert "Misstänkt fordon" in mine and "status--new" in mine
    assert client.get(f"/observations/{observation.id}/photo").data == stored


def test_transparent_png_and_webp_are_re_encoded_as_jpeg(world, login, db):
    client = login(world.reporter)
    for fmt, name in (("PNG", "skiss.png"), ("WEBP", "bild.webp")):
        image = Image.new("RGBA", (800, 600), (0, 0, 0, 0))
        raw = io.BytesIO()
        image.save(raw, fmt)
        raw.seek(0)
        response = client.post("/observations/new", data=form_data(world.group, photo=(raw, name)),
                               content_type="multipart/form-data")
        assert response.status_code == 302
    for observation in db.session.scalars(select(Observation)):
        with Image.open(photo_file(observation.photo_path)) as stored:
            assert stored.format == "JPEG" and stored.getpixel((10, 10)) == (255, 255, 255)


@pytest.mark.parametrize("who", ["pending group", "requested membership", "no group", "coordinator"])
def test_only_members_of_approved_groups_can_file(world, login, db, factory, who):
    person = factory.user(Role.COORDINATOR if who == "coordinator" else Role.RESIDENT, world.oxelosund)
    if who == "pending group":
        group = make_group(db, world.oxelosund, name="Ramdalen norra", status=GroupStatus.PENDING, members=[person])
    elif who == "requested membership":
        group = make_group(db, world.oxelosund, name="Ramdalen södra", members=[person],
                           membership_status=MembershipStatus.REQUESTED)
    else:
        group = world.group
    client = login(person)
    page = client.get("/observations/new").get_data(as_text=True)
    assert "när du är medlem i en godkänd" in page and 'name="category"' not in page
    client.post("/observations/new", data=form_data(group))
    assert observation_count(db) == 0


def test_contact_person_can_file_too(world, login, db):
    response = login(world.contact).post("/observations/new", data=form_data(world.group))
    assert response.status_code == 302 and observation_count(db) == 1


# ---- bad input --------------------------------------------------------------------------------------

BAD_INPUT = [
    ({"category": ""}, "category", "Välj vad du såg."),
    ({"category": "murder"}, "category", "Välj vad du såg."),
    ({"observed_at": ""}, "observed_at", "Ange när du såg det."),
    ({"observed_at": "igår kväll"}, "observed_at", "Ange datum och tid som 2026-05-17 21:30."),
    ({"observed_at": "   "}, "observed_at", "Ange när du såg det."),
    ({"observed_at": "TOMORROW"}, "observed_at", "Tiden ligger i framtiden."),
    ({"description": "x" * 2001}, "description", "Högst 2000 tecken."),
    ({"location": "", "latitude": "", "longitude": ""}, "location", "Skriv var det var"),
    ({"latitude": "91", "longitude": "17"}, "location", "Din telefons position kunde inte användas."),
    ({"vehicle_registration": "<script>"}, "vehicle_registration", "Bara bokstäver och siffror"),
    ({"group": "abc"}, "group", "Välj en av dina grupper."),
]


@pytest.mark.parametrize("overrides, field, message", BAD_INPUT)
def test_bad_input_gets_a_message_at_the_field_keeps_the_text_and_saves_nothing(
        world, login, db, overrides, field, message):
    if overrides.get("observed_at") == "TOMORROW":
        tomorrow = (utcnow() + timedelta(days=1)).astimezone(local_zone())
        overrides = {"observed_at": tomorrow.strftime("%Y-%m-%dT%H:%M")}
    data = form_data(world.group, **overrides)
    response = login(world.reporter).post("/observations/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}-error"' in page and message in page
    assert 'aria-invalid="true"' in page or field == "category"
    if field != "description":
        assert "En vit skåpbil körde sakta förbi" in page  # what was typed is still there
    assert "Västra vägen 12, 613 31 Oxelösund" in page or field == "location"
    assert observation_count(db) == 0


def test_a_tampered_group_id_cannot_file_into_someone_elses_group(world, login, db, factory):
    elsewhere = make_group(db, world.nykoping, name="Brandholmen", members=[factory.user(Role.RESIDENT, world.nykoping)])
    response = login(world.reporter).post("/observations/new", data=form_data(elsewhere))
    assert "Välj en av dina grupper." in response.get_data(as_text=True)
    assert observation_count(db) == 0


def test_a_file_that_is_not_an_image_is_refused_at_the_field(world, login, db):
    fake = io.BytesIO(b"%PDF-1.7 this is a pdf with a jpg name")
    before = stored_photos()
    response = login(world.reporter).post(
        "/observations/new", data=form_data(world.group, photo=(fake, "semester.jpg")),
        content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="photo-error"' in page
    assert "Filen är inte ett foto vi kan läsa." in page
    assert "En vit skåpbil körde sakta förbi" in page
    assert observation_count(db) == 0 and stored_photos() == before


def test_a_photo_over_8_mb_is_refused_at_the_field(world, login, db):
    big = io.BytesIO(b"\xff\xd8\xff" + os.urandom(8 * 1024 * 1024))
    response = login(world.reporter).post(
        "/observations/new", data=form_data(world.group, photo=(big, "stor.jpg")), content_type="multipart/form-data")
    assert "Fotot är större än 8 MB." in response.get_data(as_text=True)
    assert observation_count(db) == 0


def test_a_request_over_the_upload_limit_gets_the_friendly_413_page(world, login, db):
    huge = io.BytesIO(os.urandom(10 * 1024 * 1024))
    response = login(world.reporter).post(
        "/observations/new", data=form_data(world.group, photo=(huge, "jättestor.jpg")),
        content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "Filen är för stor" in page and "<h1>" in page and 'class="site-header"' in page
    assert observation_count(db) == 0


def test_a_failed_save_leaves_no_photo_behind(world, login, db, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "file_observation", broken)
    before = stored_photos()
    response = login(world.reporter).post(
        "/observations/new", data=form_data(world.group, photo=(io.BytesIO(photo_with_gps((400, 300))), "a.jpg")),
        content_type="multipart/form-data")
    assert response.status_code == 500
    assert stored_photos() == before and observation_count(db) == 0


def test_a_request_that_fails_after_filing_stores_nothing_and_sends_nothing(world, login, db, monkeypatch):
    """The request commits once, at its end: email to the coordinator and the photo only follow that commit."""
    from watch.observations import routes

    reporter = login(world.reporter)
    data = lambda: form_data(world.group, photo=(io.BytesIO(photo_with_gps((400, 300))), "a.jpg"))  # noqa: E731
    emails = lambda: db.session.scalar(select(func.count()).select_from(OutboxMessage).where(  # noqa: E731
        OutboxMessage.recipient == world.coordinator.email))
    before = stored_photos()

    def broken_flash(*args, **kwargs):
        raise RuntimeError("the page could not be finished")

    monkeypatch.setattr(routes, "flash", broken_flash)  # fails after the observation was filed and announced
    assert reporter.post("/observations/new", data=data(), content_type="multipart/form-data").status_code == 500
    assert observation_count(db) == 0 and emails() == 0 and stored_photos() == before

    monkeypatch.undo()  # the same request that succeeds: one observation, its photo, one email
    assert reporter.post("/observations/new", data=data(), content_type="multipart/form-data").status_code == 302
    assert observation_count(db) == 1 and emails() == 1 and len(stored_photos()) == len(before) + 1


# ---- who sees what ----------------------------------------------------------------------------------

def test_only_the_reporter_the_municipalitys_coordinator_and_after_forwarding_its_police_see_it(
        world, login, db, factory):
    observation = file_observation(db, world.reporter, world.group)
    observation.photo_path = None
    admin = factory.user(Role.ADMIN)
    coverage_police = factory.user(Role.POLICE, world.nykoping, covers=[world.oxelosund])
    urls = [f"/observations/{observation.id}", f"/observations/{observation.id}/photo"]

    def sees(user) -> bool:
        return login(user).get(urls[0]).status_code == 200

    assert sees(world.reporter) and sees(world.coordinator)
    for outsider in (world.neighbour, world.contact, world.police, world.other_police, world.other_coordinator,
                     coverage_police, admin):
        assert not sees(outsider), outsider.name
        assert login(outsider).get(urls[0]).status_code == 404

    services.change_status(observation, ObservationStatus.FORWARDED, "Skickad till polisen.", world.coordinator)
    db.session.commit()
    assert sees(world.police) and sees(coverage_police)
    for outsider in (world.neighbour, world.contact, world.other_police, world.other_coordinator, admin):
        assert not sees(outsider), outsider.name


def test_the_photo_is_served_only_to_those_who_may_see_the_observation(world, login, db):
    client = login(world.reporter)
    observation = file_with_photo(db, client, world.group, (640, 480))
    url = f"/observations/{observation.id}/photo"
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert response.headers["Cache-Control"] == "no-store"
    assert login(world.coordinator).get(url).status_code == 200
    for outsider in (world.neighbour, world.contact, world.police, world.other_coordinator):
        assert login(outsider).get(url).status_code == 404
    assert login(world.coordinator).get(f"/observations/{observation.id + 1}/photo").status_code == 404
    os.remove(photo_file(observation.photo_path))  # lost on disk: a plain 404, not an error page
    assert login(world.coordinator).get(url).status_code == 404


def test_lists_show_each_person_only_what_is_theirs(world, login, db, factory):
    mine = file_observation(db, world.reporter, world.group, location="Tallvägen 3")
    file_observation(db, world.neighbour, world.group, location="Tallvägen 99")
    nykoping_group = make_group(db, world.nykoping, name="Brandholmen",
                                members=[factory.user(Role.RESIDENT, world.nykoping)])
    nykoping_observation = file_observation(db, nykoping_group.memberships[0].user, nykoping_group,
                                            location="Brandholmsvägen 4")

    reporter_page = login(world.reporter).get("/observations/mine").get_data(as_text=True)
    assert "Tallvägen 3" in reporter_page and "Tallvägen 99" not in reporter_page

    inbox = login(world.coordinator).get("/coordinator/observations").get_data(as_text=True)
    assert "Tallvägen 3" in inbox and "Tallvägen 99" in inbox and "Brandholmsvägen" not in inbox

    police = login(world.police)
    assert "Tallvägen" not in police.get("/police/observations").get_data(as_text=True)
    services.change_status(mine, ObservationStatus.FORWARDED, None, world.coordinator)
    services.change_status(nykoping_observation, ObservationStatus.FORWARDED, None, world.other_coordinator)
    db.session.commit()
    police_page = police.get("/police/observations").get_data(as_text=True)
    assert "Tallvägen 3" in police_page and "Tallvägen 99" not in police_page and "Brandholmsvägen" not in police_page

    for role_page, outsider in (("/coordinator/observations", world.police), ("/police/observations", world.coordinator),
                                ("/coordinator/observations", world.reporter)):
        assert login(outsider).get(role_page).status_code == 403


# ---- triage -----------------------------------------------------------------------------------------

def test_coordinator_triages_inline_and_the_reporter_reads_the_note(world, login, db):
    observation = file_observation(db, world.reporter, world.group)
    coordinator = login(world.coordinator)
    url = f"/observations/{observation.id}/status"
    htmx = {"HX-Request": "true"}

    detail = coordinator.get(f"/observations/{observation.id}").get_data(as_text=True)
    assert f'hx-post="{url}"' in detail and "Vidarebefordra till polisen" in detail
    assert not re.search(r'<input[^>]*name="status"', detail), "the pressed button alone must carry the status"
    assert 'id="new-observations-badge" class="badge">1' in detail

    seen = coordinator.post(url, data={"status": "seen", "note": ""}, headers=htmx).get_data(as_text=True)
    assert seen.lstrip().startswith('<section class="triage card" id="triage"') and "<html" not in seen
    assert "Läst av samordnaren" in seen and 'hx-swap-oob="true"' in seen

    forwarded = coordinator.post(url, data={"status": "forwarded", "note": "Tack! Polisen har fått uppgifterna."},
                                 headers=htmx)
    assert forwarded.status_code == 200 and "Vidarebefordrad till polisen" in forwarded.get_data(as_text=True)
    db.session.refresh(observation)
    assert observation.status == ObservationStatus.FORWARDED
    assert observation.status_changed_by_id == world.coordinator.id and observation.status_changed_at
    assert observation.reporter_note == "Tack! Polisen har fått uppgifterna."

    mine = login(world.reporter).get("/observations/mine").get_data(as_text=True)
    assert "Tack! Polisen har fått uppgifterna." in mine and "Vidarebefordrad till polisen" in mine


def test_impossible_steps_and_bad_notes_are_refused_without_changing_anything(world, login, db):
    observation = file_observation(db, world.reporter, world.group)
    services.change_status(observation, ObservationStatus.CLOSED, "Avslutad.", world.coordinator)
    db.session.commit()
    coordinator = login(world.coordinator)
    url = f"/observations/{observation.id}/status"
    htmx = {"HX-Request": "true"}
    for data, message in (({"status": "forwarded"}, "Det steget går inte"),
                          ({"status": "lost"}, "Välj vad som ska hända med iakttagelsen."),
                          ({"status": "closed", "note": "x" * 501}, "Högst 500 tecken.")):
        response = coordinator.post(url, data=data, headers=htmx)
        assert response.status_code == 200 and message in response.get_data(as_text=True)
    db.session.refresh(observation)
    assert observation.status == ObservationStatus.CLOSED and observation.reporter_note == "Avslutad."

    # Without htmx: back to the page with the message.
    for data, message in (({"status": "seen"}, "Det steget går inte"), ({"status": "closed", "note": "x" * 501},
                                                                        "Högst 500 tecken.")):
        response = coordinator.post(url, data=data)
        assert response.status_code == 302
        assert message in coordinator.get(response.location).get_data(as_text=True)


def test_only_the_municipalitys_coordinator_can_triage(world, login, db):
    observation = file_observation(db, world.reporter, world.group)
    url = f"/observations/{observation.id}/status"
    assert login(world.other_coordinator).post(url, data={"status": "seen"}).status_code == 404
    for person in (world.reporter, world.police):
        assert login(person).post(url, data={"status": "seen"}).status_code == 403
        assert login(person).post(f"/observations/{observation.id}/notable", data={"notable": "1"}).status_code == 403
    db.session.refresh(observation)
    assert observation.status == ObservationStatus.NEW


def test_coordinator_marks_an_observation_notable_for_the_lagesbild(world, login, db):
    observation = file_observation(db, world.reporter, world.group)
    coordinator = login(world.coordinator)
    url = f"/observations/{observation.id}/notable"
    fragment = coordinator.post(url, data={"notable": "1"}, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith("<form") and "Ta bort markeringen" in fragment
    db.session.refresh(observation)
    assert observation.notable
    coordinator.post(url, data={"notable": "0"})
    db.session.refresh(observation)
    assert not observation.notable


# ---- the inbox --------------------------------------------------------------------------------------

def test_inbox_is_newest_first_and_filters_by_status_category_group_and_week(world, login, db, factory):
    boat_group = make_group(db, world.oxelosund, name="Jogersö båtklubb", members=[world.reporter])
    now = utcnow()
    old = file_observation(db, world.reporter, world.group, location="Gammal plats", observed_at=now - timedelta(days=21))
    old.created_at = now - timedelta(days=21)
    boat = file_observation(db, world.reporter, boat_group, category=ObservationCategory.BOAT_THEFT,
                            location="Brygga B", observed_at=now - timedelta(hours=2))
    fire = file_observation(db, world.reporter, world.group, category=ObservationCategory.FIRE_HAZARD,
                            location="Tallvägen 8", observed_at=now - timedelta(hours=1))
    services.change_status(fire, ObservationStatus.SEEN, None, world.coordinator)
    db.session.commit()
    client = login(world.coordinator)

    def listed(query=""):
        page = client.get("/coordinator/observations" + query).get_data(as_text=True)
        return [place for place in ("Tallvägen 8", "Brygga B", "Gammal plats") if place in page], page

    places, page = listed()
    assert places == ["Tallvägen 8", "Brygga B", "Gammal plats"]
    assert page.index("Tallvägen 8") < page.index("Brygga B") < page.index("Gammal plats")
    assert listed("?status=seen")[0] == ["Tallvägen 8"]
    assert listed("?category=boat_theft")[0] == ["Brygga B"]
    assert listed(f"?group={boat_group.id}")[0] == ["Brygga B"]
    assert listed(f"?week={old.observed_week}")[0] == ["Gammal plats"]
    places, page = listed("?week=vecka+tolv")
    assert places == ["Tallvägen 8", "Brygga B", "Gammal plats"] and "Ange en vecka som 2026-W05." in page
    assert 'value="vecka tolv"' in page
    assert listed("?status=nonsense&group=999999")[0] == ["Tallvägen 8", "Brygga B", "Gammal plats"]


def add_observations(db, group, reporter, count):
    now = utcnow()
    rows = []
    for n in range(count):
        moment = now - timedelta(hours=n)
        rows.append(dict(group_id=group.id, municipality_id=group.municipality_id, reporter_id=reporter.id,
                         category=list(ObservationCategory)[n % 7], observed_at=moment,
                         observed_week=services.iso_week(moment), location=f"Västra vägen {n}",
                         description="Iakttagelse", status=list(ObservationStatus)[n % 4], notable=False,
                         created_at=moment, status_changed_at=moment))
    db.session.execute(insert(Observation), rows)
    db.session.commit()


def test_inbox_with_10000_observations_is_paginated_and_runs_at_most_7_queries(world, login, db):
    add_observations(db, world.group, world.reporter, 10_000)
    client = login(world.coordinator)
    for query in ("", "?page=3", "?status=new&category=burglary", f"?group={world.group.id}&week=2026-W05"):
        with count_queries(db.engine) as queries:
            response = client.get("/coordinator/observations" + query)
        assert response.status_code == 200
        assert reads(queries) <= 7 and audit_inserts(queries) <= 1, queries
    page = client.get("/coordinator/observations").get_data(as_text=True)
    assert page.count('class="card observation-card"') == 25 and "10000 iakttagelser" in page
    assert "Sida 1 av 400" in page

    police = login(world.police)
    with count_queries(db.engine) as queries:
        assert police.get("/police/observations?page=2").status_code == 200
    assert reads(queries) <= 7 and audit_inserts(queries) <= 1, queries


def test_a_deep_page_of_the_inbox_shows_the_rows_counted_from_the_newest_with_their_groups(world, login, db):
    add_observations(db, world.group, world.reporter, 300)  # the n:th is n hours old
    page = login(world.coordinator).get("/coordinator/observations?page=7").get_data(as_text=True)
    cards = page.split('class="card observation-card"')[1:]
    assert [re.search(r"Västra vägen (\d+)", card)[1] for card in cards] == [str(n) for n in range(150, 175)]
    assert all(world.group.name in card for card in cards)


def audit_inserts(queries) -> int:
    """Pages that show observations write their audit events in one statement, on top of their reads."""
    return sum(s.startswith("INSERT INTO audit_event") for s in queries.statements)


def reads(queries) -> int:
    return queries.count - audit_inserts(queries)


def test_the_inbox_and_the_police_list_audit_each_observation_they_show(world, login, db, factory):
    mine = file_observation(db, world.reporter, world.group, location="Tallvägen 7")
    forwarded = file_observation(db, world.reporter, world.group)
    forwarded.status = ObservationStatus.FORWARDED
    elsewhere = file_observation(db, factory.user(Role.RESIDENT, world.nykoping),
                                 make_group(db, world.nykoping, name="Brandholmen"))
    db.session.commit()
    login(world.reporter).get("/observations/mine")  # the reporter's own list is not audited
    coordinator = login(world.coordinator)
    with count_queries(db.engine) as queries:
        page = coordinator.get("/coordinator/observations").get_data(as_text=True)
    assert "Tallvägen 7" in page and audit_inserts(queries) == 1
    coordinator.get("/coordinator/observations?page=1")  # the same day: once is enough
    police = login(world.police)
    assert "Västra vägen 12" in police.get("/police/observations").get_data(as_text=True)
    login(world.other_coordinator).get("/coordinator/observations")

    listed = db.session.execute(select(AuditEvent.actor_id, AuditEvent.subject_id, AuditEvent.details)
                                .where(AuditEvent.action == "observation.listed")).all()
    assert sorted(listed) == sorted([
        (world.coordinator.id, mine.id, {"page": "inbox"}), (world.coordinator.id, forwarded.id, {"page": "inbox"}),
        (world.police.id, forwarded.id, {"page": "police"}),
        (world.other_coordinator.id, elsewhere.id, {"page": "inbox"}),
    ])


def test_nav_shows_coordinators_a_count_of_new_observations(world, login, db):
    file_observation(db, world.reporter, world.group)
    file_observation(db, world.reporter, world.group)
    page = login(world.coordinator).get("/").get_data(as_text=True)
    assert 'class="badge">2<span class="visually-hidden"> nya</span>' in page
    assert 'class="badge"' not in login(world.other_coordinator).get("/").get_data(as_text=True)


# ---- emails -----------------------------------------------------------------------------------------

def test_coordinators_get_an_email_in_their_language_without_the_details(world, login, db, factory):
    english = factory.user(Role.COORDINATOR, world.oxelosund, name="Anna Svensson", locale="en")
    quiet = factory.user(Role.COORDINATOR, world.oxelosund)
    login(quiet).post("/coordinator/observations/email", data={"notices": "off"})  # on by default (issue 14)

    login(world.reporter).post("/observations/new", data=form_data(world.group))
    messages = {m.recipient: m for m in db.session.scalars(select(OutboxMessage))}
    assert set(messages) == {english.email, world.coordinator.email}
    assert quiet.email not in messages and world.other_coordinator.email not in messages
    assert messages[english.email].subject == "New observation: Suspicious vehicle"
    assert messages[world.coordinator.email].subject == "Ny iakttagelse: Misstänkt fordon"
    observation = db.session.scalar(select(Observation))
    assert f"/observations/{observation.id}" in messages[english.email].body
    assert "skåpbil" not in messages[english.email].body and "ABC" not in messages[english.email].body


def test_coordinator_chooses_each_one_a_daily_summary_or_nothing_inline(world, login, db):
    client = login(world.coordinator)
    page = client.get("/coordinator/observations").get_data(as_text=True)
    assert "Nya iakttagelser och sms: Ett meddelande för varje" in page  # on by default (issue 14)
    assert re.search(r'<input checked[^>]*value="each"', page)

    fragment = client.post("/coordinator/observations/email", data={"notices": "daily"},
                           headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<details class="notice-choice" id="email-preference" open>')
    assert "Sparat." in fragment and re.search(r'<input checked[^>]*value="daily"', fragment)
    assert "Nya iakttagelser och sms: En sammanfattning varje morgon" in fragment
    db.session.refresh(world.coordinator)
    assert world.coordinator.coordinator_notices == NoticeChoice.DAILY

    fragment = client.post("/coordinator/observations/email", data={"notices": "every hour"},
                           headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "Välj hur du vill få veta det." in fragment.get_data(as_text=True)
    assert "Sparat." not in fragment.get_data(as_text=True)
    db.session.refresh(world.coordinator)
    assert world.coordinator.coordinator_notices == NoticeChoice.DAILY  # a bad value changes nothing

    response = client.post("/coordinator/observations/email", data={"notices": "off"})  # without JavaScript
    assert response.status_code == 302 and response.location.endswith("/coordinator/observations")
    assert "Sparat: Inga meddelanden." in client.get("/coordinator/observations").get_data(as_text=True)
    db.session.refresh(world.coordinator)
    assert world.coordinator.coordinator_notices == NoticeChoice.OFF


# ---- retention --------------------------------------------------------------------------------------

def test_old_observations_are_anonymised_keeping_only_what_statistics_need(world, login, db, app):
    from watch.observations.jobs import anonymise_old_observations

    login(world.reporter).post("/observations/new", data=form_data(
        world.group, latitude="58.66", longitude="17.10", photo=(io.BytesIO(photo_with_gps((300, 200))), "a.jpg")),
        content_type="multipart/form-data")
    old = db.session.scalar(select(Observation))
    services.change_status(old, ObservationStatus.FORWARDED, "Polisen vet.", world.coordinator)
    old.created_at = utcnow() - timedelta(days=366)
    old.police_notified_at = old.status_changed_at = utcnow() - timedelta(days=365, hours=3)
    old.notable = True
    week, photo = old.observed_week, old.photo_path
    recent = file_observation(db, world.reporter, world.group)
    db.session.commit()

    anonymise_old_observations()

    db.session.expire_all()
    old = db.session.get(Observation, old.id)
    assert old.anonymised_at is not None
    assert (old.description, old.location, old.latitude, old.longitude) == ("", "", None, None)
    assert (old.vehicle_registration, old.vehicle_colour, old.vehicle_make) == (None, None, None)
    assert old.reporter_id is None and old.photo_path is None and old.reporter_note is None
    assert not os.path.exists(photo_file(photo))
    assert (old.category, old.observed_week, old.group_id, old.postcode) == (
        ObservationCategory.SUSPICIOUS_VEHICLE, week, world.group.id, "61331")
    assert old.status == ObservationStatus.FORWARDED and old.notable
    assert services.iso_week(old.observed_at) == week and old.observed_at == services.week_start(week)
    # Every time it keeps is its week's Monday, 00:00 Swedish time: the filing, the forward, the
    # police's notice and the anonymising itself (which would give away the filing day).
    for kept in (old.created_at, old.status_changed_at, old.police_notified_at, old.anonymised_at):
        assert kept == services.week_start(services.iso_week(kept)), kept
        assert kept.astimezone(local_zone()).weekday() == 0 and kept.astimezone(local_zone()).hour == 0
    assert old.created_at == services.week_start(services.iso_week(utcnow() - timedelta(days=366)))
    recent = db.session.get(Observation, recent.id)
    assert recent.anonymised_at is None and recent.description and recent.reporter_id == world.reporter.id

    assert login(world.reporter).get("/observations/mine").get_data(as_text=True).count('observation-card"') == 1
    assert login(world.reporter).get(f"/observations/{old.id}").status_code == 404
    detail = login(world.coordinator).get(f"/observations/{old.id}").get_data(as_text=True)
    assert "har anonymiserats" in detail
    assert f"vecka {int(week[6:])}, {week[:4]}" in detail and "00:00" not in detail


def test_retention_period_is_configurable(world, db, app, monkeypatch):
    from watch.observations.jobs import anonymise_old_observations

    observation = file_observation(db, world.reporter, world.group)
    observation.created_at = utcnow() - timedelta(days=40)
    db.session.commit()
    anonymise_old_observations()
    db.session.refresh(observation)
    assert observation.anonymised_at is None
    monkeypatch.setitem(app.config, "OBSERVATION_RETENTION_DAYS", 30)
    anonymise_old_observations()
    db.session.refresh(observation)
    assert observation.anonymised_at is not None


# ---- demo data --------------------------------------------------------------------------------------

def test_demo_seed_gives_a_year_of_triaged_observations_once(app, db):
    from watch.demo import seed_demo

    lines = list(seed_demo())
    assert any("observations" in line for line in lines)
    observations = list(db.session.scalars(select(Observation)))
    assert 200 <= len(observations) <= 600
    assert len({o.observed_week for o in observations}) >= 48
    assert {o.municipality.name for o in observations} == {"Oxelösund"}
    assert {o.group.status for o in observations if o.group} == {GroupStatus.APPROVED}
    # The groups' members report every resident category; the housing company every public-place one.
    assert set(ObservationCategory) - {o.category for o in observations} == set()
    partner_reports = [o for o in observations if o.group is None]
    assert partner_reports and {o.partner_organisation.name for o in partner_reports} == {"Oxelösundshem"}
    assert {o.category for o in partner_reports} <= set(PUBLIC_PLACE_CATEGORIES)
    forwarded = [o for o in observations if o.status == ObservationStatus.FORWARDED]
    assert forwarded and all(o.reporter_note for o in forwarded)
    assert any(o.notable for o in observations) and any(o.status == ObservationStatus.NEW for o in observations)
    assert all(o.created_at > utcnow() - timedelta(days=365) and o.observed_at <= o.created_at for o in observations)
    assert not any("observations" in line for line in seed_demo())
    assert db.session.scalar(select(func.count()).select_from(Observation)) == len(observations)


# ---- Mina uppgifter: export and account deletion ----------------------------------------------------

def test_my_data_export_has_my_observations_in_my_own_words_and_nothing_of_others(world, login, db):
    mine = file_observation(db, world.reporter, world.group, description="Okänd man bar ut en cykel.",
                            vehicle_registration="abc 12d")
    file_observation(db, world.neighbour, world.group, description="Tom såg en moped.")
    services.change_status(mine, ObservationStatus.FORWARDED, "Karin här: polisen har fått den.", world.coordinator)
    db.session.commit()
    data = login(world.reporter).get("/my-data/export.json").get_json()
    (exported,) = data["observations"]
    assert exported["description"] == "Okänd man bar ut en cykel." and exported["group"] == "Västra vägen"
    assert (exported["category"], exported["status"], exported["vehicle_registration"], exported["photo"]) == (
        "suspicious_vehicle", "forwarded", "ABC12D", False)
    assert exported["observed_at"] == mine.observed_at.isoformat()
    text = str(data)
    assert "moped" not in text and "Karin" not in text and "polisen har fått" not in text


def test_deleting_my_account_anonymises_my_observations_and_removes_the_photo_once_committed(world, login, db):
    client = login(world.reporter)
    mine = file_with_photo(db, client, world.group)
    photo, week = mine.photo_path, mine.observed_week
    theirs = file_observation(db, world.neighbour, world.group)

    assert client.post("/my-data/delete", data={"password": PASSWORD, "confirm": "y"}).location == "/"
    db.session.expire_all()
    mine = db.session.get(Observation, mine.id)
    assert mine.anonymised_at is not None and mine.reporter_id is None
    assert (mine.description, mine.location, mine.vehicle_registration, mine.photo_path) == ("", "", None, None)
    assert (mine.category, mine.observed_week, mine.group_id) == (ObservationCategory.SUSPICIOUS_VEHICLE, week,
                                                                  world.group.id)
    assert not os.path.exists(photo_file(photo))
    assert db.session.get(Observation, theirs.id).anonymised_at is None
    assert "har anonymiserats" in login(world.coordinator).get(f"/observations/{mine.id}").get_data(as_text=True)


def test_photos_of_anonymised_observations_stay_until_the_change_is_committed(world, db):
    from watch.core.photo_store import delete_after_commit, stored_photo
    from watch.observations.photos import clean_photo

    with stored_photo(clean_photo(io.BytesIO(photo_with_gps((300, 200))))) as name:
        pass
    db.session.commit()  # the photo was saved by an earlier request
    delete_after_commit([name, None])
    db.session.rollback()  # the anonymising failed: the row still points at the file
    db.session.commit()
    assert os.path.exists(photo_file(name))
    delete_after_commit([name])
    db.session.commit()
    assert not os.path.exists(photo_file(name))

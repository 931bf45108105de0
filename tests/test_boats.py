"""Båtsamverkan: seasons across the new year, the register of marked boats and engines, the police's search."""
import io
import os
import re
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from tests.conftest import PASSWORD
from tests.group_helpers import boat_form, make_group
from tests.observation_support import file_observation, has_gps, photo_with_gps
from watch.audit import actions
from watch.core.serials import closeness, normalise
from watch.core.weeks import IsoWeek, Period
from watch.lagesbild import services as lagesbild
from watch.models import (
    AuditEvent, Group, GroupKind, MarkedItem, MarkedItemGram, Observation, ObservationCategory, OutboxMessage, Role,
    utcnow,
)
from watch.core.photo_store import photo_file

ENGINE = {"kind": "outboard", "group": "", "make": "Yamaha", "model": "F40", "serial": "YF40BETO123",
          "mark_scheme": "dna", "mark": "SW-4411-KX", "colour": "Grå", "boat_name": "Sjöstjärnan",
          "registration": "S-12345", "kept_at": "winter_storage", "place": "Jogersö varv, hall 2"}


class World:
    def __init__(self, db, factory, login):
        self.db, self.login = db, login
        self.own = factory.municipality("Oxelösund", "0481")
        self.other = factory.municipality("Nyköping", "0480")
        self.contact = factory.user(Role.RESIDENT, self.own, name="Karin Holm", phone="+46701234567")
        self.owner = factory.user(Role.RESIDENT, self.own, name="Erik Lindqvist", phone="+46702345678")
        self.neighbour = factory.user(Role.RESIDENT, self.own, name="Sara Ek", phone="+46703456789")
        self.stranger = factory.user(Role.RESIDENT, self.own)
        self.club = make_group(self.contact, kind=GroupKind.BOAT, members=[self.owner, self.neighbour])
        self.police = factory.user(Role.POLICE, self.own)
        self.police_other = factory.user(Role.POLICE, self.other)
        self.police_covering = factory.user(Role.POLICE, self.other, covers=[self.own])
        self.coordinator = factory.user(Role.COORDINATOR, self.own)

    def register(self, person, **fields):
        form = {**ENGINE, "group": str(self.club.id), **fields}
        return self.login(person).post("/boats/new", data=form)

    def item(self, serial="YF40BETO123") -> MarkedItem:
        return self.db.session.scalar(select(MarkedItem).where(MarkedItem.serial == serial))

    def search(self, officer, query, reason="Ärende 5000-K123456-26, motor hittad vid Femöre"):
        client = self.login(officer)
        return client, client.post("/police/register", data={"query": query, "reason": reason})


@pytest.fixture
def world(db, factory, login):
    return World(db, factory, login)


# ---- 1. seasons across the new year -----------------------------------------------------------------

@pytest.mark.parametrize(("week", "in_season"), [(50, True), (3, True), (17, True), (42, True), (30, False),
                                                  (41, False), (18, False)])
def test_a_winter_season_from_week_42_to_week_17_holds_in_both_halves(week, in_season):
    assert Group(kind=GroupKind.BOAT, watch_week_from=42, watch_week_to=17).keeps_watch_in(week) is in_season


@pytest.mark.parametrize(("week", "in_season"), [(50, False), (3, False), (30, True)])
def test_a_summer_season_still_reads_as_before(week, in_season):
    assert Group(kind=GroupKind.BOAT, watch_week_from=18, watch_week_to=41).keeps_watch_in(week) is in_season


def _in_week(monkeypatch, week: int, year: int = 2026):
    """Today is the Wednesday of `week` for the pages that say whether the season is on."""
    monkeypatch.setattr("watch.groups.routes.today", lambda: IsoWeek(year, week).monday + timedelta(days=2))


@pytest.mark.parametrize(("week", "state"), [(50, "på säsong nu"), (3, "på säsong nu"), (30, "inte på säsong nu")])
def test_a_club_registers_its_winter_storage_watch_and_the_pages_read_it(world, db, monkeypatch, week, state):
    client = world.login(world.stranger)
    response = client.post("/groups/register/boat", data=boat_form(watch_week_from="42", watch_week_to="17"))
    assert response.status_code == 302
    group = db.session.scalar(select(Group).where(Group.name == "Femöre fritidsbåtshamn"))
    assert (group.watch_week_from, group.watch_week_to) == (42, 17)
    _in_week(monkeypatch, week)
    page = client.get(f"/groups/{group.id}").get_data(as_text=True)
    assert "Vecka 42–17 (över årsskiftet)" in page and f"{state}, vecka {week}" in page
    group.status = "approved"
    db.session.commit()
    for url in (f"/m/oxelosund/groups", f"/m/oxelosund/groups/{group.id}"):
        page = world.login(world.neighbour).get(url).get_data(as_text=True)
        assert "42–17 (över årsskiftet)" in page and f"{state}, vecka {week}" in page, url


def test_the_lagesbild_tells_which_boat_clubs_keep_watch_in_the_period(world, db):
    world.club.watch_week_from, world.club.watch_week_to = 42, 17
    db.session.commit()

    def night_watch(first, last=None):
        period = Period(IsoWeek.parse(first), IsoWeek.parse(last or first))
        rows = lagesbild.counts(world.own.id, period)["groups"]
        return next(row["night_watch"] for row in rows if row["name"] == world.club.name)

    assert night_watch("2026-W50") is True
    assert night_watch("2027-W03") is True
    assert night_watch("2026-W30") is False
    assert night_watch("2026-W39", "2026-W43") is True  # the season starts inside the period
    page = world.login(world.coordinator).get("/lagesbild/oxelosund/2026/50").get_data(as_text=True)
    assert "nattvakt på säsong" in page


# ---- 2. the register --------------------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "key"), [
    ("yf-40 beto 123", "YF408ET0123"), ("YF40BETO123", "YF408ET0123"), (" yf40 b e t o 1 2 3 ", "YF408ET0123"),
    ("6AH-1012345", "6AH1012345"), ("6ah l0l2345", "6AH1012345"), ("ÖRN–001/IS", "0RN00115"), ("---", ""),
])
def test_serials_are_normalised_for_matching(typed, key):
    assert normalise(typed) == key


def test_near_matches_allow_a_misread_character_or_a_partial_serial():
    key = normalise("YF40BETO123")
    assert closeness(key, key) == 0
    assert closeness(normalise("YF40BETO128"), key) == 1
    assert closeness(normalise("BETO123"), key) is not None  # only part of the plate was readable
    assert closeness(normalise("MX99ZZZ777"), key) is None


def test_a_member_registers_an_engine_with_a_photo_without_its_position(world, db):
    response = world.register(world.owner, photo=(io.BytesIO(photo_with_gps((1200, 900))), "motor.jpg"))
    assert response.status_code == 302 and response.location == "/boats/"
    item = world.item()
    assert (item.owner_id, item.group_id, item.municipality_id) == (world.owner.id, world.club.id, world.own.id)
    assert (item.serial_key, item.mark_key) == ("YF408ET0123", "5W4411KX")
    assert db.session.scalar(select(func.count()).select_from(MarkedItemGram).where(
        MarkedItemGram.item_id == item.id)) > 10
    with open(photo_file(item.photo_path), "rb") as stored:
        data = stored.read()
    assert not has_gps(data) and Image.open(io.BytesIO(data)).format == "JPEG"
    page = world.login(world.owner).get("/boats/").get_data(as_text=True)
    assert "YF40BETO123" in page and "Jogersö varv, hall 2" in page
    assert world.login(world.owner).get(f"/boats/{item.id}/photo").status_code == 200


def test_any_resident_may_register_without_a_boat_group(world):
    assert world.register(world.stranger, group="", serial="MRC-2B-778899").status_code == 302
    item = world.item("MRC-2B-778899")
    assert item.group_id is None and item.municipality_id == world.own.id


@pytest.mark.parametrize(("fields", "message"), [
    ({"serial": "", "mark": ""}, "Skriv serienumret eller ett märknings-id"),
    ({"serial": "x" * 65}, "Högst 64 tecken."),
    ({"serial": "— / —"}, "Ett serienummer behöver minst en bokstav eller siffra."),
    ({"mark_scheme": "none"}, "Välj hur den är märkt"),
    ({"kind": "helicopter"}, "Välj vad det är."),
    ({"group": "999999"}, "Välj en av dina båtgrupper."),
    ({"photo": (io.BytesIO(b"<?php echo 1; ?>"), "motor.jpg")}, "Filen är inte ett foto vi kan läsa"),
])
def test_bad_input_gets_a_swedish_message_and_keeps_what_was_typed(world, db, fields, message):
    response = world.register(world.neighbour, **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page and 'value="Jogersö varv, hall 2"' in page
    assert db.session.scalar(select(func.count()).select_from(MarkedItem)) == 0


def test_serials_of_any_shape_up_to_64_characters_are_kept_as_typed(world):
    odd = "ＹＦ４０ ß-ﬀ/Å\u200b" + "9" * 50
    assert world.register(world.owner, serial=odd).status_code == 302
    item = world.item(odd)
    assert item is not None and item.serial_key.startswith("YF40") and len(item.serial_key) <= 64


def test_the_same_serial_twice_gives_a_clear_message_and_the_police_see_both_owners(world, db):
    assert world.register(world.neighbour).status_code == 302
    again = world.register(world.neighbour, serial="yf-40-beto-123")
    assert again.status_code == 200 and "Du har redan registrerat det här serienumret" in again.get_data(as_text=True)
    client = world.login(world.owner)
    response = client.post("/boats/new", data={**ENGINE, "group": str(world.club.id), "serial": "YF40 BETO 123"},
                           follow_redirects=True)
    assert "En annan ägare har registrerat samma serienummer" in response.get_data(as_text=True)
    _, response = world.search(world.police, "YF40BETO123")
    page = response.get_data(as_text=True)
    assert "Erik Lindqvist" in page and "Sara Ek" in page and "2 träffar" in page


def test_contact_persons_see_make_model_and_place_but_never_serials(world):
    world.register(world.owner)
    item = world.item()
    page = world.login(world.contact).get(f"/groups/{world.club.id}/boats").get_data(as_text=True)
    assert "Yamaha F40" in page and "Jogersö varv, hall 2" in page
    assert "YF40BETO123" not in page and "SW-4411-KX" not in page and "Sjöstjärnan" not in page
    assert world.login(world.contact).get(f"/boats/{item.id}/photo").status_code == 404
    # A member who is not a contact person, and another resident, see neither the list nor the entry.
    assert world.login(world.neighbour).get(f"/groups/{world.club.id}/boats").status_code == 404
    for person in (world.neighbour, world.contact, world.stranger):
        assert world.login(person).get(f"/boats/{item.id}/edit").status_code == 404
        assert "YF40BETO123" not in world.login(person).get("/boats/").get_data(as_text=True)


# ---- 3. police trace a found engine -----------------------------------------------------------------

def test_police_find_an_engine_from_a_variant_of_its_serial_and_the_search_is_audited(world, db):
    world.register(world.owner)
    world.register(world.neighbour, serial="YF40BETO128", mark="", mark_scheme="none")  # one character off
    world.register(world.contact, serial="MX99ZZZ777", mark="", mark_scheme="none")
    _, response = world.search(world.police, "yf-40 beto 123")
    page = response.get_data(as_text=True)
    assert "Erik Lindqvist" in page and "070-234 56 78" in page and "Jogersö båtklubb" in page
    assert page.index("Erik Lindqvist") < page.index("Sara Ek")  # exact first, then the near match
    assert "Exakt träff" in page and "Nära träff" in page and "MX99ZZZ777" not in page
    search = db.session.scalar(select(AuditEvent).where(AuditEvent.action == actions.REGISTER_SEARCHED))
    assert search.actor_id == world.police.id
    assert search.details == {"query": "YF408ET0123", "reason": "Ärende 5000-K123456-26, motor hittad vid Femöre",
                              "hits": 2}
    shown = db.session.scalars(select(AuditEvent).where(AuditEvent.action == actions.ITEM_SHOWN)).all()
    assert {e.subject_id for e in shown} == {world.item().id, world.item("YF40BETO128").id}
    assert all(e.details["reason"].startswith("Ärende 5000") and e.actor_id == world.police.id for e in shown)
    log = world.login(world.coordinator).get("/audit").get_data(as_text=True)
    assert "Båtregistret sökt av polisen" in log and "Ärende 5000-K123456-26" in log


def test_a_mark_finds_the_item_too(world):
    world.register(world.owner)
    _, response = world.search(world.police, "sw 4411 kx")
    assert "Erik Lindqvist" in response.get_data(as_text=True)


def test_police_of_a_municipality_not_covered_find_nothing_and_covering_police_do(world):
    world.register(world.owner)
    _, response = world.search(world.police_other, "YF40BETO123")
    page = response.get_data(as_text=True)
    assert "0 träffar" in page and "Erik Lindqvist" not in page
    item = world.item()
    assert world.login(world.police_other).get(f"/boats/{item.id}/photo").status_code == 404
    assert world.login(world.police_other).get(f"/police/register/{item.id}/notify").status_code == 404
    _, response = world.search(world.police_covering, "YF40BETO123")
    assert "Erik Lindqvist" in response.get_data(as_text=True)


@pytest.mark.parametrize(("query", "reason", "message"), [
    ("YF40BETO123", "", "Skriv varför du söker"),
    ("YF40BETO123", "x", "Mellan 3 och 200 tecken."),
    ("y-f", "Ärende 5000-K1", "Skriv minst 3 bokstäver eller siffror"),
    ("", "Ärende 5000-K1", "Skriv ett serienummer eller en märkning."),
])
def test_a_search_needs_a_reason_and_enough_of_a_serial(world, db, query, reason, message):
    world.register(world.owner)
    _, response = world.search(world.police, query, reason)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page and "Erik Lindqvist" not in page
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action.in_((actions.REGISTER_SEARCHED, actions.ITEM_SHOWN)))) == 0


def test_the_officer_tells_the_owner_in_their_language_by_their_channel(world, db):
    world.register(world.owner)
    item = world.item()
    world.owner.locale = "en"
    db.session.commit()
    client = world.login(world.police)
    form = client.get(f"/police/register/{item.id}/notify").get_data(as_text=True)
    assert "Erik Lindqvist" in form
    response = client.post(f"/police/register/{item.id}/notify",
                           data={"call": "010-123 45 67", "reason": "Ärende 5000-K123456-26"})
    assert response.status_code == 302
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == world.owner.email))
    assert "Your outboard engine may have been found" in message.subject  # the owner reads English
    assert "010-123 45 67" in message.body and "Yamaha F40" in message.body
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == actions.OWNER_NOTIFIED))
    assert (event.subject_id, event.actor_id) == (item.id, world.police.id)
    refused = client.post(f"/police/register/{item.id}/notify", data={"call": "ring mig", "reason": "Ärende 1"})
    assert refused.status_code == 200 and "Bara siffror" in refused.get_data(as_text=True)


# ---- 4. stolen items and observations about boats --------------------------------------------------

def test_an_item_reported_stolen_shows_to_the_police_with_observations_of_its_serial(world, db):
    world.register(world.owner)
    item = world.item()
    client = world.login(world.owner)
    stolen_on = date.today() - timedelta(days=3)
    assert client.post(f"/boats/{item.id}/stolen", data={"stolen_on": stolen_on.isoformat()}).status_code == 302
    db.session.refresh(item)
    assert item.stolen_on == stolen_on
    sighting = file_observation(db, world.neighbour, world.club, category=ObservationCategory.STORAGE_THEFT,
                                engine_make="Yamaha", engine_serial="yf40-beto-123",
                                observed_at=utcnow() - timedelta(hours=2))
    file_observation(db, world.neighbour, world.club, engine_serial="ZZ-000-111")
    page = world.login(world.police).get("/police/register/stolen").get_data(as_text=True)
    assert "Erik Lindqvist" in page and "YF40BETO123" in page and "Anmäld stulen" in page
    assert f"/observations/{sighting.id}" in page and "Stöld från båt i vinterförvaring" in page
    assert "Erik Lindqvist" not in world.login(world.police_other).get("/police/register/stolen").get_data(as_text=True)
    _, response = world.search(world.police, "YF40BETO123")
    assert "Anmäld stulen" in response.get_data(as_text=True)
    assert client.post(f"/boats/{item.id}/recovered").status_code == 302
    db.session.refresh(item)
    assert item.stolen_on is None


def test_a_theft_cannot_be_reported_for_a_day_in_the_future(world, db):
    world.register(world.owner)
    item = world.item()
    response = world.login(world.owner).post(f"/boats/{item.id}/stolen", follow_redirects=True,
                                             data={"stolen_on": (date.today() + timedelta(days=2)).isoformat()})
    assert "Dagen ligger i framtiden." in response.get_data(as_text=True)
    db.session.refresh(item)
    assert item.stolen_on is None


def test_the_observation_form_asks_boat_members_about_the_boat_and_stores_it(world, db):
    client = world.login(world.owner)
    form = client.get("/observations/new").get_data(as_text=True)
    assert re.search(r"<details class=\"vehicle\" data-boat-details[^>]* open>", form)
    assert "Drivmedelsstöld" in form and "Stöld från båt i vinterförvaring" in form
    local = (utcnow() - timedelta(minutes=30)).astimezone().strftime("%Y-%m-%dT%H:%M")
    response = client.post("/observations/new", data={
        "group": str(world.club.id), "category": "fuel_theft", "observed_at": local, "location": "Bryggan vid Jogersö",
        "boat_name": "Sjöstjärnan", "boat_registration": "S-12345", "engine_make": "Yamaha F40",
        "engine_serial": "yf40 beto 123", "description": "Dieseln tömd ur tanken i natt."})
    assert response.status_code == 302
    observation = db.session.scalar(select(Observation))
    assert (observation.category, observation.boat_name, observation.engine_serial_key) == \
        ("fuel_theft", "Sjöstjärnan", "YF408ET0123")


def test_a_neighbourhood_member_gets_the_boat_questions_closed(db, factory, login):
    person = factory.user()
    make_group(person)
    form = login(person).get("/observations/new").get_data(as_text=True)
    assert re.search(r"<details class=\"vehicle\" data-boat-details[^>]*>", form)
    assert not re.search(r"<details class=\"vehicle\" data-boat-details[^>]* open>", form)


# ---- Mina uppgifter ---------------------------------------------------------------------------------

def test_the_owner_exports_and_deleting_the_account_removes_the_entries_and_photos(world, db):
    world.register(world.owner, photo=(io.BytesIO(photo_with_gps((400, 300))), "motor.jpg"))
    item = world.item()
    path = photo_file(item.photo_path)
    client = world.login(world.owner)
    exported = client.get("/my-data/export.json")
    assert "YF40BETO123" in exported.get_data(as_text=True)
    response = client.post("/my-data/delete", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(MarkedItem)) == 0
    assert db.session.scalar(select(func.count()).select_from(MarkedItemGram)) == 0
    assert not os.path.exists(path)



# ---- demo -------------------------------------------------------------------------------------------

def test_the_demo_has_the_clubs_engines_one_stolen_and_a_winter_storage_watch_once(app, db):
    from watch.demo import seed_demo

    list(seed_demo())
    items = db.session.scalars(select(MarkedItem).order_by(MarkedItem.id)).all()
    assert len(items) == 4 and {item.group.name for item in items} == {"Jogersö båtklubb"}
    assert [item.serial for item in items if item.stolen_on] == ["YF40BETO123"]
    marina = db.session.scalar(select(Group).where(Group.name == "Femöre fritidsbåtshamn"))
    assert (marina.watch_week_from, marina.watch_week_to) == (42, 17)
    assert not any("registered" in line for line in seed_demo())
    assert db.session.scalar(select(func.count()).select_from(MarkedItem)) == 4


def test_a_search_is_two_queries_however_many_items_match(world, db):
    from tests.querycount import count_queries
    from watch.boats.services import find

    municipality_id = world.own.id
    for n in range(12):
        world.register(world.owner, serial=f"YF40BETO{n:03d}", mark="", mark_scheme="none")
    with count_queries(db.engine) as few:
        find({municipality_id}, normalise("YF40BETO001"))
    for n in range(12, 60):
        world.register(world.owner, serial=f"YF40BETO{n:03d}", mark="", mark_scheme="none")
    with count_queries(db.engine) as many:
        hits = find({municipality_id}, normalise("YF40BETO001"))
    assert many.count == few.count == 2
    assert hits[0].item.serial == "YF40BETO001" and hits[0].exact and len(hits) == 10


def test_changing_an_entry_keeps_its_search_index_in_step(world, db):
    world.register(world.owner)
    item = world.item()
    client = world.login(world.owner)
    response = client.post(f"/boats/{item.id}/edit", data={**ENGINE, "group": "", "serial": "6AH-K-1012345",
                                                            "mark": "", "mark_scheme": "none"})
    assert response.status_code == 302
    db.session.expire_all()
    item = db.session.get(MarkedItem, item.id)
    pieces = db.session.scalars(select(MarkedItemGram).where(MarkedItemGram.item_id == item.id)).all()
    assert {p.gram for p in pieces} == {"#6A", "6AH", "AHK", "HK1", "K10", "101", "012", "123", "234", "345", "45#"}
    assert {p.municipality_id for p in pieces} == {world.own.id} and item.group_id is None
    _, response = world.search(world.police, "6AH K 1012345")
    assert "Erik Lindqvist" in response.get_data(as_text=True)
    _, response = world.search(world.police, "YF40BETO123")
    assert "Erik Lindqvist" not in response.get_data(as_text=True)

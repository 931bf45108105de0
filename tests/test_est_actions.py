"""EST actions on the lägesbild: recorded on a week, carried over while open, with the counts around them,
in the printed page and its CSV."""
import csv
import io
from types import SimpleNamespace
from unittest import mock

import pytest
from sqlalchemy import select

from tests.lagesbild_support import observe
from tests.observation_support import make_group
from tests.querycount import count_queries
from watch.core.weeks import IsoWeek
from watch.lagesbild import services
from watch.models import ActionStatus, EstAction, ObservationCategory as C, Role


@pytest.fixture
def world(db, factory, login):
    oxelosund = factory.municipality("Oxelösund", "0481")
    nykoping = factory.municipality("Nyköping", "0480")
    member = factory.user(Role.RESIDENT, oxelosund)
    return SimpleNamespace(
        oxelosund=oxelosund, member=member,
        ramdalen=make_group(db, oxelosund, name="Ramdalen", postcodes=("61337",), members=[member]),
        villas=make_group(db, oxelosund, name="Västra vägen", postcodes=("61331",), members=[member]),
        coordinator=login(factory.user(Role.COORDINATOR, oxelosund)),
        police=login(factory.user(Role.POLICE, oxelosund)),
        other_coordinator=login(factory.user(Role.COORDINATOR, nykoping)),
    )


ACTION = {"week": "2026-W10", "what": "Klipp buskarna och laga belysningen på gångvägen",
          "area": "Ramdalen, gångvägen mot centrum", "postcode": "613 37", "organisation": "Oxelösundshem",
          "responsible": "Nadia Karlsson", "due_on": "2026-03-31", "categories": ["unsafe_place", "graffiti"]}


def on_week(client, week: str) -> str:
    year, number = week.split("-W")
    return client.get(f"/lagesbild/oxelosund/{year}/{int(number)}").get_data(as_text=True)


def test_an_action_carries_over_until_done_with_the_counts_before_and_since(world, db):
    w = world
    # Before: four weeks up to week 9 in its postcode and categories; other places and categories do not count.
    observe(db, w.member, w.ramdalen, "2026-W06", C.UNSAFE_PLACE, 2, location="Ramdalsvägen 12, 613 37")
    observe(db, w.member, w.ramdalen, "2026-W09", C.GRAFFITI, location="Ramdalsvägen 12, 613 37")
    observe(db, w.member, w.ramdalen, "2026-W05", C.GRAFFITI, location="Ramdalsvägen 12, 613 37")  # too early
    observe(db, w.member, w.ramdalen, "2026-W09", C.BURGLARY, location="Ramdalsvägen 12, 613 37")  # other category
    observe(db, w.member, w.villas, "2026-W09", C.GRAFFITI, location="Västra vägen 2, 613 31")  # other postcode
    # Since: week 10 onwards.
    observe(db, w.member, w.ramdalen, "2026-W10", C.GRAFFITI, location="Ramdalsvägen 12, 613 37")
    observe(db, w.member, w.ramdalen, "2026-W12", C.UNSAFE_PLACE, location="Ramdalsvägen 12, 613 37")

    response = w.coordinator.post("/lagesbild/oxelosund/actions", data=ACTION)
    assert response.location == "/lagesbild/oxelosund/2026/10#actions"
    action = db.session.scalar(select(EstAction))
    assert (action.decided_week, action.postcode, action.status, action.categories) == (
        "2026-W10", "61337", ActionStatus.PLANNED, ["graffiti", "unsafe_place"])

    week_11 = on_week(w.police, "2026-W11")  # carried over; the police read it
    assert "Klipp buskarna och laga belysningen på gångvägen" in week_11 and "Planerad" in week_11
    assert "3 under de fyra veckorna före, 1 sedan dess" in week_11
    assert "3 under de fyra veckorna före, 2 sedan dess" in on_week(w.coordinator, "2026-W12")
    assert ACTION["what"] not in on_week(w.coordinator, "2026-W09")  # not before it was decided

    with mock.patch.object(services, "this_week", return_value=IsoWeek.parse("2026-W13")):
        w.coordinator.post(f"/lagesbild/oxelosund/actions/{action.id}/status",
                           data={"status": "done", "week": "2026-W13"})
    db.session.refresh(action)
    assert (action.status, action.closed_week) == (ActionStatus.DONE, "2026-W13")
    assert "Klar" in on_week(w.coordinator, "2026-W13")
    assert ACTION["what"] not in on_week(w.coordinator, "2026-W14")  # done: no longer carried over
    assert ACTION["what"] in on_week(w.coordinator, "2026-W11")  # the past weeks still show it

    text = w.coordinator.get("/lagesbild/oxelosund/2026/11/counts.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert ["2026-W10", ACTION["what"], ACTION["area"], "613 37", "Oxelösundshem", "Nadia Karlsson", "2026-03-31",
            "Klar", "Klotter och skadegörelse, Otrygg plats eller dålig belysning", "3", "1"] in rows


def test_a_wrong_action_comes_back_with_its_errors_and_nothing_is_stored(world, db):
    response = world.coordinator.post("/lagesbild/oxelosund/actions",
                                      data={**ACTION, "what": "", "postcode": "ABCDE", "categories": ["nope"]})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Skriv vad som ska göras." in page
    assert "Välj bland kategorierna i listan." in page and "Ramdalen, gångvägen mot centrum" in page
    assert db.session.scalar(select(EstAction)) is None


def test_only_the_municipalitys_coordinators_record_and_change_actions(world, db):
    assert world.police.post("/lagesbild/oxelosund/actions", data=ACTION).status_code == 403
    assert world.other_coordinator.post("/lagesbild/oxelosund/actions", data=ACTION).status_code == 404
    world.coordinator.post("/lagesbild/oxelosund/actions", data=ACTION)
    action = db.session.scalar(select(EstAction))
    assert world.other_coordinator.post(f"/lagesbild/oxelosund/actions/{action.id}/status",
                                        data={"status": "dropped"}).status_code == 404
    db.session.refresh(action)
    assert action.status == ActionStatus.PLANNED


def test_the_actions_take_two_queries_whatever_their_number(world, db):
    for n in range(12):
        world.coordinator.post("/lagesbild/oxelosund/actions", data={**ACTION, "what": f"Åtgärd {n}"})
    oxelosund_id, week = world.oxelosund.id, IsoWeek.parse("2026-W11")
    with count_queries(db.engine) as queries:
        rows = services.actions_on(oxelosund_id, services.Period(week, week))
    assert len(rows) == 12 and queries.count == 2

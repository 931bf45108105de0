"""Partner organisations and their reporters: registered and invited by the coordinator, suspended by them,
reporting incidents in public places into the same triage inbox and lägesbild."""
import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD
from tests.lagesbild_support import observe
from tests.observation_support import make_group
from watch.core.weeks import local_zone
from watch.lagesbild import services as lagesbild
from watch.core.weeks import Period, IsoWeek
from watch.models import (
    Observation, ObservationCategory as C, OutboxMessage, PartnerKind, PartnerOrganisation, Role, User, utcnow,
)
from watch.partners import services

NEW_PASSWORD = "Grind-och-staket-9"


def invitation_link(db, address: str) -> str:
    [email] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == address)).all()
    return re.search(r"https?://\S+(/invitation/\S+)", email.body).group(1)


def add_partner(db, municipality, name="Oxelösundshem", kind=PartnerKind.HOUSING) -> PartnerOrganisation:
    organisation = PartnerOrganisation(municipality=municipality, name=name, kind=kind)
    db.session.add(organisation)
    db.session.commit()
    return organisation


def make_reporter(db, factory, organisation) -> User:
    reporter = factory.user(Role.REPORTER, organisation.municipality)
    reporter.partner_organisation = organisation
    db.session.commit()
    return reporter


def report(client, category="graffiti", **fields):
    local = (utcnow() - timedelta(minutes=30)).astimezone(local_zone())
    data = {"category": category, "observed_at": local.strftime("%Y-%m-%dT%H:%M"),
            "location": "Ramdalsvägen 12, 613 37 Oxelösund", "description": "Nytt klotter på fasaden mot gångvägen.",
            **fields}
    return client.post("/observations/new", data=data)


def test_coordinator_adds_an_organisation_and_invites_a_reporter_who_files_into_the_inbox(app, db, factory, login):
    oxelosund = factory.municipality()
    coordinator = login(factory.user(Role.COORDINATOR, oxelosund))

    response = coordinator.post("/coordinator/partners", data={"name": "  Oxelösundshem ", "kind": "housing"})
    organisation = db.session.scalar(select(PartnerOrganisation))
    assert response.location == f"/coordinator/partners/{organisation.id}"
    assert (organisation.name, organisation.kind, organisation.municipality_id) == (
        "Oxelösundshem", PartnerKind.HOUSING, oxelosund.id)
    again = coordinator.post("/coordinator/partners", data={"name": "oxelösundshem", "kind": "school"})
    assert again.status_code == 200 and "Det finns redan en organisation med det namnet." in again.get_data(as_text=True)

    response = coordinator.post(f"/coordinator/partners/{organisation.id}/invite",
                                data={"name": "Nadia Karlsson", "email": "Nadia.Karlsson@oxelosundshem.se",
                                      "locale": "sv"})
    assert response.status_code == 302
    link = invitation_link(db, "nadia.karlsson@oxelosundshem.se")

    invited = app.test_client()
    page = invited.get(link).get_data(as_text=True)
    assert "Oxelösundshem" in page and "nadia.karlsson@oxelosundshem.se" in page
    response = invited.post(link, data={"password": NEW_PASSWORD})
    assert response.location == "/observations/new"
    reporter = db.session.scalar(select(User).where(User.email == "nadia.karlsson@oxelosundshem.se"))
    assert (reporter.role, reporter.partner_organisation_id, reporter.municipality_id) == (
        Role.REPORTER, organisation.id, oxelosund.id)
    # A link works once.
    assert "fungerar inte längre" in app.test_client().get(link).get_data(as_text=True)

    form = invited.get("/observations/new").get_data(as_text=True)
    assert "beskriver platser och händelser, aldrig vem någon är" in form
    assert 'value="graffiti"' in form and 'value="drug_dealing"' in form and 'name="group"' not in form
    assert report(invited).location == "/observations/mine"
    observation = db.session.scalar(select(Observation))
    assert (observation.category, observation.group_id, observation.partner_organisation_id,
            observation.municipality_id, observation.reporter_id) == (
        C.GRAFFITI, None, organisation.id, oxelosund.id, reporter.id)
    assert observation.postcode == "61337"

    inbox = coordinator.get("/coordinator/observations").get_data(as_text=True)
    assert "Klotter och skadegörelse" in inbox and "Oxelösundshem (Bostadsbolag)" in inbox
    assert "Partnerrapport" in inbox


def test_residents_are_not_offered_the_public_place_categories(db, factory, login):
    oxelosund = factory.municipality()
    member = factory.user(Role.RESIDENT, oxelosund)
    group = make_group(db, oxelosund, members=[member])
    client = login(member)
    assert 'value="graffiti"' not in client.get("/observations/new").get_data(as_text=True)
    response = report(client, group=str(group.id))
    assert response.status_code == 200 and "Välj vad du såg." in response.get_data(as_text=True)
    assert db.session.scalar(select(Observation)) is None


def test_an_invitation_expires_and_is_refused_for_a_suspended_organisation(app, db, factory, monkeypatch):
    organisation = add_partner(db, factory.municipality())
    token = services.invite(organisation, name="Ali Yusuf", email="ali@oxelosundshem.se", locale="sv")
    db.session.commit()
    assert services.invitation_from_token(token) is not None
    monkeypatch.setattr(services, "INVITATION_DAYS", -1)
    response = app.test_client().post(f"/invitation/{token}", data={"password": NEW_PASSWORD})
    assert response.status_code == 200 and "fungerar inte längre" in response.get_data(as_text=True)
    monkeypatch.undo()
    organisation.suspended_at = utcnow()
    db.session.commit()
    app.test_client().post(f"/invitation/{token}", data={"password": NEW_PASSWORD})
    assert db.session.scalar(select(User).where(User.email == "ali@oxelosundshem.se")) is None
    assert services.invitation_from_token(token + "x") is None


def test_a_suspended_reporter_or_organisation_is_logged_out_and_cannot_log_in(app, db, factory, login):
    oxelosund = factory.municipality()
    organisation = add_partner(db, oxelosund)
    reporter = make_reporter(db, factory, organisation)
    coordinator = login(factory.user(Role.COORDINATOR, oxelosund))
    reporter_client = login(reporter)
    base = f"/coordinator/partners/{organisation.id}"

    coordinator.post(f"{base}/reporters/{reporter.id}/suspend", data={"suspend": "1"})
    assert reporter_client.get("/observations/new").status_code == 302  # logged out
    assert app.test_client().post("/login", data={"email": reporter.email, "password": PASSWORD}).status_code == 200
    coordinator.post(f"{base}/reporters/{reporter.id}/suspend", data={"suspend": "0"})
    reporter_client = login(reporter)

    coordinator.post(f"{base}/suspend", data={"suspend": "1"})
    db.session.refresh(organisation)
    assert organisation.suspended
    assert reporter_client.get("/observations/new").status_code == 302
    page = coordinator.get(base).get_data(as_text=True)
    assert "Återaktivera organisationen" in page
    # No new reporters for a suspended organisation.
    response = coordinator.post(f"{base}/invite", data={"name": "Ali Yusuf", "email": "ali@oxelosundshem.se",
                                                        "locale": "sv"})
    assert response.status_code == 200 and db.session.scalar(select(OutboxMessage)) is None
    coordinator.post(f"{base}/suspend", data={"suspend": "0"})
    assert login(reporter).get("/observations/new").status_code == 200


def test_coordinators_see_only_their_municipalitys_organisations(db, factory, login):
    oxelosund, nykoping = factory.municipality(), factory.municipality("Nyköping", "0480")
    add_partner(db, oxelosund, "Oxelösundshem")
    theirs = add_partner(db, nykoping, "Nyköpingshem")
    reporter = make_reporter(db, factory, theirs)
    coordinator = login(factory.user(Role.COORDINATOR, oxelosund))
    page = coordinator.get("/coordinator/partners").get_data(as_text=True)
    assert "Oxelösundshem" in page and "Nyköpingshem" not in page
    assert coordinator.get(f"/coordinator/partners/{theirs.id}").status_code == 404
    assert coordinator.post(f"/coordinator/partners/{theirs.id}/reporters/{reporter.id}/suspend",
                            data={"suspend": "1"}).status_code == 404
    db.session.refresh(reporter)
    assert reporter.active


def test_the_lagesbild_counts_by_kind_of_reporter(db, factory, login):
    oxelosund = factory.municipality()
    member = factory.user(Role.RESIDENT, oxelosund)
    group = make_group(db, oxelosund, members=[member])
    housing = make_reporter(db, factory, add_partner(db, oxelosund))
    school = make_reporter(db, factory, add_partner(db, oxelosund, "Ramdalsskolan", PartnerKind.SCHOOL))
    observe(db, member, group, "2026-W10", C.BURGLARY, 2)
    observe(db, housing, None, "2026-W10", C.GRAFFITI, 3, organisation=housing.partner_organisation)
    observe(db, school, None, "2026-W10", C.DISORDER, organisation=school.partner_organisation)
    observe(db, school, None, "2026-W11", C.DISORDER, organisation=school.partner_organisation)  # another week

    counts = lagesbild.counts(oxelosund.id, Period(IsoWeek.parse("2026-W10"), IsoWeek.parse("2026-W10")))
    assert counts["reported_by"] == [{"key": "housing", "count": 3}, {"key": "groups", "count": 2},
                                     {"key": "school", "count": 1}]
    assert {row["key"]: row["count"] for row in counts["categories"]}["graffiti"] == 3
    coordinator = login(factory.user(Role.COORDINATOR, oxelosund))
    page = coordinator.get("/lagesbild/oxelosund/2026/10").get_data(as_text=True)
    assert "Efter vem som rapporterade" in page and "Medlemmar i samverkansgrupper" in page and "Skola" in page
    text = coordinator.get("/lagesbild/oxelosund/2026/10/counts.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert ["2026-W10", "2026-W10", "Rapporterad av", "Bostadsbolag", "3", "", ""] in rows


def test_the_demo_seeds_a_partner_with_a_reporter_and_prints_its_api_key(app, db):
    from watch.demo import seed_demo

    lines = list(seed_demo())
    assert any("reporter    rapportor@oxelosundshem.demo" in line for line in lines)
    key = next(line for line in lines if "Open311 API key" in line).rsplit(" ", 1)[1]
    db.session.commit()
    answer = app.test_client().post("/open311/v2/requests.json", data={
        "jurisdiction_id": "oxelosund", "api_key": key, "service_code": "littering",
        "address_string": "Stjärnvägen 5, 613 36 Oxelösund"})
    assert answer.status_code == 200 and answer.json[0]["service_request_id"].isdigit()
    assert any("Open311 API key" in line for line in seed_demo())  # printed again: seeding twice adds nothing

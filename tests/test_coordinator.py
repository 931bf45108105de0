"""The coordinator's pages: pending inbox, decisions told to the applicant, all groups, register export, change log."""
import csv
import io

import pytest
from sqlalchemy import select

from tests.querycount import count_queries
from tests.group_helpers import assert_bounded, emails_to, make_group, neighbourhood_form
from watch.models import AlertChannel, Channel, GroupChange, GroupKind, GroupStatus, OutboxMessage, Role


@pytest.fixture
def oxelosund(factory):
    return factory.municipality("Oxelösund", "0481")


@pytest.fixture
def nykoping(factory):
    return factory.municipality("Nyköping", "0480")


@pytest.fixture
def coordinator(factory, oxelosund):
    return factory.user(Role.COORDINATOR, oxelosund, name="Karin Lindqvist")


def test_inbox_lists_pending_groups_of_the_municipality_with_a_badge(db, factory, login, coordinator, nykoping):
    make_group(factory.user(), name="Ramdalen norra", status=GroupStatus.PENDING)
    make_group(factory.user(), kind=GroupKind.BOAT, status=GroupStatus.PENDING)
    waiting = make_group(factory.user(), name="Frösäng", status=GroupStatus.PENDING)
    waiting.change_request = "Ange gatorna."
    make_group(factory.user(), name="Västra vägen")
    make_group(factory.user(municipality=nykoping), name="Brandholmen", status=GroupStatus.PENDING)
    db.session.commit()
    client = login(coordinator)
    home = client.get("/coordinator/").get_data(as_text=True)
    assert '<span class="badge">2<span class="visually-hidden"> grupper väntar på beslut</span>' in home
    inbox = client.get("/coordinator/groups/pending").get_data(as_text=True)
    assert "Ramdalen norra" in inbox and "Jogersö båtklubb" in inbox and "Frösäng" in inbox
    assert "Väntar på den sökandes ändring" in inbox
    assert ">Västra vägen</a>" not in inbox and "Brandholmen" not in inbox


def test_coordinator_approves_and_the_applicant_is_told_in_the_portal_and_by_email(
        db, factory, login, coordinator, client):
    applicant = factory.user(name="Tom Wilson", locale="en")
    group = make_group(applicant, status=GroupStatus.PENDING)
    response = login(coordinator).post(f"/coordinator/groups/{group.id}/approve", follow_redirects=True)
    assert "Västra vägen är godkänd och syns nu i den öppna grupplistan." in response.get_data(as_text=True)
    db.session.refresh(group)
    assert group.status == GroupStatus.APPROVED and group.decided_by_id == coordinator.id and group.decided_at
    [email] = emails_to(db, applicant)
    assert email.subject == "Your group Västra vägen is approved" and "/groups/" in email.body
    assert "Approved" in login(applicant).get("/groups/").get_data(as_text=True)
    assert ">Västra vägen</a>" in client.get("/m/oxelosund/groups").get_data(as_text=True)


def test_applicants_who_get_alerts_by_sms_also_get_the_decision_by_sms_in_their_language(
        app, db, factory, login, coordinator):
    by_sms = factory.user(name="Tom Wilson", locale="en", phone="+46701234511")
    by_sms.verified_phone, by_sms.alert_channel = by_sms.phone, AlertChannel.SMS
    by_email = factory.user(name="Maria Holm", phone="+46701234512")
    by_email.verified_phone, by_email.alert_channel = by_email.phone, AlertChannel.EMAIL
    unverified = factory.user(name="Eva Sjöberg", phone="+46701234513")
    unverified.alert_channel = AlertChannel.SMS
    db.session.commit()
    client = login(coordinator)
    for applicant in (by_sms, by_email, unverified):
        group = make_group(applicant, name=f"Gruppen hos {applicant.name}", status=GroupStatus.PENDING)
        client.post(f"/coordinator/groups/{group.id}/approve")
    texts = db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == Channel.SMS)).all()
    assert [(m.recipient, m.body) for m in texts] == [
        ("+46701234511", f"Your group Gruppen hos Tom Wilson is approved. {app.config['PUBLIC_URL']}/groups/")]
    assert all(len(emails_to(db, person)) == 1 for person in (by_sms, by_email, unverified))


def test_rejection_needs_a_reason_that_the_applicant_then_reads(db, factory, login, coordinator):
    applicant = factory.user()
    group = make_group(applicant, status=GroupStatus.PENDING)
    client = login(coordinator)
    missing = client.post(f"/coordinator/groups/{group.id}/reject", data={"reason": "  "})
    page = missing.get_data(as_text=True)
    assert missing.status_code == 200
    assert "Skriv varför gruppen avslås. Den sökande läser motiveringen." in page and "Rätta följande" in page
    db.session.refresh(group)
    assert group.status == GroupStatus.PENDING and emails_to(db, applicant) == []

    reason = "Området ingår redan i Västra vägens grupp. Gå med där i stället."
    client.post(f"/coordinator/groups/{group.id}/reject", data={"reason": reason})
    db.session.refresh(group)
    assert (group.status, group.rejection_reason) == (GroupStatus.REJECTED, reason)
    [email] = emails_to(db, applicant)
    assert email.subject == "Din grupp Västra vägen blev inte godkänd" and reason in email.body
    mine = login(applicant).get("/groups/").get_data(as_text=True)
    assert "Avslagen" in mine and "Kommunens motivering:" in mine and reason in mine


def test_asking_for_a_change_keeps_the_group_pending_until_the_applicant_edits(db, factory, login, coordinator):
    applicant = factory.user()
    group = make_group(applicant, status=GroupStatus.PENDING)
    client = login(coordinator)
    empty = client.post(f"/coordinator/groups/{group.id}/request-change", data={"note": ""}).get_data(True)
    assert "Skriv vad den sökande ska ändra." in empty
    client.post(f"/coordinator/groups/{group.id}/request-change", data={"note": "Lägg till Tallvägen."})
    db.session.refresh(group)
    assert group.status == GroupStatus.PENDING and group.change_request == "Lägg till Tallvägen."
    [email] = emails_to(db, applicant)
    assert email.subject == "Kommunen ber om en ändring i Västra vägen" and f"/groups/{group.id}/edit" in email.body
    assert 'class="badge"' not in client.get("/coordinator/").get_data(as_text=True).split("<main")[0]

    login(applicant).post(f"/groups/{group.id}/edit", data=neighbourhood_form(name="Västra vägen"))
    db.session.refresh(group)
    assert group.change_request == ""
    page = client.get(f"/coordinator/groups/{group.id}").get_data(as_text=True)
    assert "Senaste ändringarna" in page and "Ramdalsvägen" in page


def test_archiving_removes_the_group_from_the_directory_and_stops_joining(db, factory, login, coordinator, client):
    applicant = factory.user()
    group = make_group(applicant)
    login(coordinator).post(f"/coordinator/groups/{group.id}/archive")
    db.session.refresh(group)
    assert group.status == GroupStatus.ARCHIVED
    assert emails_to(db, applicant)[0].subject == "Västra vägen har arkiverats"
    assert ">Västra vägen</a>" not in client.get("/m/oxelosund/groups").get_data(as_text=True)


def test_a_decided_group_cannot_be_decided_again(db, factory, login, coordinator):
    group = make_group(factory.user(), status=GroupStatus.REJECTED)
    group.rejection_reason = "Fel kommun."
    db.session.commit()
    client = login(coordinator)
    response = client.post(f"/coordinator/groups/{group.id}/approve", follow_redirects=True)
    assert "Det finns redan ett beslut om gruppen." in response.get_data(as_text=True)
    assert client.post(f"/coordinator/groups/{group.id}/archive").status_code == 302
    db.session.refresh(group)
    assert group.status == GroupStatus.REJECTED and group.rejection_reason == "Fel kommun."


def test_all_groups_with_filters(db, factory, login, coordinator):
    make_group(factory.user(), name="Västra vägen", postcodes=["61331"])
    make_group(factory.user(), kind=GroupKind.BOAT, postcodes=["61339"], status=GroupStatus.PENDING)
    make_group(factory.user(), name="Stenvik", postcodes=["61350"], status=GroupStatus.ARCHIVED)
    client = login(coordinator)

    def names(**query):
        page = client.get("/coordinator/groups", query_string=query).get_data(as_text=True)
        return {n for n in ("Västra vägen", "Jogersö båtklubb", "Stenvik") if f">{n}</a>" in page}

    assert names() == {"Västra vägen", "Jogersö båtklubb", "Stenvik"}
    assert names(kind="boat") == {"Jogersö båtklubb"}
    assert names(status="archived") == {"Stenvik"}
    assert names(postcode="613 3") == {"Västra vägen", "Jogersö båtklubb"}
    assert names(postcode="61331", kind="neighbourhood", status="approved") == {"Västra vägen"}
    bad = client.get("/coordinator/groups?postcode=abc").get_data(as_text=True)
    assert "Skriv siffrorna i ett postnummer, till exempel 613 31 eller 613." in bad and 'value="abc"' in bad
    assert names(postcode="abc") == names()


def test_contact_register_csv_has_the_municipalitys_contact_persons(db, factory, login, coordinator, nykoping):
    eva = factory.user(name="Eva Sjöberg", phone="+46701234505")
    per = factory.user(name="Per Nyström")
    make_group(eva, contacts=[per], members=[factory.user(name="Maria Holm")])
    make_group(factory.user(name="=HYPERLINK(\"x\")"), kind=GroupKind.BOAT, status=GroupStatus.PENDING)
    make_group(factory.user(name="Avslagen Person"), name="Stenvik", postcodes=["61350"],
               status=GroupStatus.REJECTED)
    make_group(factory.user(municipality=nykoping, name="Gunnar Åberg"), name="Brandholmen", postcodes=["61166"])
    response = login(coordinator).get("/coordinator/groups/contacts.csv")
    assert response.mimetype == "text/csv"
    assert 'attachment; filename="kontaktombud-oxelosund-' in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Grupp", "Samverkansform", "Status", "Postnummer", "Kontaktombud", "E-post", "Telefon"]
    assert rows[1][:5] == ["Jogersö båtklubb", "Båtsamverkan", "Väntar på godkännande", "613 39",
                           "'=HYPERLINK(\"x\")"]
    assert rows[2] == ["Västra vägen", "Grannsamverkan", "Godkänd", "613 31", "Eva Sjöberg", eva.email,
                       "070-123 45 05"]
    assert rows[3][4] == "Per Nyström" and len(rows) == 4  # no members, rejected groups or other municipalities


def test_change_log_shows_what_changed_who_and_when(db, factory, login, coordinator):
    eva = factory.user(name="Eva Sjöberg")
    group = make_group(eva)
    login(eva).post(f"/groups/{group.id}/edit", data=neighbourhood_form(name="Västra vägen", households="20",
                                                                         postcodes="613 31, 613 32"))
    changes = list(db.session.scalars(select(GroupChange).order_by(GroupChange.field)))
    assert {(c.field, c.old_value, c.new_value) for c in changes} >= {
        ("households", "14", "20"), ("postcodes", "613 31", "613 31, 613 32")}
    page = login(coordinator).get("/coordinator/changes").get_data(as_text=True)
    assert "Antal hushåll" in page and "Före:" in page and "Eva Sjöberg" in page and "Västra vägen" in page
    assert "613 31, 613 32" in page
    one = login(coordinator).get(f"/coordinator/changes?group={group.id}").get_data(as_text=True)
    assert "Ändringar i Västra vägen" in one


def test_other_municipalities_see_nothing_of_the_group(db, factory, login, nykoping):
    group = make_group(factory.user(name="Eva Sjöberg"), status=GroupStatus.PENDING)
    for person in (factory.user(Role.COORDINATOR, nykoping), factory.user(Role.POLICE, nykoping)):
        client = login(person)
        assert client.get(f"/coordinator/groups/{group.id}").status_code == 404
        assert ">Västra vägen</a>" not in client.get("/coordinator/groups").get_data(as_text=True)
    other_coordinator = login(factory.user(Role.COORDINATOR, nykoping))
    for action in ("approve", "archive"):
        assert other_coordinator.post(f"/coordinator/groups/{group.id}/{action}").status_code == 404
    assert other_coordinator.post(f"/coordinator/groups/{group.id}/reject", data={"reason": "x"}).status_code == 404
    assert other_coordinator.get(f"/coordinator/changes?group={group.id}").status_code == 404
    assert "Eva Sjöberg" not in other_coordinator.get("/coordinator/groups/contacts.csv").get_data(as_text=True)
    assert ">Västra vägen</a>" not in other_coordinator.get("/coordinator/groups/pending").get_data(as_text=True)
    db.session.refresh(group)
    assert group.status == GroupStatus.PENDING


def test_police_read_the_groups_of_the_municipalities_they_cover_but_do_not_decide(
        db, factory, login, oxelosund, nykoping):
    group = make_group(factory.user(), status=GroupStatus.PENDING)
    local = login(factory.user(Role.POLICE, oxelosund))
    covering = login(factory.user(Role.POLICE, nykoping, covers=[oxelosund]))
    for client in (local, covering):
        assert ">Västra vägen</a>" in client.get("/coordinator/groups").get_data(as_text=True)
        page = client.get(f"/coordinator/groups/{group.id}").get_data(as_text=True)
        assert "Västra vägen" in page and "Godkänn gruppen" not in page
        assert client.post(f"/coordinator/groups/{group.id}/approve").status_code == 403
        for url in ("/coordinator/", "/coordinator/groups/pending", "/coordinator/groups/contacts.csv",
                    "/coordinator/changes"):
            assert client.get(url).status_code == 403
    assert 'href="/coordinator/groups"' in local.get("/").get_data(as_text=True)


def test_residents_and_contact_persons_have_no_coordinator_pages(db, factory, login):
    contact = factory.user()
    group = make_group(contact)
    client = login(contact)
    for url in ("/coordinator/", "/coordinator/groups", f"/coordinator/groups/{group.id}"):
        assert client.get(url).status_code == 403
    assert client.post(f"/coordinator/groups/{group.id}/archive").status_code == 403


def test_coordinator_pages_run_a_fixed_number_of_queries(db, factory, login, coordinator):
    owner = factory.user()
    first = make_group(owner, status=GroupStatus.PENDING)
    client = login(coordinator)
    urls = ("/coordinator/", "/coordinator/groups/pending", "/coordinator/groups", "/coordinator/changes",
            f"/coordinator/groups/{first.id}")

    def queries(url) -> int:
        with count_queries(db.engine) as counter:
            assert client.get(url).status_code == 200
        return counter.count

    def add_change(group):
        db.session.add(GroupChange(group_id=group.id, changed_by_id=owner.id, field="name", old_value="a",
                                   new_value="b"))

    add_change(first)
    db.session.commit()
    few = {url: queries(url) for url in urls}
    for n in range(25):
        add_change(make_group(owner, name=f"Område {n}", postcodes=[f"613{n:02d}"], status=GroupStatus.PENDING,
                              contacts=[factory.user()]))
        add_change(first)
    db.session.commit()
    many = {url: queries(url) for url in urls}
    assert many == few and max(many.values()) <= 7, many  # 7 with the staff menu's SMS badge


def test_csv_export_runs_a_fixed_number_of_queries(db, factory, login, coordinator):
    owner = factory.user()
    make_group(owner)
    client = login(coordinator)
    assert_bounded(db, client, "/coordinator/groups/contacts.csv",
                   lambda: [make_group(owner, name=f"Område {n}", contacts=[factory.user()]) for n in range(20)])
    rows = client.get("/coordinator/groups/contacts.csv").get_data(as_text=True).splitlines()
    assert len(rows) == 1 + 1 + 20 * 2

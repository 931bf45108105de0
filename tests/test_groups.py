"""Residents: registering groups, my groups, the group page, joining, contact persons, roster, directory."""
import re

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD
from tests.group_helpers import assert_bounded, boat_form, emails_to, make_group, neighbourhood_form
from watch.core.postcodes import PostcodeError, parse_postcodes
from watch.models import (
    BoatSiteType, Group, GroupChange, GroupKind, GroupStatus, Membership, MembershipRole, MembershipStatus, Role,
    RosterHousehold,
)

HTMX = {"HX-Request": "true"}


def membership_exists(db, membership_id: int) -> bool:
    return db.session.scalar(select(Membership.id).where(Membership.id == membership_id)) is not None


def group_count(db) -> int:
    return db.session.scalar(select(func.count(Group.id)))


@pytest.mark.parametrize(("text", "expected"), [
    ("613 31", ["61331"]), ("61331", ["61331"]), ("613 31, 61332; 613 33", ["61331", "61332", "61333"]),
    ("61331 61332", ["61331", "61332"]), ("613 31\n613 31", ["61331"]),
])
def test_postcodes_are_read_with_or_without_the_space(text, expected):
    assert parse_postcodes(text) == expected


@pytest.mark.parametrize("text", ["", "6133", "613 311", "013 31", "abcde", "613-31"])
def test_what_is_not_a_postcode_is_refused(text):
    with pytest.raises(PostcodeError):
        parse_postcodes(text)


# -- registering ---------------------------------------------------------------------------------

def test_resident_registers_a_neighbourhood_group_and_becomes_its_contact_person(db, factory, login):
    eva = factory.user(name="Eva Sjöberg", phone="+46701234505")
    client = login(eva)
    assert "Registrera en grupp för Grannsamverkan" in client.get("/groups/register/neighbourhood").get_data(True)
    response = client.post("/groups/register/neighbourhood", data=neighbourhood_form())
    assert response.status_code == 302 and response.location == "/groups/"
    group = db.session.scalar(select(Group))
    assert (group.kind, group.status, group.municipality_id, group.created_by_id) == \
        (GroupKind.NEIGHBOURHOOD, GroupStatus.PENDING, eva.municipality_id, eva.id)
    assert group.postcode_list == ["61335", "61336"]
    assert group.streets == "Ramdalsvägen\nFrösängsvägen 1–15" and group.households == 12
    membership = db.session.scalar(select(Membership))
    assert (membership.user_id, membership.role, membership.status, membership.show_phone) == \
        (eva.id, MembershipRole.CONTACT, MembershipStatus.ACTIVE, True)
    mine = client.get("/groups/").get_data(as_text=True)
    assert "Ramdalen norra" in mine and "Väntar på godkännande" in mine and "Din grupp är registrerad" in mine


def test_the_municipalitys_coordinators_are_emailed_about_a_new_group_in_their_language(db, factory, login):
    eva = factory.user(name="Eva Sjöberg")
    oxelosund = eva.municipality
    karin = factory.user(Role.COORDINATOR, oxelosund, name="Karin Lindqvist")
    anna = factory.user(Role.COORDINATOR, oxelosund, name="Anna Berg", locale="en")
    retired = factory.user(Role.COORDINATOR, oxelosund, name="Bo Ek")
    retired.active = False
    elsewhere = factory.user(Role.COORDINATOR, factory.municipality("Nyköping", "0480"))
    police = factory.user(Role.POLICE, oxelosund)
    db.session.commit()

    assert login(eva).post("/groups/register/neighbourhood", data=neighbourhood_form()).status_code == 302

    group = db.session.scalar(select(Group))
    [swedish] = emails_to(db, karin)
    assert swedish.subject == "Ny grupp väntar på ditt beslut: Ramdalen norra"
    assert "Eva Sjöberg har registrerat Ramdalen norra (Grannsamverkan)" in swedish.body
    assert f"/coordinator/groups/{group.id}" in swedish.body
    [english] = emails_to(db, anna)
    assert english.subject == "New group waiting for your decision: Ramdalen norra"
    assert all(emails_to(db, person) == [] for person in (retired, elsewhere, police, eva))


def test_resident_registers_a_boat_group_with_the_usual_night_watch_weeks(db, factory, login):
    client = login(factory.user())
    form = client.get("/groups/register/boat").get_data(as_text=True)
    assert re.search(r'<input [^>]*id="watch_week_from"[^>]* value="18"', form)
    assert re.search(r'<input [^>]*id="watch_week_to"[^>]* value="41"', form)
    assert client.post("/groups/register/boat", data=boat_form()).status_code == 302
    group = db.session.scalar(select(Group))
    assert (group.kind, group.site_type, group.address, group.berths) == \
        (GroupKind.BOAT, BoatSiteType.MARINA, "Femörevägen 50", 80)
    assert (group.watch_week_from, group.watch_week_to) == (18, 41)
    assert (group.latitude, group.longitude) == (58.6439, 17.126)


@pytest.mark.parametrize(("kind", "form", "overrides", "message", "kept"), [
    ("neighbourhood", neighbourhood_form, {"postcodes": "613 35, 6133"},
     "”6133” är inget svenskt postnummer. Skriv fem siffror, till exempel 613 31.", 'value="613 35, 6133"'),
    ("neighbourhood", neighbourhood_form, {"postcodes": ""}, "Skriv minst ett postnummer", "Ramdalen norra"),
    ("neighbourhood", neighbourhood_form, {"households": "0"}, "En grupp omfattar minst 1 hushåll.",
     "Ramdalen norra"),
    ("neighbourhood", neighbourhood_form, {"households": "tolv"}, "Skriv ett heltal, till exempel 12.",
     "Ramdalen norra"),
    ("neighbourhood", neighbourhood_form, {"streets": " "}, "Skriv vilka gator gruppen omfattar.", 'value="12"'),
    ("neighbourhood", neighbourhood_form, {"latitude": "58.67"}, "Fyll i både latitud och longitud",
     'value="58.67"'),
    ("neighbourhood", neighbourhood_form, {"latitude": "17.1", "longitude": "58.6"},
     "Skriv en latitud i Sverige", 'value="17.1"'),
    ("boat", boat_form, {"berths": "0"}, "Det finns minst 1 båtplats.", "Femöre fritidsbåtshamn"),
    ("boat", boat_form, {"watch_week_from": "42", "watch_week_to": "0"},
     "Skriv ett veckonummer från 1 till 53.", "Femörevägen 50"),
    ("boat", boat_form, {"watch_week_to": "60"}, "Skriv ett veckonummer från 1 till 53.", "Femörevägen 50"),
    ("boat", boat_form, {"site_type": "oljehamn"}, "Typ", "Femöre fritidsbåtshamn"),
])
def test_bad_registration_input_gets_a_swedish_message_and_keeps_what_was_typed(
        db, factory, login, kind, form, overrides, message, kept):
    response = login(factory.user()).post(f"/groups/register/{kind}", data=form(**overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Rätta följande" in page and message in page and 'aria-invalid="true"' in page
    assert kept in page
    assert group_count(db) == 0


def test_registration_errors_are_in_english_for_english_residents(db, factory, login):
    page = login(factory.user(locale="en")).post("/groups/register/neighbourhood",
                                                  data=neighbourhood_form(households="0")).get_data(True)
    assert "A group covers at least 1 household." in page


def test_only_residents_register_groups(db, factory, login):
    coordinator = login(factory.user(Role.COORDINATOR))
    assert coordinator.post("/groups/register/neighbourhood", data=neighbourhood_form()).status_code == 403
    assert login(factory.user()).get("/groups/register/castle").status_code == 404
    assert group_count(db) == 0


def test_a_resident_without_a_municipality_is_told_why_they_cannot_register(db, factory, login):
    person = factory.user()
    person.municipality_id = None
    db.session.commit()
    response = login(person).post("/groups/register/boat", data=boat_form(), follow_redirects=True)
    assert "Ditt konto hör inte till någon kommun" in response.get_data(as_text=True)
    assert group_count(db) == 0


def test_a_duplicate_shows_the_existing_group_to_join_and_needs_confirmation(db, factory, login):
    eva = factory.user(name="Eva Sjöberg", phone="+46701234505")
    existing = make_group(eva, name="Ramdalen", postcodes=["61336"], show_phone=True)
    client = login(factory.user())
    page = client.post("/groups/register/neighbourhood", data=neighbourhood_form()).get_data(as_text=True)
    assert "Det kan redan finnas en grupp för detta" in page
    assert f'href="/m/oxelosund/groups/{existing.id}"' in page and "Ramdalen" in page
    assert "Eva Sjöberg" not in page and "070-123 45 05" not in page
    assert 'value="Ramdalen norra"' in page  # the applicant's own text is still there
    assert group_count(db) == 1

    confirmed = client.post("/groups/register/neighbourhood", data=neighbourhood_form(confirm_duplicate="y"))
    assert confirmed.status_code == 302 and group_count(db) == 2


def test_same_name_is_a_duplicate_but_another_kind_or_municipality_is_not(db, factory, login):
    make_group(factory.user(), name="Ramdalen norra", postcodes=["61399"], status=GroupStatus.PENDING)
    nykoping = factory.municipality("Nyköping", "0480")
    make_group(factory.user(municipality=nykoping), kind=GroupKind.BOAT, postcodes=["61352"])
    make_group(factory.user(), status=GroupStatus.REJECTED, kind=GroupKind.BOAT, postcodes=["61352"])
    client = login(factory.user())
    warned = client.post("/groups/register/neighbourhood", data=neighbourhood_form(name="ramdalen NORRA"))
    assert "Det kan redan finnas en grupp" in warned.get_data(as_text=True)
    assert "Registrerad av någon annan och väntar på kommunens beslut" in warned.get_data(as_text=True)
    assert client.post("/groups/register/boat", data=boat_form()).status_code == 302


# -- my groups, editing and the change log -------------------------------------------------------

def test_applicant_edits_after_a_change_request_and_every_change_is_logged(db, factory, login):
    eva = factory.user()
    group = make_group(eva, status=GroupStatus.PENDING)
    group.change_request = "Lägg till Tallvägen i gatorna."
    db.session.commit()
    client = login(eva)
    mine = client.get("/groups/").get_data(as_text=True)
    assert "Trygghetssamordnaren ber om en ändring:" in mine and "Lägg till Tallvägen i gatorna." in mine
    form = client.get(f"/groups/{group.id}/edit").get_data(as_text=True)
    assert 'value="613 31"' in form and "Lägg till Tallvägen i gatorna." in form
    data = neighbourhood_form(name="Västra vägen", streets="Västra vägen\nTallvägen\nGranvägen", postcodes="61331",
                              households="15", area_description="Villaområdet väster om centrum")
    assert client.post(f"/groups/{group.id}/edit", data=data).status_code == 302
    db.session.refresh(group)
    assert group.change_request == "" and group.households == 15 and group.status == GroupStatus.PENDING
    changes = {c.field: (c.old_value, c.new_value, c.changed_by_id) for c in group_changes(db, group)}
    assert changes == {"streets": ("Västra vägen\nTallvägen", "Västra vägen\nTallvägen\nGranvägen", eva.id),
                       "households": ("14", "15", eva.id)}


def group_changes(db, group):
    return list(db.session.scalars(select(GroupChange).where(GroupChange.group_id == group.id)))


def test_bad_edit_keeps_the_stored_group(db, factory, login):
    eva = factory.user()
    group = make_group(eva)
    page = login(eva).post(f"/groups/{group.id}/edit", data=neighbourhood_form(postcodes="6133")).get_data(True)
    assert "inget svenskt postnummer" in page
    db.session.refresh(group)
    assert group.postcode_list == ["61331"] and group.name == "Västra vägen" and group_changes(db, group) == []


def test_only_contact_persons_edit_and_not_once_rejected(db, factory, login):
    eva, maria = factory.user(), factory.user()
    group = make_group(eva, members=[maria])
    assert login(maria).get(f"/groups/{group.id}/edit").status_code == 403
    group.status = GroupStatus.REJECTED
    db.session.commit()
    response = login(eva).post(f"/groups/{group.id}/edit", data=neighbourhood_form(), follow_redirects=True)
    assert "Den här gruppen kan inte längre ändras." in response.get_data(as_text=True)
    assert group_changes(db, group) == []


# -- the group page: who sees what ---------------------------------------------------------------

def test_members_see_contact_persons_names_and_only_the_phones_they_agreed_to_show(db, factory, login):
    eva = factory.user(name="Eva Sjöberg", phone="+46701234505")
    per = factory.user(name="Per Nyström", phone="+46701234506")
    maria = factory.user(name="Maria Holm", phone="+46701234507")
    tom = factory.user(name="Tom Wilson")
    group = make_group(eva, show_phone=True, contacts=[per], members=[maria, tom])
    page = login(maria).get(f"/groups/{group.id}").get_data(as_text=True)
    assert "Eva Sjöberg" in page and 'href="tel:+46701234505"' in page and "070-123 45 05" in page
    assert "Per Nyström" in page and "070-123 45 06" not in page and "Telefonnumret visas inte" in page
    assert "Tom Wilson" not in page  # members see the contact persons, not each other
    assert "Godkänn" not in page and "Hushållslista" not in page


def test_outsiders_do_not_see_a_groups_page(db, factory, login):
    eva = factory.user()
    asking, declined, stranger = factory.user(), factory.user(), factory.user()
    group = make_group(eva, requests=[asking])
    db.session.add(Membership(group=group, user=declined, status=MembershipStatus.DECLINED))
    db.session.commit()
    nykoping = factory.municipality("Nyköping", "0480")
    for person in (asking, declined, stranger, factory.user(Role.COORDINATOR), factory.user(Role.POLICE),
                   factory.user(Role.COORDINATOR, nykoping), factory.user(Role.POLICE, nykoping)):
        client = login(person)
        for url in (f"/groups/{group.id}", f"/groups/{group.id}/roster", f"/groups/{group.id}/edit"):
            assert client.get(url).status_code == 404, (person.role, url)
        assert client.post(f"/groups/{group.id}/members/1/accept").status_code == 404


def test_contact_person_answers_requests_inline(db, factory, login):
    eva = factory.user(name="Eva Sjöberg")
    maria, tom = factory.user(name="Maria Holm"), factory.user(name="Tom Wilson", locale="en")
    group = make_group(eva, requests=[maria, tom])
    client = login(eva)
    page = client.get(f"/groups/{group.id}").get_data(as_text=True)
    assert "Maria Holm" in page and "Vill gå med" in page and 'hx-target="closest li"' in page
    maria_request = db.session.scalar(select(Membership).where(Membership.user_id == maria.id))
    tom_request = db.session.scalar(select(Membership).where(Membership.user_id == tom.id))

    accepted = client.post(f"/groups/{group.id}/members/{maria_request.id}/accept", headers=HTMX)
    fragment = accepted.get_data(as_text=True)
    assert accepted.status_code == 200 and fragment.lstrip().startswith('<li class="card member"')
    assert "Maria Holm är nu medlem." in fragment and "<html" not in fragment and "Gör till kontaktombud" in fragment
    db.session.refresh(maria_request)
    assert maria_request.status == MembershipStatus.ACTIVE
    assert [m.subject for m in emails_to(db, maria)] == ["Du är nu medlem i Västra vägen"]

    declined = client.post(f"/groups/{group.id}/members/{tom_request.id}/decline", headers=HTMX)
    assert "Du har avböjt förfrågan från Tom Wilson." in declined.get_data(as_text=True)
    db.session.refresh(tom_request)
    assert tom_request.status == MembershipStatus.DECLINED and emails_to(db, tom) == []

    again = client.post(f"/groups/{group.id}/members/{tom_request.id}/accept", headers=HTMX)
    assert again.status_code == 200 and "Förfrågan är redan besvarad." in again.get_data(as_text=True)
    db.session.refresh(tom_request)
    assert tom_request.status == MembershipStatus.DECLINED


def test_contact_person_makes_a_member_contact_and_removes_a_member(db, factory, login):
    eva, maria, tom = factory.user(), factory.user(name="Maria Holm"), factory.user(name="Tom Wilson")
    group = make_group(eva, members=[maria, tom])
    maria_m, tom_m = (db.session.scalar(select(Membership).where(Membership.user_id == p.id)) for p in (maria, tom))
    client = login(eva)
    made = client.post(f"/groups/{group.id}/members/{maria_m.id}/make-contact", headers=HTMX).get_data(True)
    assert "Maria Holm är nu kontaktombud." in made
    removed = client.post(f"/groups/{group.id}/members/{tom_m.id}/remove", headers=HTMX).get_data(True)
    assert "Tom Wilson är inte längre medlem." in removed
    db.session.refresh(maria_m)
    assert maria_m.role == MembershipRole.CONTACT
    assert not membership_exists(db, tom_m.id)
    # without htmx the same actions redirect back with a message
    response = client.post(f"/groups/{group.id}/members/{maria_m.id}/remove", follow_redirects=True)
    assert "Maria Holm är inte längre medlem." in response.get_data(as_text=True)


def test_members_cannot_manage_others_and_ids_from_another_group_are_refused(db, factory, login):
    eva, maria, tom = factory.user(), factory.user(), factory.user()
    group = make_group(eva, members=[maria], requests=[tom])
    other = make_group(factory.user(), name="Jogersö", postcodes=["61339"], requests=[factory.user()])
    tom_m = db.session.scalar(select(Membership).where(Membership.user_id == tom.id))
    other_request = db.session.scalar(select(Membership).where(Membership.group_id == other.id,
                                                               Membership.status == MembershipStatus.REQUESTED))
    assert login(maria).post(f"/groups/{group.id}/members/{tom_m.id}/accept").status_code == 403
    assert login(eva).post(f"/groups/{group.id}/members/{other_request.id}/accept").status_code == 404
    assert login(eva).post(f"/groups/{group.id}/members/{tom_m.id}/promote").status_code == 404
    db.session.refresh(tom_m)
    db.session.refresh(other_request)
    assert tom_m.status == other_request.status == MembershipStatus.REQUESTED


def test_the_last_contact_person_can_neither_leave_nor_be_removed(db, factory, login):
    eva, maria = factory.user(), factory.user()
    group = make_group(eva, members=[maria])
    eva_m = db.session.scalar(select(Membership).where(Membership.user_id == eva.id))
    client = login(eva)
    left = client.post(f"/groups/{group.id}/leave", follow_redirects=True).get_data(as_text=True)
    assert "En grupp måste alltid ha ett kontaktombud. Gör först en annan medlem till kontaktombud." in left
    removed = client.post(f"/groups/{group.id}/members/{eva_m.id}/remove", headers=HTMX).get_data(as_text=True)
    assert "måste alltid ha ett kontaktombud" in removed and 'role="alert"' in removed
    assert membership_exists(db, eva_m.id)

    maria_m = db.session.scalar(select(Membership).where(Membership.user_id == maria.id))
    client.post(f"/groups/{group.id}/members/{maria_m.id}/make-contact")
    assert client.post(f"/groups/{group.id}/leave").location == "/groups/"
    assert not membership_exists(db, eva_m.id)


def test_a_member_leaves_and_a_requester_takes_the_request_back(db, factory, login):
    eva, maria, tom = factory.user(), factory.user(), factory.user()
    group = make_group(eva, members=[maria], requests=[tom])
    page = login(maria).post(f"/groups/{group.id}/leave", follow_redirects=True).get_data(as_text=True)
    assert "Du är inte längre med i Västra vägen." in page
    login(tom).post(f"/groups/{group.id}/leave")
    assert {m.user_id for m in db.session.scalars(select(Membership))} == {eva.id}


def test_contact_person_chooses_whether_members_see_their_phone(db, factory, login):
    eva = factory.user(phone="+46701234505")
    group = make_group(eva)
    client = login(eva)
    shown = client.post(f"/groups/{group.id}/phone", data={"show": "1"}, headers=HTMX).get_data(as_text=True)
    assert 'id="my-phone"' in shown and 'Gruppens medlemmar ser ditt nummer <bdi dir="ltr">070-123 45 05</bdi>.' in shown
    assert "Sparat." in shown
    membership = db.session.scalar(select(Membership))
    assert membership.show_phone is True
    client.post(f"/groups/{group.id}/phone", data={"show": "0"})
    db.session.refresh(membership)
    assert membership.show_phone is False


def test_my_groups_tells_contact_persons_how_many_ask_to_join(db, factory, login):
    eva = factory.user()
    group = make_group(eva, requests=[factory.user(), factory.user()])
    page = login(eva).get("/groups/").get_data(as_text=True)
    assert "2 personer vill gå med" in page and f'href="/groups/{group.id}#members-title"' in page


# -- joining -------------------------------------------------------------------------------------

def test_resident_asks_to_join_and_the_contact_persons_are_told(db, factory, login):
    eva = factory.user(name="Eva Sjöberg")
    maria = factory.user(name="Maria Holm")
    group = make_group(eva)
    client = login(maria)
    response = client.post(f"/groups/{group.id}/join", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Din förfrågan om att gå med i Västra vägen är skickad." in page
    assert "Du har bett att få gå med och väntar på svar" in page
    assert db.session.scalar(select(Membership.status).where(Membership.user_id == maria.id)) == \
        MembershipStatus.REQUESTED
    [email] = emails_to(db, eva)
    assert email.subject == "Maria Holm vill gå med i Västra vägen" and f"/groups/{group.id}" in email.body
    again = client.post(f"/groups/{group.id}/join", follow_redirects=True).get_data(as_text=True)
    assert "Du har redan bett att få gå med." in again


@pytest.mark.parametrize(("status", "message"), [
    (GroupStatus.PENDING, "Gruppen väntar på kommunens godkännande."),
    (GroupStatus.ARCHIVED, "Gruppen har upphört (arkiverad) och tar inte emot nya medlemmar."),
    (GroupStatus.REJECTED, "Gruppen godkändes inte och kan inte ta emot medlemmar."),
])
def test_joining_a_group_that_is_not_approved_is_refused_with_a_reason(db, factory, login, status, message):
    group = make_group(factory.user(), status=status)
    maria = factory.user()
    response = login(maria).post(f"/groups/{group.id}/join", follow_redirects=True)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(Membership).where(Membership.user_id == maria.id)) is None


def test_a_declined_resident_may_ask_again_and_staff_cannot_join(db, factory, login):
    group = make_group(factory.user())
    maria = factory.user()
    db.session.add(Membership(group=group, user=maria, status=MembershipStatus.DECLINED))
    db.session.commit()
    login(maria).post(f"/groups/{group.id}/join")
    assert db.session.scalar(select(Membership.status).where(Membership.user_id == maria.id)) == \
        MembershipStatus.REQUESTED
    assert login(factory.user(Role.POLICE)).post(f"/groups/{group.id}/join").status_code == 403
    assert login(maria).post("/groups/99999/join").status_code == 404


# -- the public directory ------------------------------------------------------------------------

def test_directory_lists_approved_groups_without_personal_data(client, db, factory):
    eva = factory.user(name="Eva Sjöberg", phone="+46701234505")
    make_group(eva, show_phone=True, members=[factory.user(), factory.user()])
    make_group(factory.user(), kind=GroupKind.BOAT)
    make_group(factory.user(), name="Ramdalen norra", postcodes=["61335"], status=GroupStatus.PENDING)
    make_group(factory.user(), name="Gamla Frösäng", postcodes=["61334"], status=GroupStatus.ARCHIVED)
    nykoping = factory.municipality("Nyköping", "0480")
    make_group(factory.user(municipality=nykoping), name="Brandholmen", postcodes=["61166"])
    page = client.get("/m/oxelosund/groups").get_data(as_text=True)
    assert "Västra vägen" in page and "Jogersö båtklubb" in page and "3 medlemmar" in page and "2 grupper" in page
    for hidden in ("Ramdalen norra", "Gamla Frösäng", "Brandholmen", "Eva Sjöberg", "070-123 45 05", "@exempel.se"):
        assert hidden not in page


@pytest.mark.parametrize(("query", "found", "not_found"), [
    ("613 31", "Västra vägen", "Jogersö båtklubb"),
    ("61339", "Jogersö båtklubb", "Västra vägen"),
    ("6133", "Jogersö båtklubb", "Brandholmen"),
    ("jogersö", "Jogersö båtklubb", "Västra vägen"),
    ("Tallvägen", "Västra vägen", "Jogersö båtklubb"),
    ("100%", "Inga grupp", "Västra vägen"),
])
def test_directory_search_by_postcode_street_or_name(client, db, factory, query, found, not_found):
    make_group(factory.user())
    make_group(factory.user(), kind=GroupKind.BOAT)
    make_group(factory.user(), name="Brandholmen", postcodes=["61166"])
    page = client.get("/m/oxelosund/groups", query_string={"q": query}).get_data(as_text=True)
    if found == "Inga grupp":
        assert "Ingen grupp matchar." in page
    else:
        assert f">{found}</a>" in page
    assert f">{not_found}</a>" not in page


def test_directory_filters_by_kind(client, db, factory):
    make_group(factory.user())
    make_group(factory.user(), kind=GroupKind.BOAT)
    page = client.get("/m/oxelosund/groups?kind=boat").get_data(as_text=True)
    assert ">Jogersö båtklubb</a>" in page and ">Västra vägen</a>" not in page
    assert "2 grupper" in client.get("/m/oxelosund/groups?kind=castle").get_data(as_text=True)


def test_directory_page_of_a_group_offers_joining_and_hides_unapproved_ones(client, db, factory, login):
    group = make_group(factory.user(name="Eva Sjöberg"))
    pending = make_group(factory.user(), name="Ramdalen", postcodes=["61335"], status=GroupStatus.PENDING)
    nykoping = factory.municipality("Nyköping", "0480")
    anonymous = client.get(f"/m/oxelosund/groups/{group.id}").get_data(as_text=True)
    assert "Logga in för att be att få gå med" in anonymous and "Eva Sjöberg" not in anonymous
    assert "Be att få gå med" in login(factory.user()).get(f"/m/oxelosund/groups/{group.id}").get_data(True)
    assert client.get(f"/m/oxelosund/groups/{pending.id}").status_code == 404
    assert client.get(f"/m/{nykoping.slug}/groups/{group.id}").status_code == 404
    assert client.get("/m/atlantis/groups").status_code == 404


def test_municipality_page_links_to_its_directory_and_to_registering(client, db, factory):
    factory.municipality()
    page = client.get("/m/oxelosund").get_data(as_text=True)
    assert 'href="/m/oxelosund/groups"' in page and 'href="/groups/register"' in page


def test_nav_shows_groups_to_residents(db, factory, login):
    client = login(factory.user())
    assert ">Mina grupper</a>" in client.get("/").get_data(as_text=True)
    assert 'href="/groups/find"' in client.get("/groups/").get_data(as_text=True)
    assert client.get("/groups/find").location == "/m/oxelosund/groups"


# -- the roster ----------------------------------------------------------------------------------

def test_contact_person_keeps_a_household_list_including_those_who_decline(db, factory, login):
    eva, maria = factory.user(), factory.user(name="Maria Holm")
    group = make_group(eva, members=[maria])
    maria_m = db.session.scalar(select(Membership).where(Membership.user_id == maria.id))
    client = login(eva)
    client.post(f"/groups/{group.id}/roster", data={"address": "Västra vägen 4", "takes_part": "y",
                                                    "membership": str(maria_m.id)})
    client.post(f"/groups/{group.id}/roster", data={"address": "Västra vägen 6", "membership": ""})
    page = client.get(f"/groups/{group.id}/roster").get_data(as_text=True)
    assert "Västra vägen 4" in page and "Maria Holm" in page
    assert "Västra vägen 6" in page and "Är inte med" in page
    declined = db.session.scalar(select(RosterHousehold).where(RosterHousehold.address == "Västra vägen 6"))
    assert declined.takes_part is False and declined.membership_id is None

    client.post(f"/groups/{group.id}/roster/{declined.id}", data={"address": "Västra vägen 6 B", "takes_part": "y",
                                                                  "membership": ""})
    db.session.refresh(declined)
    assert (declined.address, declined.takes_part) == ("Västra vägen 6 B", True)
    client.post(f"/groups/{group.id}/roster/{declined.id}/delete")
    assert db.session.scalar(select(func.count(RosterHousehold.id))) == 1


@pytest.mark.parametrize(("data", "message"), [
    ({"address": "", "takes_part": "y", "membership": ""}, "Skriv hushållets adress."),
    ({"address": "Västra vägen 8", "membership": "MEMBER"}, "Ett hushåll som inte är med kan inte kopplas"),
    ({"address": "Västra vägen 8", "takes_part": "y", "membership": "99999"}, "giltigt val"),
])
def test_bad_household_input_is_refused_and_kept(db, factory, login, data, message):
    eva, maria = factory.user(), factory.user()
    group = make_group(eva, members=[maria])
    if data["membership"] == "MEMBER":
        data["membership"] = str(db.session.scalar(select(Membership.id).where(Membership.user_id == maria.id)))
    response = login(eva).post(f"/groups/{group.id}/roster", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page and f'value="{data["address"]}"' in page
    assert db.session.scalar(select(func.count(RosterHousehold.id))) == 0


def test_only_the_groups_contact_persons_see_its_household_list(db, factory, login):
    eva, maria = factory.user(), factory.user()
    group = make_group(eva, members=[maria])
    entry = RosterHousehold(group_id=group.id, address="Västra vägen 4", takes_part=True)
    other = make_group(factory.user(), name="Jogersö", postcodes=["61339"])
    db.session.add(entry)
    db.session.commit()
    assert login(maria).get(f"/groups/{group.id}/roster").status_code == 403
    other_contact = db.session.scalar(select(Membership).where(Membership.group_id == other.id)).user
    assert login(other_contact).get(f"/groups/{other.id}/roster/{entry.id}").status_code == 404


# -- bounded queries on every list page ----------------------------------------------------------

def test_directory_runs_a_fixed_number_of_queries(client, db, factory):
    owner = factory.user()
    make_group(owner, members=[factory.user()])
    assert_bounded(db, client, "/m/oxelosund/groups",
                   lambda: [make_group(owner, name=f"Område {n}", postcodes=[f"613{n:02d}"]) for n in range(25)])


def test_my_groups_runs_a_fixed_number_of_queries(db, factory, login):
    eva = factory.user()
    make_group(eva, requests=[factory.user()])
    assert_bounded(db, login(eva), "/groups/",
                   lambda: [make_group(eva, name=f"Område {n}", requests=[factory.user()]) for n in range(25)])


def test_group_page_runs_a_fixed_number_of_queries_for_contacts_and_members(db, factory, login):
    eva, maria = factory.user(), factory.user()
    group = make_group(eva, members=[maria], requests=[factory.user()], contacts=[factory.user()])

    def grow():
        for _ in range(55):
            db.session.add(Membership(group=group, user=factory.user(), status=MembershipStatus.ACTIVE))
            db.session.add(Membership(group=group, user=factory.user(), role=MembershipRole.CONTACT,
                                      status=MembershipStatus.ACTIVE))
        db.session.commit()

    assert_bounded(db, login(eva), f"/groups/{group.id}", grow)
    assert_bounded(db, login(maria), f"/groups/{group.id}", lambda: None)


def test_household_list_runs_a_fixed_number_of_queries(db, factory, login):
    eva, maria = factory.user(), factory.user()
    group = make_group(eva, members=[maria])
    member_id = db.session.scalar(select(Membership.id).where(Membership.user_id == maria.id))

    def add_households(n):
        db.session.add_all(RosterHousehold(group_id=group.id, address=f"Västra vägen {i}", membership_id=member_id)
                           for i in range(n))
        db.session.commit()

    add_households(1)
    assert_bounded(db, login(eva), f"/groups/{group.id}/roster", lambda: add_households(60))


def test_demo_has_groups_of_both_kinds_approved_and_pending_with_a_roster_and_a_request(app, db):
    from watch.demo import seed_demo

    list(seed_demo())
    db.session.commit()
    states = set(db.session.execute(select(Group.kind, Group.status)).tuples())
    assert {(kind, status) for kind in GroupKind for status in (GroupStatus.APPROVED, GroupStatus.PENDING)} <= states
    assert db.session.scalar(select(func.count(RosterHousehold.id))) >= 10
    assert db.session.scalar(select(func.count(RosterHousehold.id)).where(RosterHousehold.takes_part.is_(False)))
    assert db.session.scalar(select(func.count(Membership.id)).where(
        Membership.status == MembershipStatus.REQUESTED)) == 1
    assert "created" not in " ".join(seed_demo())


# -- Mina uppgifter: export and account deletion ---------------------------------------------------

def test_my_data_export_has_my_memberships_groups_and_household_line_but_no_one_elses(db, factory, login):
    eva = factory.user(name="Eva Sjöberg", email="eva@exempel.se")
    maria = factory.user(name="Maria Holm")
    group = make_group(eva, members=[maria], show_phone=True)
    maria_m = db.session.scalar(select(Membership).where(Membership.user_id == maria.id))
    login(eva).post(f"/groups/{group.id}/roster", data={"address": "Västra vägen 4", "takes_part": "y",
                                                         "membership": str(maria_m.id)})

    marias = login(maria).get("/my-data/export.json").get_json()
    assert [(m["group"], m["role"], m["status"]) for m in marias["memberships"]] == [("Västra vägen", "member",
                                                                                       "active")]
    assert marias["registered_groups"] == []
    assert marias["household_lists"] == [{"group": "Västra vägen", "address": "Västra vägen 4", "takes_part": True}]
    assert "Eva Sjöberg" not in str(marias) and "eva@exempel.se" not in str(marias)

    evas = login(eva).get("/my-data/export.json").get_json()
    (registered,) = evas["registered_groups"]
    assert (registered["group"], registered["kind"], registered["status"]) == ("Västra vägen", "neighbourhood",
                                                                                "approved")
    assert registered["postcodes"] == "613 31" and registered["streets"] == "Västra vägen\nTallvägen"
    assert evas["memberships"][0]["phone_shown_to_members"] is True
    assert evas["household_lists"] == [] and "Maria Holm" not in str(evas)


def test_deleting_an_account_ends_memberships_and_unlinks_the_household_list_and_the_change_log(db, factory, login):
    eva, maria, tom = factory.user(), factory.user(), factory.user()
    group = make_group(eva, contacts=[maria], members=[tom])
    tom_m = db.session.scalar(select(Membership).where(Membership.user_id == tom.id))
    client = login(eva)
    client.post(f"/groups/{group.id}/roster", data={"address": "Tallvägen 3", "takes_part": "y",
                                                    "membership": str(tom_m.id)})
    client.post(f"/groups/{group.id}/edit", data=neighbourhood_form(name="Västra vägen norra"))
    eva_id = eva.id

    assert login(tom).post("/my-data/delete", data={"password": PASSWORD, "confirm": "y"}).location == "/"
    assert client.post("/my-data/delete", data={"password": PASSWORD, "confirm": "y"}).location == "/"
    db.session.expire_all()
    assert [m.user_id for m in db.session.scalars(select(Membership))] == [maria.id]
    household = db.session.scalar(select(RosterHousehold))
    assert (household.address, household.takes_part, household.membership_id) == ("Tallvägen 3", True, None)
    group = db.session.get(Group, group.id)
    assert group.name == "Västra vägen norra" and group.created_by_id is None
    assert {change.changed_by_id for change in db.session.scalars(select(GroupChange))} == {None}
    assert db.session.get(type(eva), eva_id) is None


def test_the_last_contact_person_hands_over_on_the_group_page_and_may_then_delete_the_account(db, factory, login):
    eva, maria = factory.user(), factory.user()
    group = make_group(eva, members=[maria])
    make_group(eva, status=GroupStatus.ARCHIVED, name="Gamla gruppen", postcodes=["61339"])  # needs no contact
    client = login(eva)
    page = client.get("/my-data").get_data(as_text=True)
    assert "Du är enda kontaktombud för Västra vägen. Gör först en annan medlem till kontaktombud på gruppens sida." \
        in page and "Gamla gruppen" not in page
    maria_m = db.session.scalar(select(Membership).where(Membership.user_id == maria.id))
    client.post(f"/groups/{group.id}/members/{maria_m.id}/make-contact")
    assert "Du är enda kontaktombud" not in client.get("/my-data").get_data(as_text=True)
    assert client.post("/my-data/delete", data={"password": PASSWORD, "confirm": "y"}).location == "/"
    assert [m.user_id for m in db.session.scalars(select(Membership))] == [maria.id]


def test_the_last_contact_person_of_an_archived_group_may_leave_it(db, factory, login):
    eva = factory.user()
    group = make_group(eva, status=GroupStatus.ARCHIVED)
    assert login(eva).post(f"/groups/{group.id}/leave").location == "/groups/"
    assert group_count(db) == 1 and db.session.scalar(select(func.count(Membership.id))) == 0

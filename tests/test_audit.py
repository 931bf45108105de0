"""The audit log: what is recorded, who may read it, and that it stays cheap to page through."""
import io
from datetime import timedelta

from sqlalchemy import func, select, update

from watch.audit import actions
from watch.audit.services import purge_expired, record
from watch.models import AuditEvent, GroupStatus, Membership, Role, utcnow
from watch.core.photo_store import stored_photo
from watch.observations.photos import clean_photo
from tests.group_helpers import make_group
from tests.observation_support import file_observation, photo_with_gps
from tests.observation_support import make_group as observation_group
from tests.querycount import count_queries


def events(db, action=None):
    query = select(AuditEvent).order_by(AuditEvent.id)
    return list(db.session.scalars(query.where(AuditEvent.action == action) if action else query))


def listed(response) -> str:
    """The event list only, not the filter's options."""
    return response.get_data(as_text=True).partition('class="audit-list"')[2]


def test_staff_logins_and_failures_are_recorded_but_not_residents(client, db, factory, login):
    coordinator = factory.user(Role.COORDINATOR)
    resident = factory.user()
    login(coordinator)
    login(resident)
    client.post("/login", data={"email": coordinator.email, "password": "fel-lösenord"})
    client.post("/login", data={"email": resident.email, "password": "fel-lösenord"})
    client.post("/login", data={"email": "okand@exempel.se", "password": "fel-lösenord"})

    (success,) = events(db, actions.LOGIN)
    assert (success.actor_id, success.actor_role, success.subject_id) == (coordinator.id, "coordinator", coordinator.id)
    assert success.municipality_id == coordinator.municipality_id
    (failure,) = events(db, actions.LOGIN_FAILED)
    assert failure.actor_id is None and failure.subject_id == coordinator.id


def test_role_change_through_the_cli_is_recorded_and_ends_sessions(app, db, factory, login):
    resident = factory.user(email="eva@exempel.se")
    client = login(resident)
    result = app.test_cli_runner().invoke(args=["users", "set-role", "--email", "Eva@Exempel.se", "--role", "coordinator"])
    assert result.exit_code == 0, result.output
    assert client.get("/profile").status_code == 302
    (event,) = events(db, actions.ROLE_CHANGED)
    assert event.details == {"old": "resident", "new": "coordinator", "via": "cli"}
    assert event.municipality_id == resident.municipality_id
    db.session.refresh(resident)
    assert resident.role == Role.COORDINATOR
    admin_without_home = app.test_cli_runner().invoke(
        args=["users", "set-role", "--email", factory.user(Role.ADMIN).email, "--role", "police"])
    assert admin_without_home.exit_code != 0 and "belong to a municipality" in admin_without_home.output


def test_details_never_hold_email_addresses_or_phone_numbers(db, factory):
    user = factory.user()
    record("test.action", subject=user, note="sent to eva@exempel.se and +46701234567", count=3)
    db.session.commit()
    (event,) = events(db)
    assert event.details == {"note": "sent to e***@exempel.se and +46 70 *** ** 67", "count": 3}


def test_coordinators_read_their_municipality_admins_all_others_nothing(db, factory, login):
    home, other = factory.municipality("Oxelösund", "0481"), factory.municipality("Nyköping", "0480")
    record(actions.PASSWORD_CHANGED, subject=factory.user(Role.RESIDENT, home))
    record(actions.DATA_EXPORTED, subject=factory.user(Role.RESIDENT, other), format="json")
    db.session.commit()

    page = listed(login(factory.user(Role.COORDINATOR, home)).get("/audit"))
    assert "Lösenord bytt" in page and "Personuppgifter nedladdade" not in page
    assert "konto " in page  # what the event is about, in Swedish
    everything = listed(login(factory.user(Role.ADMIN)).get("/audit"))
    assert "Lösenord bytt" in everything and "Personuppgifter nedladdade" in everything
    assert login(factory.user(Role.POLICE, home)).get("/audit").status_code == 403
    assert login(factory.user(Role.RESIDENT, home)).get("/audit").status_code == 403


def test_filter_by_action_and_paginate_with_few_queries(db, factory, login):
    home = factory.municipality()
    subject = factory.user(Role.RESIDENT, home)
    actors = [factory.user(Role.RESIDENT, home) for _ in range(3)]
    for n in range(120):
        record(actions.PASSWORD_CHANGED if n % 2 else actions.DATA_EXPORTED, subject=subject, actor=actors[n % 3])
    db.session.commit()
    client = login(factory.user(Role.COORDINATOR, home))

    filtered = client.get("/audit?action=auth.password_changed").get_data(as_text=True)
    assert "Personuppgifter nedladdade" not in filtered.partition('class="audit-list"')[2]
    assert "Sida 1 av 2" in filtered and "action=auth.password_changed" in filtered
    assert "Sida 2 av 2" in client.get("/audit?action=auth.password_changed&page=2").get_data(as_text=True)
    assert "Sida 1 av 3" in client.get("/audit?action=nonsense").get_data(as_text=True)  # unknown filter: all

    with count_queries(db.engine) as queries:
        assert client.get("/audit?page=2").status_code == 200
    assert queries.count <= 6, queries


def test_events_older_than_the_retention_period_are_purged(app, db, factory):
    user = factory.user()
    old, recent = record(actions.PASSWORD_CHANGED, subject=user), record(actions.PASSWORD_CHANGED, subject=user)
    old.created_at = utcnow() - timedelta(days=app.config["AUDIT_RETENTION_DAYS"] + 1)
    db.session.commit()
    assert purge_expired() == 1
    db.session.commit()
    assert [e.id for e in events(db)] == [recent.id]
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 1


def _decide(client, group, decision, **form):
    response = client.post(f"/coordinator/groups/{group.id}/{decision}", data=form)
    assert response.status_code == 302, decision


def test_group_decisions_contact_persons_and_register_downloads_are_audited_for_that_municipality(db, factory, login):
    home, other = factory.municipality("Oxelösund", "0481"), factory.municipality("Nyköping", "0480")
    coordinator = factory.user(Role.COORDINATOR, home)
    applicant, member = factory.user(Role.RESIDENT, home), factory.user(Role.RESIDENT, home)
    pending = [make_group(applicant, status=GroupStatus.PENDING, name=f"Brandstorp {n}") for n in range(3)]
    approved = make_group(applicant, members=[member], name="Västra vägen")
    client = login(coordinator)
    _decide(client, pending[0], "approve")
    _decide(client, pending[1], "reject", reason="Gruppen finns redan, ring Eva på 070-123 45 67.")
    _decide(client, pending[2], "request-change", note="Lägg till gatorna norr om skolan.")
    _decide(client, approved, "archive")
    live = make_group(applicant, members=[member], name="Jogersö")
    membership = db.session.scalar(select(Membership).where(Membership.group_id == live.id,
                                                            Membership.user_id == member.id))
    contact = login(applicant)
    contact.post(f"/groups/{live.id}/members/{membership.id}/make-contact")
    contact.post(f"/groups/{live.id}/members/{membership.id}/remove")
    assert client.get("/coordinator/groups/contacts.csv").status_code == 200

    recorded = [(e.action, e.subject_type, e.subject_id, e.actor_id, e.details) for e in events(db)
                if e.action.startswith("group.")]
    assert recorded == [
        (actions.GROUP_APPROVED, "Group", pending[0].id, coordinator.id, {}),
        (actions.GROUP_REJECTED, "Group", pending[1].id, coordinator.id, {}),  # the reason is free text: not here
        (actions.GROUP_CHANGE_REQUESTED, "Group", pending[2].id, coordinator.id, {}),
        (actions.GROUP_ARCHIVED, "Group", approved.id, coordinator.id, {}),
        (actions.CONTACT_MADE, "Group", live.id, applicant.id, {"user": member.id}),
        (actions.CONTACT_REMOVED, "Group", live.id, applicant.id, {"user": member.id}),
        (actions.REGISTER_EXPORTED, None, None, coordinator.id, {"rows": 3}),  # contact persons of live groups
    ]
    assert {e.municipality_id for e in events(db) if e.action.startswith("group.")} == {home.id}

    page = listed(client.get("/audit"))
    for label in ("Grupp godkänd", "Grupp avslagen", "Ändring begärd av gruppens sökande", "Grupp arkiverad",
                  "Kontaktombud utsett", "Kontaktombud borttaget", "Registret över kontaktombud nedladdat"):
        assert label in page
    # Neither the phone number in the reason nor the note's text (a bare "070" could be a time's microseconds).
    assert "123 45 67" not in page and "1234567" not in page and "skolan" not in page
    elsewhere = listed(login(factory.user(Role.COORDINATOR, other)).get("/audit"))
    assert "Grupp" not in elsewhere and "Kontaktombud" not in elsewhere


def test_staff_reading_an_observation_is_audited_once_a_day_and_so_are_forwarding_and_closing(db, factory, login):
    home, other = factory.municipality("Oxelösund", "0481"), factory.municipality("Nyköping", "0480")
    reporter = factory.user(Role.RESIDENT, home)
    coordinator, police = factory.user(Role.COORDINATOR, home), factory.user(Role.POLICE, home)
    group = observation_group(db, home, members=[reporter])
    with stored_photo(clean_photo(io.BytesIO(photo_with_gps((300, 200))))) as name:
        seen = file_observation(db, reporter, group, photo_path=name)
    closed = file_observation(db, reporter, group)
    login(reporter).get(f"/observations/{seen.id}")  # the reporter's own reading is not audited
    client = login(coordinator)
    for url in (f"/observations/{seen.id}", f"/observations/{seen.id}/photo", f"/observations/{seen.id}"):
        assert client.get(url).status_code == 200
    assert [(e.actor_id, e.subject_id) for e in events(db, actions.OBSERVATION_VIEWED)] == [(coordinator.id, seen.id)]

    client.post(f"/observations/{seen.id}/status", data={"status": "forwarded", "note": "Polisen vet."})
    client.post(f"/observations/{closed.id}/status", data={"status": "seen"})
    client.post(f"/observations/{closed.id}/status", data={"status": "closed"})
    assert login(police).get(f"/observations/{seen.id}").status_code == 200
    db.session.execute(update(AuditEvent).values(created_at=utcnow() - timedelta(days=1)))
    db.session.commit()
    client.get(f"/observations/{seen.id}/photo")  # a new day: read again, logged again

    recorded = [(e.action, e.subject_id, e.actor_id) for e in events(db) if e.action.startswith("observation.")]
    assert recorded == [
        (actions.OBSERVATION_VIEWED, seen.id, coordinator.id),
        (actions.OBSERVATION_FORWARDED, seen.id, coordinator.id),
        (actions.OBSERVATION_CLOSED, closed.id, coordinator.id),
        (actions.OBSERVATION_VIEWED, seen.id, police.id),
        (actions.OBSERVATION_VIEWED, seen.id, coordinator.id),
    ]
    page = listed(client.get("/audit"))
    assert "Iakttagelse visad" in page and "Iakttagelse vidarebefordrad till polisen" in page
    assert "Iakttagelse avslutad" in page and f"iakttagelse {seen.id}" in page and "Polisen vet" not in page
    assert "Iakttagelse" not in listed(login(factory.user(Role.COORDINATOR, other)).get("/audit"))

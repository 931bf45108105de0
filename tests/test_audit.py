"""The audit log: what is recorded, who may read it, and that it stays cheap to page through."""
from datetime import timedelta

from sqlalchemy import func, select

from watch.audit import actions
from watch.audit.services import purge_expired, record
from watch.models import AuditEvent, Role, utcnow
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

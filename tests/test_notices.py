"""Issue 14 part 4: people hear about what happens to a report, in their language and by their channel.

The reporter when it changes state or gets a note; the police of the municipality when observations are
forwarded (a burst makes one message); coordinators of new observations and inbox SMS, each one or one
summary every morning. Messages are read where a person would see them: the outbox (email and SMS).
"""
import threading
from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.observation_support import file_observation, make_group
from watch.jobs import huey
from watch.models import (
    AlertChannel, Channel, NoticeChoice, Observation, ObservationCategory, ObservationStatus, OutboxMessage, Role,
    SummaryItem, utcnow,
)
from watch.observations import notices

STOCKHOLM = ZoneInfo("Europe/Stockholm")
URL = "http://127.0.0.1:5000"
SECRET_WORDS = ("skåpbil", "Västra vägen 12", "ABC", "Polisen är informerad")


def by_sms(user, phone):
    user.phone = user.verified_phone = phone
    user.alert_channel = AlertChannel.SMS
    return user


@pytest.fixture
def world(db, factory):
    """Oxelösund: a group, two reporters (one English-speaking, by SMS), coordinators, police (one English-speaking
    officer from Nyköping who also covers Oxelösund); Nyköping and Norrköping beside it with their own staff."""
    oxelosund = factory.municipality("Oxelösund", "0481")
    nykoping = factory.municipality("Nyköping", "0480")
    norrkoping = factory.municipality("Norrköping", "0581")
    reporter = factory.user(Role.RESIDENT, oxelosund, name="Maria Holm")
    english = by_sms(factory.user(Role.RESIDENT, oxelosund, name="Tom Wilson", locale="en"), "+46701234561")
    neighbour = factory.user(Role.RESIDENT, oxelosund, name="Eva Sjöberg")
    group = make_group(db, oxelosund, members=[reporter, english, neighbour])
    w = SimpleNamespace(
        oxelosund=oxelosund, nykoping=nykoping, norrkoping=norrkoping, group=group,
        reporter=reporter, english=english, neighbour=neighbour,
        coordinator=factory.user(Role.COORDINATOR, oxelosund, name="Karin Lindqvist"),
        police=by_sms(factory.user(Role.POLICE, oxelosund, name="Johan Berg"), "+46701234562"),
        covering_police=factory.user(Role.POLICE, nykoping, name="Sarah Miller", locale="en", covers=[oxelosund]),
        nykoping_coordinator=factory.user(Role.COORDINATOR, nykoping, name="Amir Haddad"),
        nykoping_police=factory.user(Role.POLICE, nykoping, name="Lena Ek"),
        norrkoping_coordinator=factory.user(Role.COORDINATOR, norrkoping, name="Sven Ek"),
        norrkoping_police=factory.user(Role.POLICE, norrkoping, name="Per Nilsson"),
    )
    db.session.commit()
    return w


def messages(db, user=None, channel=None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if user is not None:
        query = query.where(OutboxMessage.user_id == user.id)
    if channel is not None:
        query = query.where(OutboxMessage.channel == channel)
    return list(db.session.scalars(query))


def recipients(db) -> set[int]:
    return set(db.session.scalars(select(OutboxMessage.user_id)))


def triage(client, observation, status, note=""):
    return client.post(f"/observations/{observation.id}/status", data={"status": status, "note": note})


def scheduled_announcements() -> list:
    return [task for task in huey.scheduled() if task.name.endswith("announce_forwards")]


# ---- the reporter ----------------------------------------------------------------------------------------

def test_the_reporter_hears_of_each_step_in_their_language_and_channel_never_the_text(world, db, login):
    swedish = file_observation(db, world.reporter, world.group)
    english = file_observation(db, world.english, world.group, category=ObservationCategory.BURGLARY)
    coordinator = login(world.coordinator)

    assert triage(coordinator, swedish, "forwarded", "Polisen är informerad.").status_code == 302
    [email] = messages(db, world.reporter)  # she chose no SMS: email only
    assert email.channel == Channel.EMAIL and email.recipient == world.reporter.email
    assert email.subject == "Din iakttagelse har nu status: Vidarebefordrad till polisen"
    assert "Samordnaren har också skrivit ett meddelande till dig." in email.body
    assert f"{URL}/observations/{swedish.id}" in email.body
    assert not any(word in email.body for word in SECRET_WORDS)

    triage(coordinator, english, "seen")
    email, sms = messages(db, world.english, Channel.EMAIL), messages(db, world.english, Channel.SMS)
    assert [m.subject for m in email] == ["Your observation is now: Seen by the coordinator"]
    assert "also written you a note" not in email[0].body
    assert [m.body for m in sms] == \
        [f"Your observation is now: Seen by the coordinator. {URL}/observations/{english.id}"]
    assert sms[0].recipient == "+46701234561"

    triage(coordinator, english, "seen", "Vi tittar på det i morgon.")  # the same step again: only a note
    assert messages(db, world.english, Channel.SMS)[-1].body == \
        f"A note about your observation. {URL}/observations/{english.id}"
    assert "Vi tittar" not in messages(db, world.english, Channel.EMAIL)[-1].body

    # Nobody but the reporters heard of their reports (the police hear later, in one message: below).
    assert recipients(db) == {world.reporter.id, world.english.id}


def test_a_refused_step_or_a_failed_request_tells_nobody(world, db, login, monkeypatch):
    from watch.observations import routes

    observation = file_observation(db, world.reporter, world.group)
    coordinator = login(world.coordinator)
    triage(coordinator, observation, "closed")
    triage(coordinator, observation, "forwarded", "Försök igen.")  # closed is final: refused
    assert len(messages(db, world.reporter)) == 1

    other = file_observation(db, world.reporter, world.group)
    huey.storage.flush_schedule()

    def broken_flash(*args, **kwargs):
        raise RuntimeError("the page could not be finished")

    monkeypatch.setattr(routes, "flash", broken_flash)  # fails after the step was taken and announced
    assert triage(coordinator, other, "forwarded", "Polisen är informerad.").status_code == 500
    db.session.refresh(other)
    assert other.status == ObservationStatus.NEW
    assert len(messages(db, world.reporter)) == 1 and scheduled_announcements() == []
    assert notices.tell_police_of_forwards(utcnow()) == 0
    assert not messages(db, world.police)


# ---- the police --------------------------------------------------------------------------------------------

def test_ten_forwards_in_a_few_minutes_make_one_message_per_officer_with_the_count(world, db, login):
    huey.storage.flush_schedule()
    observations = [file_observation(db, world.reporter, world.group) for _ in range(10)]
    nykoping_group = make_group(db, world.nykoping, name="Ekensberg", postcodes=("61145",))
    in_nykoping = file_observation(db, world.reporter, nykoping_group)
    coordinator = login(world.coordinator)
    for observation in observations:
        assert triage(coordinator, observation, "forwarded").status_code == 302
    triage(login(world.nykoping_coordinator), in_nykoping, "forwarded")

    police = [world.police, world.covering_police, world.nykoping_police, world.norrkoping_police]
    assert not any(messages(db, officer) for officer in police), "the police hear a few minutes later, not at once"
    now = utcnow().replace(tzinfo=None)  # Huey keeps naive UTC
    due = [task.eta for task in scheduled_announcements()]
    assert len(due) == 11 and all(timedelta(minutes=4) < eta - now <= timedelta(minutes=5) for eta in due)

    notices.announce_forwards.call_local()  # the first job, five minutes after the first forward
    for _ in range(10):
        notices.announce_forwards.call_local()  # the jobs of the other forwards find nothing left to tell

    [email] = messages(db, world.police, Channel.EMAIL)
    assert email.subject == "10 iakttagelser vidarebefordrade till polisen"
    assert "Oxelösund har vidarebefordrat 10 iakttagelser till polisen." in email.body
    assert f"{URL}/police/observations" in email.body
    [sms] = messages(db, world.police, Channel.SMS)
    assert sms.body == f"10 iakttagelser vidarebefordrade till polisen. {URL}/police/observations"

    [covering] = messages(db, world.covering_police)  # covers both: one message, in English, by municipality
    assert covering.subject == "11 observations forwarded to the police"
    assert "- Nyköping: 1\n- Oxelösund: 10" in covering.body
    [nykoping] = messages(db, world.nykoping_police)
    assert nykoping.subject == "1 iakttagelse vidarebefordrad till polisen"
    assert not messages(db, world.norrkoping_police)
    assert not any(word in m.body for m in messages(db) for word in SECRET_WORDS)

    # A forward later on is a new message of its own.
    late = file_observation(db, world.reporter, world.group)
    triage(coordinator, late, "forwarded")
    notices.announce_forwards.call_local()
    assert [m.subject for m in messages(db, world.police, Channel.EMAIL)][-1] == \
        "1 iakttagelse vidarebefordrad till polisen"
    assert len(messages(db, world.nykoping_police)) == 1


def test_two_workers_announcing_at_the_same_moment_tell_each_officer_once(world, db, login, app):
    coordinator = login(world.coordinator)
    errors, told = [], []
    for round_ in range(1, 4):
        for observation in [file_observation(db, world.reporter, world.group) for _ in range(3)]:
            triage(coordinator, observation, "forwarded")
        start = threading.Barrier(2)

        def worker():
            try:
                with app.app_context():
                    start.wait()
                    told.append(notices.tell_police_of_forwards(utcnow()))
                    db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)

        workers = [threading.Thread(target=worker) for _ in range(2)]
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join(timeout=30)
        assert not errors and sorted(told[-2:]) == [0, 3]
        assert [m.subject for m in messages(db, world.police, Channel.EMAIL)] == \
            ["3 iakttagelser vidarebefordrade till polisen"] * round_


def test_the_sweep_tells_of_forwards_whose_job_was_lost_but_leaves_a_fresh_burst_to_its_job(world, db, login):
    lost, fresh = (file_observation(db, world.reporter, world.group) for _ in range(2))
    coordinator = login(world.coordinator)
    triage(coordinator, lost, "forwarded")
    triage(coordinator, fresh, "forwarded")
    db.session.refresh(lost)
    lost.status_changed_at = utcnow() - timedelta(minutes=20)  # its job never ran
    db.session.commit()

    notices.announce_forgotten_forwards.call_local()
    assert [m.subject for m in messages(db, world.police, Channel.EMAIL)] == \
        ["1 iakttagelse vidarebefordrad till polisen"]
    db.session.refresh(fresh)
    assert fresh.police_notified_at is None  # its own job, a few minutes from now, tells of it with its burst


# ---- coordinators -------------------------------------------------------------------------------------------

def test_new_observations_reach_the_coordinators_who_chose_each_one_by_their_channel(world, db, login, factory):
    english = by_sms(factory.user(Role.COORDINATOR, world.oxelosund, name="Anna Svensson", locale="en"),
                     "+46701234563")
    daily = factory.user(Role.COORDINATOR, world.oxelosund, name="Olle Berg")
    off = factory.user(Role.COORDINATOR, world.oxelosund, name="Ingrid Ek")
    db.session.commit()
    login(daily).post("/coordinator/observations/email", data={"notices": "daily"})
    login(off).post("/coordinator/observations/email", data={"notices": "off"})

    login(world.reporter).post("/observations/new", data={
        "group": str(world.group.id), "category": "suspicious_vehicle", "location": "Västra vägen 12",
        "observed_at": (utcnow() - timedelta(minutes=30)).astimezone(STOCKHOLM).strftime("%Y-%m-%dT%H:%M"),
        "description": "En vit skåpbil körde sakta förbi.", "vehicle_registration": "ABC 123"})
    observation = db.session.scalar(select(Observation))

    assert recipients(db) == {world.coordinator.id, english.id}  # not daily, off, nor Nyköping's or Norrköping's
    assert [m.subject for m in messages(db, world.coordinator)] == ["Ny iakttagelse: Misstänkt fordon"]
    [sms] = messages(db, english, Channel.SMS)
    assert sms.body == f"New observation: Suspicious vehicle. {URL}/observations/{observation.id}"
    assert not any(word in m.body for m in messages(db) for word in SECRET_WORDS)


def test_a_new_inbox_sms_reaches_the_coordinators_who_chose_each_one_and_is_counted_for_the_summary(
        world, db, factory):
    english = by_sms(factory.user(Role.COORDINATOR, world.oxelosund, name="Anna Svensson", locale="en"),
                     "+46701234563")
    daily = factory.user(Role.COORDINATOR, world.oxelosund, name="Olle Berg")
    daily.coordinator_notices = NoticeChoice.DAILY
    db.session.commit()

    notices.notify_coordinators_of_inbox_sms(world.oxelosund.id, "/coordinator/sms")
    db.session.commit()  # the inbox stores the SMS in the same transaction; messages leave after it

    assert recipients(db) == {world.coordinator.id, english.id}
    assert [m.subject for m in messages(db, world.coordinator)] == ["Nytt sms i inkorgen"]
    assert f"{URL}/coordinator/sms" in messages(db, world.coordinator)[0].body
    assert [m.body for m in messages(db, english, Channel.SMS)] == [f"New SMS in the inbox. {URL}/coordinator/sms"]
    assert db.session.scalar(select(func.count(SummaryItem.id)).where(
        SummaryItem.municipality_id == world.oxelosund.id)) == 1


def test_the_daily_summary_counts_yesterday_once_and_says_nothing_on_a_quiet_day(world, db, login, factory):
    english = by_sms(factory.user(Role.COORDINATOR, world.oxelosund, name="Anna Svensson", locale="en"),
                     "+46701234563")
    db.session.commit()
    for coordinator in (world.coordinator, english, world.nykoping_coordinator):
        login(coordinator).post("/coordinator/observations/email", data={"notices": "daily"})
    every = factory.user(Role.COORDINATOR, world.oxelosund, name="Olle Berg")  # each one: no summary

    now = utcnow() + timedelta(days=1)  # the first morning after they chose it
    due = notices.summary_due(now)
    assert due.astimezone(STOCKHOLM).hour == 7 and now - timedelta(days=1) < due <= now
    for category, age in [(ObservationCategory.SUSPICIOUS_VEHICLE, timedelta(hours=1)),
                          (ObservationCategory.SUSPICIOUS_VEHICLE, timedelta(hours=23)),
                          (ObservationCategory.BURGLARY, timedelta(hours=12)),
                          (ObservationCategory.VANDALISM, timedelta(hours=25)),  # the day before: not counted
                          (ObservationCategory.VANDALISM, -timedelta(minutes=5))]:  # after 07:00: tomorrow's
        file_observation(db, world.reporter, world.group, category=category).created_at = due - age
    for age in (timedelta(hours=2), timedelta(hours=30)):
        db.session.add(SummaryItem(municipality_id=world.oxelosund.id, kind="inbox_sms", created_at=due - age))
    db.session.commit()
    before = len(messages(db))

    assert notices.send_daily_summaries(now) == 2
    db.session.commit()
    assert notices.send_daily_summaries(now + timedelta(minutes=1)) == 0  # a second worker: already sent
    db.session.commit()

    sent = messages(db)[before:]
    assert {m.user_id for m in sent} == {world.coordinator.id, english.id}  # not Nyköping's: nothing happened there
    [swedish] = [m for m in sent if m.user_id == world.coordinator.id]
    assert swedish.subject == "Dagens sammanfattning: 3 nya iakttagelser, 1 sms i inkorgen"
    assert "- Misstänkt fordon: 2\n- Inbrott eller inbrottsförsök: 1" in swedish.body
    assert "Skadegörelse" not in swedish.body and f"{URL}/coordinator/observations" in swedish.body
    [sms] = [m for m in sent if m.user_id == english.id and m.channel == Channel.SMS]
    assert sms.body == f"Daily summary: 3 new observations, 1 SMS in the inbox. {URL}/coordinator/observations"
    assert every.id not in {m.user_id for m in sent}

    # The next morning nothing was reported: no summary at all.
    db.session.execute(Observation.__table__.delete())
    db.session.commit()
    assert notices.send_daily_summaries(now + timedelta(days=1)) == 0
    db.session.commit()
    assert len(messages(db)) == before + len(sent)


def test_the_summary_hour_is_seven_in_swedish_time_across_daylight_saving_changes(app):
    with app.app_context():
        for local_now, expected in [
            (datetime(2026, 3, 29, 8, 0), datetime(2026, 3, 29, 7, 0)),  # the morning clocks went forward
            (datetime(2026, 10, 25, 6, 59), datetime(2026, 10, 24, 7, 0)),  # before 07:00: yesterday's
            (datetime(2026, 10, 25, 7, 0), datetime(2026, 10, 25, 7, 0)),
        ]:
            due = notices.summary_due(local_now.replace(tzinfo=STOCKHOLM).astimezone(ZoneInfo("UTC")))
            assert due.astimezone(STOCKHOLM).replace(tzinfo=None) == expected


def test_choosing_the_daily_summary_starts_with_the_next_morning(world, db, login):
    login(world.coordinator).post("/coordinator/observations/email", data={"notices": "daily"})
    file_observation(db, world.reporter, world.group).created_at = notices.summary_due(utcnow()) - timedelta(hours=1)
    db.session.commit()
    assert notices.send_daily_summaries(utcnow() + timedelta(minutes=5)) == 0  # not of a day told one by one
    db.session.commit()
    assert not messages(db, world.coordinator)


# ---- the migration --------------------------------------------------------------------------------------

def test_the_migration_turns_notices_on_for_existing_coordinators_and_keeps_old_forwards_quiet(tmp_path):
    from flask_migrate import upgrade
    from sqlalchemy import text

    from tests.test_migrations import fresh_database_url
    from watch import create_app
    from watch.extensions import db

    url, drop = fresh_database_url(tmp_path)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    forwarded_at = datetime(2026, 11, 20, 9, 30, tzinfo=ZoneInfo("UTC"))
    try:
        with app.app_context():
            upgrade(revision="b7e2d4a91c05")
            with db.engine.begin() as c:
                c.execute(text("INSERT INTO municipality (id, name, slug, code, created_at) "
                               "VALUES (1, 'Oxelösund', 'oxelosund', '0481', :t)"), {"t": forwarded_at})
                for id_, role, asked in [(1, "coordinator", False), (2, "coordinator", True), (3, "resident", False)]:
                    c.execute(text(
                        'INSERT INTO "user" (id, name, email, password_hash, locale, role, active, created_at, '
                        "session_token, email_new_observations, municipality_id) VALUES (:id, 'Karin', :email, 'x', "
                        "'sv', :role, :yes, :t, :token, :asked, 1)"),
                        {"id": id_, "email": f"p{id_}@exempel.se", "role": role, "yes": True, "t": forwarded_at,
                         "token": f"token{id_}", "asked": asked})
                c.execute(text("INSERT INTO watch_group (id, municipality_id, kind, status, name, area_description, "
                               "created_at) VALUES (1, 1, 'neighbourhood', 'approved', 'Västra vägen', 'Västra vägen', "
                               ":t)"), {"t": forwarded_at})
                for id_, status in [(1, "forwarded"), (2, "new")]:
                    c.execute(text(
                        "INSERT INTO observation (id, group_id, municipality_id, category, observed_at, observed_week,"
                        " location, description, status, notable, created_at, status_changed_at) VALUES (:id, 1, 1,"
                        " 'burglary', :t, '2026-W47', '', '', :status, :no, :t, :t)"),
                        {"id": id_, "status": status, "t": forwarded_at, "no": False})
            upgrade()
            with db.engine.connect() as c:
                notices_of = dict(c.execute(text('SELECT id, coordinator_notices FROM "user"')).all())
                told = dict(c.execute(text("SELECT id, police_notified_at FROM observation")).all())
            assert notices_of[1] == notices_of[2] == "each"
            assert told[1] is not None and told[2] is None
            db.engine.dispose()
    finally:
        drop()

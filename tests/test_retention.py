"""Retention beyond observations and the audit log (issue 15, item 9): SMS received, phone codes, the numbers
alerts went to, alert texts and the household lists of archived groups, each after its configurable period."""
from datetime import timedelta

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, event, func, insert, select

from tests.observation_support import make_group
from watch.alerts import retention as alert_retention
from watch.core import retention
from watch.groups import retention as group_retention
from watch.jobs import huey
from watch.messaging import retention as messaging_retention
from watch.models import (
    Alert, AlertAudience, AlertStatus, AlertTarget, Base, Delivery, DeliveryChannel, DeliveryStatus, GroupStatus,
    OptOutSource, PhoneVerification, Role, RosterHousehold, SmsOptOut, SmsReply, SmsReplyKind, utcnow,
)

DAY = timedelta(days=1)


@pytest.fixture
def town(db, factory):
    oxelosund = factory.municipality("Oxelösund", "0481")
    return {
        "municipality": oxelosund,
        "police": factory.user(Role.POLICE, oxelosund, name="Johan Berg"),
        "eva": factory.user(Role.RESIDENT, oxelosund, name="Eva Sjöberg", phone="+46701234505"),
    }


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# ---- SMS received ------------------------------------------------------------------------------------

def reply(db, sid, days_ago, kind=SmsReplyKind.MESSAGE, body="Tack, vi håller utkik.", user=None):
    row = SmsReply(provider_sid=sid, phone="+46701234505", body=body, kind=kind, user_id=user.id if user else None,
                   municipality_id=user.municipality_id if user else None, received_at=utcnow() - days_ago * DAY)
    db.session.add(row)
    db.session.commit()
    return row


def test_sms_received_are_deleted_after_the_period_and_a_stop_stays_in_force(db, town, app, monkeypatch):
    old = reply(db, "SM-old", 91, user=town["eva"])
    stop = reply(db, "SM-stop", 200, SmsReplyKind.STOP, "STOPP")
    db.session.add(SmsOptOut(phone="+46701234505", source=OptOutSource.SMS))
    recent = reply(db, "SM-recent", 89, user=town["eva"])  # a member's: an unknown number's goes after 30 days
    db.session.commit()
    old_id, stop_id, recent_id = old.id, stop.id, recent.id

    messaging_retention.purge_old_sms_replies()

    db.session.expire_all()
    assert db.session.get(SmsReply, old_id) is None and db.session.get(SmsReply, stop_id) is None
    assert db.session.get(SmsReply, recent_id) is not None
    assert db.session.get(SmsOptOut, "+46701234505") is not None  # the number still gets no SMS
    monkeypatch.setitem(app.config, "SMS_RETENTION_DAYS", 30)
    messaging_retention.purge_old_sms_replies()
    assert count(db, SmsReply) == 0


def test_deleting_old_rows_takes_what_other_tables_hold_about_them(db, town):
    """A table that points at sms_reply (the SMS inbox's answers) needs no change to the job: its rows go with
    the SMS when its key says CASCADE (which SQLite does not enforce), SET NULL links are cleared, and a key
    without a rule stops the job rather than guess."""
    metadata = MetaData()
    SmsReply.__table__.to_metadata(metadata)
    answers = Table("retention_test_answer", metadata, Column("id", Integer, primary_key=True),
                    Column("reply_id", ForeignKey("sms_reply.id", ondelete="CASCADE")), Column("body", String(50)))
    notes = Table("retention_test_note", metadata, Column("id", Integer, primary_key=True),
                  Column("answer_id", ForeignKey("retention_test_answer.id", ondelete="CASCADE")))
    links = Table("retention_test_link", metadata, Column("id", Integer, primary_key=True),
                  Column("reply_id", ForeignKey("sms_reply.id", ondelete="SET NULL"), nullable=True))
    created = [answers, notes, links]
    metadata.create_all(db.engine, tables=created)
    try:
        old, recent = reply(db, "SM-old", 100), reply(db, "SM-recent", 1)
        db.session.execute(insert(answers), [{"id": 1, "reply_id": old.id, "body": "Svar"},
                                             {"id": 2, "reply_id": recent.id, "body": "Svar"}])
        db.session.execute(insert(notes), [{"id": 1, "answer_id": 1}, {"id": 2, "answer_id": 2}])
        db.session.execute(insert(links), [{"id": 1, "reply_id": old.id}, {"id": 2, "reply_id": recent.id}])
        db.session.commit()
        cutoff = utcnow() - 90 * DAY
        retention.in_batches(
            select(SmsReply.id).where(SmsReply.received_at < cutoff).order_by(SmsReply.id),
            lambda ids: retention.delete_with_dependants(SmsReply.__table__, ids, metadata))
        assert db.session.execute(select(answers.c.id)).scalars().all() == [2]
        assert db.session.execute(select(notes.c.id)).scalars().all() == [2]
        assert db.session.execute(select(links.c.id, links.c.reply_id).order_by(links.c.id)).all() == [
            (1, None), (2, recent.id)]
        assert db.session.scalars(select(SmsReply.provider_sid)).all() == ["SM-recent"]

        Table("retention_test_unruly", metadata, Column("id", Integer, primary_key=True),
              Column("reply_id", ForeignKey("sms_reply.id")))
        with pytest.raises(retention.RetentionBlocked, match="retention_test_unruly.reply_id points at sms_reply"):
            retention.delete_with_dependants(SmsReply.__table__, [recent.id], metadata)
    finally:
        db.session.rollback()
        metadata.drop_all(db.engine, tables=created)


@pytest.mark.parametrize("table", [SmsReply.__table__, PhoneVerification.__table__, RosterHousehold.__table__],
                         ids=lambda table: table.name)
def test_every_key_pointing_at_rows_a_retention_job_deletes_says_what_happens_to_its_rows(table):
    """Otherwise the nightly job stops (RetentionBlocked): a new table that refers to SMS received (their
    answers), phone codes or households declares ondelete CASCADE or SET NULL."""
    unruly = [f"{other.name}.{key.parent.name}" for other, key in retention._referencing(table, Base.metadata)
              if (key.ondelete or "").upper() not in ("CASCADE", "SET NULL")]
    assert not unruly


# ---- phone verification codes ------------------------------------------------------------------------

def test_phone_verification_records_are_deleted_after_the_period(db, town, app, monkeypatch):
    for days_ago in (31, 29):
        db.session.add(PhoneVerification(user_id=town["eva"].id, phone="+46701234505", code_hash="x" * 64,
                                         created_at=utcnow() - days_ago * DAY,
                                         expires_at=utcnow() - days_ago * DAY + timedelta(minutes=10)))
    db.session.commit()
    messaging_retention.purge_old_phone_verifications()
    assert [round((utcnow() - v.created_at) / DAY) for v in db.session.scalars(select(PhoneVerification))] == [29]
    monkeypatch.setitem(app.config, "VERIFICATION_RETENTION_DAYS", 7)
    messaging_retention.purge_old_phone_verifications()
    assert count(db, PhoneVerification) == 0


# ---- alerts: the numbers they went to, their text --------------------------------------------------

def alert(db, town, days_ago, body, status=AlertStatus.SENT, deliveries=(DeliveryStatus.DELIVERED,)):
    sent = utcnow() - days_ago * DAY
    row = Alert(municipality=town["municipality"], author=town["police"], body=body, target=AlertTarget.MUNICIPALITY,
                target_description="", audience=AlertAudience.CONTACTS, status=status, created_at=sent,
                valid_until=sent + timedelta(hours=4))
    db.session.add(row)
    for n, state in enumerate(deliveries):
        db.session.add(Delivery(alert=row, user=town["eva"] if n == 0 else None, channel=DeliveryChannel.SMS,
                                phone=f"+4670123450{n}", status=state))
    db.session.commit()
    return row


def phones(db, an_alert):
    return sorted(p or "" for p in db.session.scalars(select(Delivery.phone).where(Delivery.alert_id == an_alert.id)))


def test_the_numbers_alerts_went_to_are_cleared_after_the_period_and_the_deliveries_stay(db, town, app, login,
                                                                                           monkeypatch):
    old = alert(db, town, 91, "Gammalt utskick.", deliveries=(DeliveryStatus.DELIVERED, DeliveryStatus.FAILED,
                                                              DeliveryStatus.QUEUED))
    recent = alert(db, town, 89, "Nytt utskick.")
    alert_retention.forget_old_delivery_phones()
    db.session.expire_all()
    # The delivered and failed ones lose the number; one still queued (it should not be) keeps it.
    assert phones(db, old) == ["", "", "+46701234502"]
    assert phones(db, recent) == ["+46701234500"]
    assert db.session.scalar(select(func.count()).where(Delivery.alert_id == old.id)) == 3
    page = login(town["police"]).get(f"/alerts/{old.id}")
    assert page.status_code == 200 and "Eva Sjöberg" in page.get_data(as_text=True)
    monkeypatch.setitem(app.config, "DELIVERY_RETENTION_DAYS", 30)
    alert_retention.forget_old_delivery_phones()
    db.session.expire_all()
    assert phones(db, recent) == [""]


def test_alert_texts_are_removed_after_the_period_and_pages_say_so(db, town, app, login, monkeypatch):
    old = alert(db, town, 366, "Man i röd jacka provade bildörrar på Tallvägen.")
    recent = alert(db, town, 300, "Lås era förråd.")
    draft = alert(db, town, 400, "Ett utkast.", status=AlertStatus.DRAFT, deliveries=())
    alert_retention.remove_old_alert_texts()
    db.session.expire_all()
    assert (old.body, recent.body, draft.body) == ("", "Lås era förråd.", "Ett utkast.")
    assert old.target_description == "" and old.status == AlertStatus.SENT  # the alert itself stays
    page = login(town["police"]).get(f"/alerts/{old.id}").get_data(as_text=True)
    assert "röd jacka" not in page
    assert "Utskickets text är borttagen: utskick sparar sin text i 365 dagar." in page
    monkeypatch.setitem(app.config, "ALERT_TEXT_RETENTION_DAYS", 200)
    alert_retention.remove_old_alert_texts()
    db.session.expire_all()
    assert recent.body == ""


# ---- household lists of archived groups --------------------------------------------------------------

def test_household_lists_of_groups_archived_longer_than_the_period_are_deleted(db, town, app, monkeypatch):
    municipality = town["municipality"]
    long_ago = make_group(db, municipality, name="Ramdalen", status=GroupStatus.ARCHIVED)
    lately = make_group(db, municipality, name="Femöre", status=GroupStatus.ARCHIVED)
    active = make_group(db, municipality, name="Västra vägen")
    long_ago.decided_at, lately.decided_at, active.decided_at = utcnow() - 91 * DAY, utcnow() - 89 * DAY, \
        utcnow() - 400 * DAY
    for group in (long_ago, lately, active):
        db.session.add_all([RosterHousehold(group_id=group.id, address=f"{group.name} {n}") for n in (1, 2, 3)])
    db.session.commit()

    group_retention.purge_old_archived_rosters()

    left = db.session.execute(select(RosterHousehold.group_id, func.count()).group_by(RosterHousehold.group_id))
    assert dict(left.all()) == {lately.id: 3, active.id: 3}
    assert db.session.get(type(long_ago), long_ago.id).status == GroupStatus.ARCHIVED  # the group stays
    monkeypatch.setitem(app.config, "ROSTER_RETENTION_DAYS", 30)
    group_retention.purge_old_archived_rosters()
    assert db.session.scalar(select(func.count()).select_from(RosterHousehold)) == 3


# ---- batches and the schedule ------------------------------------------------------------------------

def test_a_backlog_is_worked_through_in_batches(db, town, monkeypatch):
    monkeypatch.setattr(retention, "BATCH", 2)
    for n in range(5):
        reply(db, f"SM-{n}", 100)
    statements = []
    def record(conn, cursor, statement, *args):
        if statement.startswith("DELETE FROM sms_reply"):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert messaging_retention.purge_sms_replies() == 5
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(statements) == 3 and count(db, SmsReply) == 0


def test_the_worker_runs_each_retention_job_nightly(app):
    periodic = {task.__name__ for task in huey._registry._periodic_tasks}
    assert {"purge_old_sms_replies", "purge_old_phone_verifications", "forget_old_delivery_phones",
            "remove_old_alert_texts", "purge_old_archived_rosters", "anonymise_old_observations",
            "purge_expired_audit_events"} <= periodic


# ---- the privacy notice says it -----------------------------------------------------------------------

def test_the_privacy_notice_states_every_period_in_both_languages(client, app, monkeypatch):
    periods = {"SMS_RETENTION_DAYS": 91, "DELIVERY_RETENTION_DAYS": 92, "ALERT_TEXT_RETENTION_DAYS": 366,
               "VERIFICATION_RETENTION_DAYS": 31, "ROSTER_RETENTION_DAYS": 93}
    for setting, days in periods.items():
        monkeypatch.setitem(app.config, setting, days)
    swedish = " ".join(client.get("/privacy").get_data(as_text=True).split())
    assert "SMS som du skickar till portalen: raderas efter 91 dagar." in swedish
    assert "tas bort 92 dagar efter utskicket" in swedish and "tas bort efter 366 dagar" in swedish
    assert "raderas efter 31 dagar" in swedish and "raderas 93 dagar efter att gruppen har avslutats" in swedish
    assert "bara som vecka, inte dag eller klockslag" in swedish
    client.post("/language", data={"lang": "en"})
    english = " ".join(client.get("/privacy").get_data(as_text=True).split())
    assert "SMS you send to the portal: deleted after 91 days." in english
    assert "removed 92 days after the alert" in english and "removed after 366 days" in english
    assert "deleted after 31 days" in english and "deleted 93 days after the group has stopped" in english
    assert "kept as a week only, not a day or an hour" in english

"""The SMS inbox: every SMS from a member lands with the staff of their municipality, who answer and handle it."""
import re
from datetime import timedelta

from sqlalchemy import func, select

from tests.inbox.helpers import last_sms, send_alert, sms_to, text
from watch.models import (
    AuditEvent, Observation, ObservationSource, SmsAnswer, SmsReply, SmsReplyKind, SmsReplyState, utcnow,
)

EVA, TOM, GUNNAR = "+46701234505", "+46701234508", "+46701234509"
REPLY = "Tack! Jag har sett en vit skåpbil vid förråden i kväll."


def badge(page: str) -> str:
    """The count in the menu's SMS badge, or "" when there is none."""
    match = re.search(r'<span id="new-sms-badge"[^>]*>(\d*)', page)
    assert match, "no SMS badge in the menu"
    return match[1]


def test_a_reply_reaches_the_coordinator_and_police_of_the_municipality_and_nobody_else(
        db, town, staff, login, client, app):
    alert_id = send_alert(login, town)
    text(client, app, REPLY, EVA)
    reply = last_sms(db)
    assert (reply.alert_id, reply.user_id, reply.municipality_id) == (alert_id, town.eva.id, town.municipality.id)
    assert reply.observation_id is None and reply.state == SmsReplyState.NEW

    for role in ("coordinator", "police", "covering_police"):
        client_ = login(staff[role])
        inbox = client_.get("/inbox").get_data(as_text=True)
        assert "vit skåpbil" in inbox and "Eva Sjöberg" in inbox, role
        thread = client_.get(f"/inbox/{reply.id}").get_data(as_text=True)
        assert "vit skåpbil" in thread and "070-123 45 05" in thread and f'href="/alerts/{alert_id}"' in thread
        # The alert's page shows it too, to everyone who may see the alert.
        assert "vit skåpbil" in client_.get(f"/alerts/{alert_id}").get_data(as_text=True), role
    for role in ("other_coordinator", "other_police"):
        client_ = login(staff[role])
        assert "vit skåpbil" not in client_.get("/inbox").get_data(as_text=True), role
        assert client_.get(f"/inbox/{reply.id}").status_code == 404, role
        assert client_.post(f"/inbox/{reply.id}/answer", data={"body": "Hej"}).status_code == 404, role
        assert client_.post(f"/inbox/{reply.id}/handled").status_code == 404, role
    assert login(town.eva).get("/inbox").status_code == 403
    assert login(town.eva).get(f"/inbox/{reply.id}").status_code == 403


def test_coordinators_hear_of_a_new_inbox_sms_as_they_chose_but_not_of_a_report_twice(
        db, town, staff, login, client, app):
    from watch.models import NoticeChoice, OutboxMessage

    def told(person) -> list[str]:
        db.session.expire_all()
        return list(db.session.scalars(select(OutboxMessage.subject).where(OutboxMessage.recipient == person.email)))

    staff["other_coordinator"].coordinator_notices = NoticeChoice.EACH
    db.session.commit()
    send_alert(login, town)
    text(client, app, REPLY, EVA)
    assert told(town.coordinator) == ["Nytt sms i inkorgen"]  # never who sent it or what it says
    assert told(staff["other_coordinator"]) == []
    text(client, app, "STOPP", EVA)  # nothing for staff to do
    assert told(town.coordinator) == ["Nytt sms i inkorgen"]
    text(client, app, "Två personer provar dörrar på Tallvägen.", TOM)  # a report: one notice, of the observation
    assert len(told(town.coordinator)) == 2 and "Nytt sms i inkorgen" == told(town.coordinator)[0]


def test_an_sms_from_another_municipalitys_member_is_in_that_inbox_only(db, town, staff, login, client, app):
    text(client, app, "Någon har brutit upp bommen vid Brandholmen.", GUNNAR)
    message = last_sms(db)
    assert message.municipality_id == town.other.id
    assert "bommen" in login(staff["other_coordinator"]).get("/inbox").get_data(as_text=True)
    assert "bommen" not in login(town.coordinator).get("/inbox").get_data(as_text=True)
    assert login(town.coordinator).get(f"/inbox/{message.id}").status_code == 404


def test_the_menu_counts_new_sms_until_someone_marks_them_handled(db, town, login, client, app):
    send_alert(login, town)
    coordinator = login(town.coordinator)
    assert badge(coordinator.get("/inbox").get_data(as_text=True)) == ""
    text(client, app, REPLY, EVA)
    text(client, app, "Och en röd bil utan skyltar.", EVA)
    text(client, app, "STOPP", TOM)  # acted on by itself: nothing for staff to handle
    assert badge(coordinator.get("/inbox").get_data(as_text=True)) == "2"
    police = login(town.police)
    assert badge(police.get("/alerts").get_data(as_text=True)) == "2"
    new_only = coordinator.get("/inbox?state=new").get_data(as_text=True)
    assert "röd bil" in new_only and "Stoppade sms" not in new_only

    message = last_sms(db)
    message = db.session.scalar(select(SmsReply).where(SmsReply.phone == EVA).order_by(SmsReply.id))
    response = police.post(f"/inbox/{message.id}/handled")
    assert response.status_code == 302 and response.location == f"/inbox/{message.id}"
    thread = police.get(f"/inbox/{message.id}").get_data(as_text=True)
    assert badge(thread) == "" and "Hanterat" in thread and "av Johan Berg" in thread
    assert badge(coordinator.get("/inbox").get_data(as_text=True)) == ""
    db.session.expire_all()
    handled = db.session.scalars(select(SmsReply).where(SmsReply.phone == EVA)).all()
    assert {(m.state, m.handled_by_id) for m in handled} == {(SmsReplyState.HANDLED, town.police.id)}
    assert all(m.handled_at is not None for m in handled)
    assert "röd bil" not in coordinator.get("/inbox?state=new").get_data(as_text=True)


def test_staff_answer_with_one_sms_that_reaches_the_phone_and_shows_in_the_thread(
        db, town, login, client, app, fake_twilio):
    send_alert(login, town)
    text(client, app, REPLY, EVA)
    message = last_sms(db)
    coordinator = login(town.coordinator)
    form = coordinator.get(f"/inbox/{message.id}").get_data(as_text=True)
    assert 'id="answer-counter"' in form and 'hx-post="/inbox/counter"' in form
    answer = "Tack Eva! Polisen har fått uppgiften om skåpbilen. /Karin, trygghetssamordnare"
    response = coordinator.post(f"/inbox/{message.id}/answer", data={"body": answer})
    assert response.status_code == 302 and response.location == f"/inbox/{message.id}"

    sent = [m["Body"] for m in fake_twilio.messages_to(EVA)]
    assert sent[-1] == answer and sent.count(answer) == 1
    stored = db.session.scalar(select(SmsAnswer))
    assert (stored.phone, stored.user_id, stored.sent_by_id, stored.reply_id, stored.municipality_id) == (
        EVA, town.eva.id, town.coordinator.id, message.id, town.municipality.id)
    thread = coordinator.get(f"/inbox/{message.id}").get_data(as_text=True)
    assert "Polisen har fått uppgiften" in thread and "Svar från Karin Lindqvist" in thread
    assert thread.index("vit skåpbil") < thread.index("Polisen har fått uppgiften")  # oldest first
    db.session.refresh(message)
    assert message.state == SmsReplyState.HANDLED and message.handled_by_id == town.coordinator.id
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "sms.answered")).actor_id == \
        town.coordinator.id


def test_an_answer_is_checked_like_an_alert_and_counted_while_it_is_written(db, town, login, client, app):
    send_alert(login, town)
    text(client, app, "Hej, vem är kontaktombud i Tallbacken?", EVA)
    message = last_sms(db)
    police = login(town.police)
    empty = police.post(f"/inbox/{message.id}/answer", data={"body": "  "})
    assert empty.status_code == 200 and "Skriv svaret." in empty.get_data(as_text=True)
    too_long = police.post(f"/inbox/{message.id}/answer", data={"body": "🚨" * 500})
    assert too_long.status_code == 200 and "field-error" in too_long.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SmsAnswer)) == 0
    assert not any("Olle" in sent for sent in sms_to(db, EVA))

    counted = police.post("/inbox/counter", data={"body": "Hej! Olle Berg är kontaktombud 🙂"},
                          headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "UCS-2" in counted and "<dd>32</dd>" in counted and "<html" not in counted
    assert "GSM-7" in police.post("/inbox/counter", data={"body": "Hej! Olle Berg är kontaktombud."}).get_data(
        as_text=True)


def test_an_opted_out_number_cannot_be_answered(db, town, login, client, app):
    send_alert(login, town)
    text(client, app, REPLY, EVA)
    message = last_sms(db)
    text(client, app, "STOPP", EVA)
    before = sms_to(db, EVA)
    coordinator = login(town.coordinator)
    page = coordinator.get(f"/inbox/{message.id}").get_data(as_text=True)
    assert "har stoppat sms" in page and 'id="answer-form"' not in page
    refused = coordinator.post(f"/inbox/{message.id}/answer", data={"body": "Tack för tipset!"})
    assert refused.status_code == 200 and "har stoppat sms" in refused.get_data(as_text=True)
    assert sms_to(db, EVA) == before and db.session.scalar(select(func.count()).select_from(SmsAnswer)) == 0


def test_an_unknown_number_gets_one_short_answer_a_day_in_swedish_and_english(db, town, login, client, app):
    stranger = "+46709876543"
    text(client, app, "Hej, är det här polisen?", stranger)
    text(client, app, "Hallå?", stranger)
    (answer,) = sms_to(db, stranger)
    assert "registrerade medlemmar" in answer and "registered members" in answer
    assert answer.count("112") == 2 and answer.count("114 14") == 2
    stored = db.session.scalars(select(SmsReply).where(SmsReply.phone == stranger)).all()
    assert len(stored) == 2 and {m.municipality_id for m in stored} == {None}
    assert "Hallå" not in login(town.coordinator).get("/inbox").get_data(as_text=True)

    for message in stored:  # a day later the number may get one answer again
        message.received_at -= timedelta(hours=25)
    db.session.commit()
    text(client, app, "Hallå igen", stranger)
    assert len(sms_to(db, stranger)) == 2
    assert db.session.scalar(select(func.count()).select_from(Observation)) == 0


def test_sms_from_unknown_numbers_are_purged_after_30_days_and_members_sms_stay(db, town, login, client, app):
    from watch.messaging.retention import purge_old_sms_replies

    text(client, app, "Gammalt sms från en okänd", "+46709876543")
    text(client, app, "Nytt sms från en okänd", "+46709876544")
    text(client, app, "Gammalt sms från Eva", EVA)
    for message in db.session.scalars(select(SmsReply).where(SmsReply.body.like("Gammalt%"))):
        message.received_at = utcnow() - timedelta(days=31)
    db.session.commit()

    purge_old_sms_replies()

    db.session.expire_all()
    left = set(db.session.scalars(select(SmsReply.body)))
    assert left == {"Nytt sms från en okänd", "Gammalt sms från Eva"}


def test_every_sms_past_the_retention_period_goes_with_the_answers(db, town, login, client, app):
    from watch.inbox.services import purge_old_answers
    from watch.messaging.retention import purge_old_sms_replies

    text(client, app, "Vem är kontaktombud?", EVA)
    message = last_sms(db)
    login(town.coordinator).post(f"/inbox/{message.id}/answer", data={"body": "Lisa Ek. /Karin"})
    message = last_sms(db)
    message.received_at = utcnow() - timedelta(days=app.config["SMS_RETENTION_DAYS"] + 1)
    db.session.scalar(select(SmsAnswer)).created_at = message.received_at
    db.session.commit()
    purge_old_sms_replies()
    purge_old_answers()
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(SmsReply)) == 0
    assert db.session.scalar(select(func.count()).select_from(SmsAnswer)) == 0


def test_a_coordinator_turns_a_reply_into_an_observation_with_one_action(db, town, staff, login, client, app):
    send_alert(login, town)
    text(client, app, REPLY, EVA)
    reply = last_sms(db)
    assert db.session.scalar(select(func.count()).select_from(Observation)) == 0  # a reply is not a report
    coordinator = login(town.coordinator)
    assert "Gör till en iakttagelse" in coordinator.get(f"/inbox/{reply.id}").get_data(as_text=True)
    assert "Gör till en iakttagelse" not in login(town.police).get(f"/inbox/{reply.id}").get_data(as_text=True)
    assert login(town.police).post(f"/inbox/{reply.id}/observation").status_code == 403

    response = coordinator.post(f"/inbox/{reply.id}/observation")
    observation = db.session.scalar(select(Observation))
    assert response.status_code == 302 and response.location == f"/observations/{observation.id}"
    assert (observation.source, observation.category, observation.reporter_id, observation.group_id) == (
        ObservationSource.SMS, None, town.eva.id, town.vastra.id)
    assert observation.description == REPLY and observation.observed_at == reply.received_at
    db.session.refresh(reply)
    assert reply.observation_id == observation.id and reply.state == SmsReplyState.HANDLED
    assert reply.handled_by_id == town.coordinator.id
    page = coordinator.get(f"/observations/{observation.id}").get_data(as_text=True)
    assert "Inte kategoriserad än" in page and "vit skåpbil" in page and "via sms" in page
    assert db.session.scalar(select(AuditEvent.actor_id).where(AuditEvent.action == "sms.made_observation")) == \
        town.coordinator.id

    again = coordinator.post(f"/inbox/{reply.id}/observation", follow_redirects=True)
    assert "redan en iakttagelse" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Observation)) == 1
    # Until it is forwarded, the police see neither the observation nor the SMS it came from.
    police = login(town.police)
    assert police.get(f"/observations/{observation.id}").status_code == 404
    assert police.get(f"/inbox/{reply.id}").status_code == 404
    assert "vit skåpbil" not in police.get("/inbox").get_data(as_text=True)
    coordinator.post(f"/observations/{observation.id}/status", data={"status": "forwarded"})
    assert police.get(f"/inbox/{reply.id}").status_code == 200


def test_an_sms_without_text_or_from_a_stranger_cannot_become_an_observation(db, town, login, client, app):
    text(client, app, "", EVA)
    empty = last_sms(db)
    text(client, app, "Vem är ni?", "+46709876543")
    stranger = last_sms(db)
    stranger.municipality_id = town.municipality.id  # as if it had landed in the inbox
    db.session.commit()
    coordinator = login(town.coordinator)
    for message in (empty, stranger):
        response = coordinator.post(f"/inbox/{message.id}/observation", follow_redirects=True)
        assert response.status_code == 200 and "flash--error" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Observation)) == 0
    assert {m.kind for m in db.session.scalars(select(SmsReply))} == {SmsReplyKind.MESSAGE}


def test_my_data_has_the_answers_i_got_and_deleting_my_account_removes_them(db, town, login, client, app):
    from tests.conftest import PASSWORD

    send_alert(login, town)
    text(client, app, REPLY, TOM)
    message = last_sms(db)
    login(town.coordinator).post(f"/inbox/{message.id}/answer", data={"body": "Thanks Tom! /Karin"})
    tom = login(town.tom)
    exported = tom.get("/my-data/export.json").get_json()
    assert [a["text"] for a in exported["sms_answers"]] == ["Thanks Tom! /Karin"]
    assert "Karin Lindqvist" not in str(exported["sms_answers"])
    assert [r["text"] for r in exported["sms_replies"]] == [REPLY]

    assert tom.post("/my-data/delete", data={"password": PASSWORD, "confirm": "y"}).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(SmsAnswer)) == 0
    assert db.session.scalar(select(func.count()).select_from(SmsReply)) == 0


def test_the_inbox_and_a_thread_run_a_bounded_number_of_queries_whatever_their_length(db, town, login, app):
    from itertools import count

    from tests.querycount import count_queries

    sids = count(1)

    def add(n):
        for i in range(n):
            db.session.add(SmsReply(provider_sid=f"SM{next(sids):032d}", phone=EVA, body=f"Sms nummer {i}",
                                    kind=SmsReplyKind.MESSAGE, user_id=town.eva.id,
                                    municipality_id=town.municipality.id))
            db.session.add(SmsAnswer(municipality_id=town.municipality.id, phone=EVA, user_id=town.eva.id,
                                     sent_by_id=town.coordinator.id, body=f"Svar {i}"))
        db.session.commit()
        return db.session.scalar(select(SmsReply.id).order_by(SmsReply.id.desc()))

    counts = []
    for role in ("coordinator", "police"):
        client = login(getattr(town, role))
        for n in (2, 40):
            message_id = add(n)
            with count_queries(db.engine) as listed:
                assert client.get("/inbox").status_code == 200
            with count_queries(db.engine) as threaded:
                assert client.get(f"/inbox/{message_id}").status_code == 200
            counts.append((role, listed.count, threaded.count))
    assert counts[0][1:] == counts[1][1:] and counts[2][1:] == counts[3][1:], counts
    # The person, the menu's badges, the page's rows (a thread: the SMS, what came in, what went out, STOP).
    assert max(c for _, *pair in counts for c in pair) <= 8, counts

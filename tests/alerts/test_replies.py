"""Replies by SMS (STOP, START and the rest), opting out on the web, and how people choose to get alerts."""
import pytest
from sqlalchemy import select

from tests.alerts.helpers import compose_data, deliveries
from tests.fake_twilio import sign
from watch.models import (
    AlertChannel, DeliveryChannel, DeliveryStatus, SkipReason, SmsOptOut, SmsReply, SmsReplyKind,
)

EVA = "+46701234505"


def inbound(client, app, body, sid, phone=EVA, signature=None):
    params = {"MessageSid": sid, "From": phone, "To": app.config["TWILIO_FROM"], "Body": body,
              "AccountSid": app.config["TWILIO_ACCOUNT_SID"]}
    url = app.config["PUBLIC_URL"] + "/sms/inbound"
    headers = {"X-Twilio-Signature": signature or sign(app.config["TWILIO_AUTH_TOKEN"], url, params)}
    return client.post("/sms/inbound", data=params, headers=headers)


def send_alert(login, town, **overrides) -> int:
    response = login(town.police).post("/alerts/new", data=compose_data(town.municipality, **overrides))
    assert response.status_code == 302
    return int(response.location.rsplit("/", 1)[1])


@pytest.mark.parametrize("word", ["STOP", "stopp", " Avsluta ", "STOPP."])
def test_stop_reply_opts_the_number_out_and_the_next_alert_skips_it(db, town, login, client, app, word):
    send_alert(login, town)
    response = inbound(client, app, word, "SM" + "a" * 32)
    assert response.status_code == 200 and response.mimetype == "text/xml" and "<Response>" in response.text
    assert db.session.get(SmsOptOut, EVA) is not None
    eva = deliveries(db, send_alert(login, town))["Eva Sjöberg"]
    assert eva.status == DeliveryStatus.SKIPPED and eva.skip_reason == SkipReason.OPTED_OUT


def test_after_one_numbers_stop_the_next_alert_reaches_every_other_recipient(db, town, login, client, app):
    # On SQLite the claim's opt-out check once compared the opt-out table with itself: one STOP anywhere
    # made every following SMS skip. CI runs this on SQLite and on PostgreSQL.
    before = {name: d.status for name, d in deliveries(db, send_alert(login, town)).items()}
    assert before["Eva Sjöberg"] == before["Per Nyström"] == DeliveryStatus.DELIVERED
    inbound(client, app, "STOPP", "SM" + "f" * 32)
    after = {name: d.status for name, d in deliveries(db, send_alert(login, town)).items()}
    assert after.pop("Eva Sjöberg") == DeliveryStatus.SKIPPED
    before.pop("Eva Sjöberg")
    assert after == before and DeliveryStatus.DELIVERED in after.values()


def test_start_opts_back_in_and_replays_change_nothing(db, town, login, client, app):
    send_alert(login, town)
    assert inbound(client, app, "START", "SM" + "1" * 32).status_code == 200
    assert inbound(client, app, "STOP", "SM" + "2" * 32).status_code == 200
    # An attacker (or Twilio retrying) sends the old, validly signed START again: it is a duplicate.
    assert inbound(client, app, "START", "SM" + "1" * 32).status_code == 200
    assert db.session.get(SmsOptOut, EVA) is not None
    assert len(db.session.scalars(select(SmsReply)).all()) == 2
    assert inbound(client, app, "Start", "SM" + "3" * 32).status_code == 200
    db.session.expire_all()
    assert db.session.get(SmsOptOut, EVA) is None
    assert deliveries(db, send_alert(login, town))["Eva Sjöberg"].status == DeliveryStatus.DELIVERED


def test_forged_inbound_messages_are_refused(db, town, login, client, app):
    assert inbound(client, app, "STOP", "SM" + "b" * 32, signature="Zm9yZ2Vk").status_code == 403
    params = {"MessageSid": "SM" + "c" * 32, "From": EVA, "Body": "STOP"}
    assert client.post("/sms/inbound", data=params).status_code == 403
    assert db.session.get(SmsOptOut, EVA) is None and db.session.scalar(select(SmsReply)) is None


def test_a_stop_while_sending_skips_what_is_still_queued(db, town, login, client, app):
    from tests.alerts.helpers import alert_with_deliveries
    from watch.alerts.services import Targeting
    from watch.models import AlertTarget

    alert = alert_with_deliveries(town.police, Targeting(town.municipality.id, AlertTarget.MUNICIPALITY), "Lås dörren.", 4)
    db.session.commit()
    alert_id = alert.id
    inbound(client, app, "STOPP", "SM" + "d" * 32)
    eva = deliveries(db, alert_id)["Eva Sjöberg"]
    assert eva.status == DeliveryStatus.SKIPPED and eva.skip_reason == SkipReason.OPTED_OUT


def test_other_replies_are_shown_to_everyone_who_may_see_the_alert(db, town, login, client, app):
    alert_id = send_alert(login, town)
    inbound(client, app, "Tack! Jag har sett en vit skåpbil vid förråden.", "SM" + "e" * 32)
    reply = db.session.scalar(select(SmsReply))
    assert reply.kind == SmsReplyKind.MESSAGE and reply.alert_id == alert_id and reply.user_id == town.eva.id
    assert db.session.get(SmsOptOut, EVA) is None
    sender_page = login(town.police).get(f"/alerts/{alert_id}").get_data(as_text=True)
    assert "vit skåpbil" in sender_page and "Eva Sjöberg" in sender_page
    # Issue 14: not only the author reads the replies, or nobody does when they are off duty.
    colleague_page = login(town.coordinator).get(f"/alerts/{alert_id}")
    assert colleague_page.status_code == 200 and "vit skåpbil" in colleague_page.get_data(as_text=True)
    assert login(town.other_police).get(f"/alerts/{alert_id}").status_code == 404


def test_opting_out_and_back_in_on_the_web(db, town, login):
    client = login(town.eva)
    page = client.get("/alerts/preferences").get_data(as_text=True)
    assert 'Stoppa alla sms till <bdi dir="ltr">070-123 45 05</bdi>' in page
    client.post("/alerts/preferences/sms")
    assert db.session.get(SmsOptOut, EVA).source == "web"
    assert "Tillåt sms igen" in client.get("/alerts/preferences").get_data(as_text=True)
    assert deliveries(db, send_alert(login, town))["Eva Sjöberg"].skip_reason == SkipReason.OPTED_OUT
    client.post("/alerts/preferences/sms", data={"allow": "1"})
    db.session.expire_all()
    assert db.session.get(SmsOptOut, EVA) is None


def test_a_stop_sent_by_sms_is_undone_only_from_that_number(db, town, login, client, app):
    inbound(client, app, "STOPP", "SM" + "g" * 32)
    eva = login(town.eva)
    page = eva.get("/alerts/preferences").get_data(as_text=True)
    assert "Skicka START" in page and "Tillåt sms igen" not in page
    eva.post("/alerts/preferences/sms", data={"allow": "1"})  # the web cannot undo a STOP sent by SMS
    db.session.expire_all()
    assert db.session.get(SmsOptOut, EVA).source == "sms"
    inbound(client, app, "START", "SM" + "h" * 32)
    db.session.expire_all()
    assert db.session.get(SmsOptOut, EVA) is None


def test_verifying_the_number_again_ends_its_stop(db, town, login, client, app):
    from watch.messaging import verification

    inbound(client, app, "STOPP", "SM" + "i" * 32)
    code = verification.start_verification(town.eva, EVA)
    db.session.commit()
    assert login(town.eva).post("/alerts/phone/confirm", data={"code": code}).status_code == 302
    db.session.expire_all()
    assert db.session.get(SmsOptOut, EVA) is None


def test_typing_anothers_number_into_ones_profile_neither_reveals_nor_changes_its_stop(db, town, login, client, app):
    inbound(client, app, "STOPP", "SM" + "j" * 32)  # Eva's number stops by SMS
    tom = login(town.tom)
    assert tom.post("/profile", data={"name": town.tom.name, "phone": "070-123 45 05", "locale": "en"}
                    ).status_code == 302
    page = tom.get("/alerts/preferences").get_data(as_text=True)
    assert "Stopped" not in page and "Only the owner of a number" in page
    tom.post("/alerts/preferences/sms", data={"allow": "1"})
    db.session.expire_all()
    assert db.session.get(SmsOptOut, EVA).source == "sms"  # still stopped
    inbound(client, app, "START", "SM" + "k" * 32)
    tom.post("/alerts/preferences/sms")  # nor can Tom silence it
    db.session.expire_all()
    assert db.session.get(SmsOptOut, EVA) is None


def test_people_choose_email_or_portal_only_and_members_opt_in(db, town, login):
    login(town.eva).post("/alerts/preferences", data={"channel": "email"})
    login(town.per).post("/alerts/preferences", data={"channel": "none"})
    login(town.tom).post("/alerts/preferences", data={"channel": "sms", "member_alerts": "y"})
    for person in (town.eva, town.per, town.tom):
        db.session.refresh(person)
    assert town.eva.alert_channel == AlertChannel.EMAIL and town.per.alert_channel == AlertChannel.NONE
    assert town.tom.member_alerts
    rows = deliveries(db, send_alert(login, town, audience="members"))
    assert rows["Eva Sjöberg"].channel == DeliveryChannel.EMAIL and rows["Eva Sjöberg"].status == DeliveryStatus.SENT
    assert rows["Per Nyström"].skip_reason == SkipReason.NO_CHANNEL
    assert rows["Tom Wilson"].status == DeliveryStatus.DELIVERED
    bad = login(town.eva).post("/alerts/preferences", data={"channel": "pigeon"})
    assert bad.status_code == 200 and "Rätta följande" in bad.get_data(as_text=True)


def test_profile_links_to_phone_verification_and_preferences(town, login):
    page = login(town.eva).get("/profile").get_data(as_text=True)
    assert 'href="/alerts/phone"' in page and 'href="/alerts/preferences"' in page and "Verifierat" in page

"""Reports by SMS, and what the inbound webhook does with bad input and abuse."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.inbox.helpers import inbound, last_sms, send_alert, sms_to, text
from watch.models import (
    Delivery, Observation, ObservationSource, ObservationStatus, SmsOptOut, SmsProblem, SmsReply, SmsReplyState,
)

EVA, TOM, LISA = "+46701234505", "+46701234508", "+46701234510"
SEEN = "Två personer provar bildörrar på Västra vägen just nu, den ena i grön jacka."


def observations(db) -> list[Observation]:
    db.session.expire_all()
    return list(db.session.scalars(select(Observation).order_by(Observation.id)))


def test_an_sms_from_a_member_becomes_an_observation_in_the_triage_inbox_with_an_acknowledgement(
        db, town, login, client, app):
    text(client, app, SEEN, TOM)  # Tom reads the portal in English
    (observation,) = observations(db)
    message = last_sms(db)
    assert (observation.source, observation.category, observation.status) == (
        ObservationSource.SMS, None, ObservationStatus.NEW)
    assert (observation.reporter_id, observation.group_id, observation.municipality_id) == (
        town.tom.id, town.vastra.id, town.municipality.id)
    assert observation.description == SEEN and observation.observed_at == message.received_at
    assert message.observation_id == observation.id and message.state == SmsReplyState.HANDLED

    (ack,) = sms_to(db, TOM)
    assert ack.startswith("Thank you!") and "112" in ack and "114 14" in ack and "not a police report" in ack
    text(client, app, "Nu springer de mot skogen.", EVA)  # Eva reads it in Swedish
    (swedish,) = sms_to(db, EVA)
    assert swedish.startswith("Tack!") and "112" in swedish and "114 14" in swedish

    coordinator = login(town.coordinator)
    inbox = coordinator.get("/coordinator/observations").get_data(as_text=True)
    assert inbox.count(">Inte kategoriserad än</a>") == 2 and inbox.count("Skickad via sms") == 2
    filtered = coordinator.get("/coordinator/observations?category=uncategorised").get_data(as_text=True)
    assert "2 iakttagelser" in filtered
    detail = coordinator.get(f"/observations/{observation.id}").get_data(as_text=True)
    assert "grön jacka" in detail and "Tom Wilson" in detail and 'name="category"' in detail
    # The same privacy as any observation: the reporter, the coordinators, the police once forwarded.
    assert login(town.tom).get(f"/observations/{observation.id}").status_code == 200
    assert "Not categorised yet" in login(town.tom).get("/observations/mine").get_data(as_text=True)
    for outsider in (town.police, town.eva, town.other_police):
        assert login(outsider).get(f"/observations/{observation.id}").status_code == 404
    assert "grön jacka" not in login(town.police).get("/inbox").get_data(as_text=True)


def test_the_coordinator_sets_the_category_in_triage_and_the_lagesbild_counts_it(db, town, login, client, app):
    from watch.lagesbild.services import counts, counts_csv
    from watch.core.weeks import IsoWeek, Period

    text(client, app, SEEN, EVA)
    (observation,) = observations(db)
    week = IsoWeek.of(observation.observed_at)
    numbers = counts(town.municipality.id, Period(week, week))
    assert {row["key"]: row["count"] for row in numbers["categories"]}["uncategorised"] == 1
    assert numbers["total"]["count"] == 1
    with app.test_request_context():
        assert ";Kategori;Inte kategoriserad än;1;" in counts_csv(numbers)

    coordinator = login(town.coordinator)
    response = coordinator.post(f"/observations/{observation.id}/status", data={"status": "new", "category": "other"},
                                headers={"HX-Request": "true"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="observation-title" hx-swap-oob="true" data-no-focus>Något annat' in page
    assert "Kategorin är nu: Något annat." in page
    (observation,) = observations(db)
    assert observation.category == "other" and observation.status == ObservationStatus.NEW
    assert "uncategorised" not in {row["key"] for row in counts(town.municipality.id, Period(week, week))["categories"]}

    bad = coordinator.post(f"/observations/{observation.id}/status", data={"status": "seen", "category": "nonsense"},
                           headers={"HX-Request": "true"})
    assert bad.status_code == 200 and "field-error" in bad.get_data(as_text=True)
    assert observations(db)[0].status == ObservationStatus.NEW


def test_a_reply_to_an_alert_of_the_last_24_hours_is_not_a_report_but_a_later_sms_is(db, town, login, client, app):
    alert_id = send_alert(login, town)
    text(client, app, "Tack, vi håller utkik!", EVA)
    assert observations(db) == [] and last_sms(db).alert_id == alert_id
    assert not any(s.startswith("Tack!") for s in sms_to(db, EVA))

    for delivery in db.session.scalars(select(Delivery).where(Delivery.sent_at.is_not(None))):
        delivery.sent_at -= timedelta(hours=25)
    db.session.commit()
    text(client, app, SEEN, EVA)
    (observation,) = observations(db)
    assert last_sms(db).alert_id is None and observation.description == SEEN


def test_an_sms_from_a_number_that_is_not_verified_is_not_a_report(db, town, login, client, app):
    text(client, app, SEEN, LISA)  # Lisa's number is in her profile but she never confirmed it
    message = last_sms(db)
    assert observations(db) == [] and message.user_id is None and message.municipality_id is None
    assert len(sms_to(db, LISA)) == 1  # the short answer to numbers the portal does not know


def test_a_member_without_an_approved_group_keeps_the_sms_in_the_inbox(db, town, login, client, app):
    text(client, app, "Vår grupp är inte godkänd än, men jag såg en inbrottstjuv.", town.ines.phone)
    message = last_sms(db)
    assert observations(db) == [] and message.state == SmsReplyState.NEW
    assert "inbrottstjuv" in login(town.coordinator).get("/inbox").get_data(as_text=True)
    assert sms_to(db, town.ines.phone) == []


# ---- bad input and abuse ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "problem", "stored"), [
    ("", SmsProblem.EMPTY, ""),
    ("   \n  ", SmsProblem.EMPTY, ""),
    ("Bil utan skyltar " * 300, SmsProblem.TOO_LONG, ("Bil utan skyltar " * 300)[:1600].strip()),
    ("\x00\x01\x02\ufffd\ufffd\x03\x04\x05", SmsProblem.UNREADABLE, "\ufffd\ufffd"),
])
def test_bad_bodies_are_kept_without_a_500_and_not_acted_on(db, town, login, client, app, body, problem, stored):
    text(client, app, body, EVA)
    message = last_sms(db)
    assert (message.problem, message.body) == (problem, stored)
    assert observations(db) == [] and sms_to(db, EVA) == []
    assert login(town.coordinator).get(f"/inbox/{message.id}").status_code == 200


def test_a_nul_inside_a_real_report_is_removed_and_the_report_kept(db, town, client, app):
    text(client, app, "Okänd bil\x00 vid bommen", EVA)
    (observation,) = observations(db)
    assert observation.description == "Okänd bil vid bommen" and last_sms(db).problem is None


def test_replayed_webhooks_change_nothing(db, town, client, app):
    for _ in range(3):
        text(client, app, SEEN, TOM, sid="SM" + "9" * 32)
    assert db.session.scalar(select(func.count()).select_from(SmsReply)) == 1
    assert len(observations(db)) == 1 and len(sms_to(db, TOM)) == 1


def test_missing_fields_and_forged_signatures_store_nothing(db, town, client, app):
    assert inbound(client, app, SEEN, "", TOM).status_code == 400
    assert inbound(client, app, SEEN, "SM" + "8" * 32, "").status_code == 400
    assert inbound(client, app, SEEN, "SM" + "7" * 32, TOM, signature="Zm9yZ2Vk").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(SmsReply)) == 0


def test_a_flood_from_one_number_is_kept_but_neither_answered_nor_reported(db, town, login, client, app):
    limit = app.config["SMS_INBOUND_PER_HOUR"]
    for n in range(limit + 5):
        text(client, app, f"Iakttagelse nummer {n}", TOM)
    stored = list(db.session.scalars(select(SmsReply).order_by(SmsReply.id)))
    assert len(stored) == limit + 5
    assert [m.problem for m in stored] == [None] * limit + [SmsProblem.FLOOD] * 5
    assert len(observations(db)) == limit and len(sms_to(db, TOM)) == limit
    assert all(m.state == SmsReplyState.HANDLED for m in stored[limit:])  # the badge is not flooded
    thread = login(town.coordinator).get(f"/inbox/{stored[-1].id}").get_data(as_text=True)
    assert "Iakttagelse nummer 14" in thread

    text(client, app, "STOPP", TOM)  # a STOP always works, flood or not
    assert db.session.get(SmsOptOut, TOM) is not None

    for message in stored:  # an hour later the number is heard again
        message.received_at -= timedelta(hours=2)
    db.session.commit()
    db.session.execute(SmsOptOut.__table__.delete())
    db.session.commit()
    text(client, app, "En sista iakttagelse", TOM)
    assert len(observations(db)) == limit + 1


def test_a_nul_is_allowed_in_the_webhooks_values_but_not_a_part_without_a_name(db, town, client, app):
    """The webhook takes NUL in its values (it cleans them), but a part without a name is refused before
    the signature check, which could not sort it."""
    body = (b"--XyZ\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n"
            b"--XyZ\r\nContent-Disposition: form-data; name=\"Body\"\r\n\r\nHej\r\n--XyZ--\r\n")
    response = client.post("/sms/inbound", data=body, content_type="multipart/form-data; boundary=XyZ",
                           headers={"X-Twilio-Signature": "c2lnbmF0dXJl"})
    assert response.status_code == 400
    assert client.post("/sms/inbound", data={"MessageSid\x00": "SM1", "From": TOM, "Body": "Hej"}).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(SmsReply)) == 0


def test_the_demo_has_a_reply_in_the_inbox_and_an_observation_reported_by_sms(app, db, login):
    from watch.demo import seed_demo
    from watch.inbox.demo import REPLY, REPORT

    list(seed_demo())
    db.session.commit()
    reply = db.session.scalar(select(SmsReply).where(SmsReply.body == REPLY))
    assert reply.alert_id is not None and reply.state == SmsReplyState.NEW
    report = db.session.scalar(select(Observation).where(Observation.source == ObservationSource.SMS))
    assert report.description == REPORT and report.category is None
    assert "reported by SMS" not in " ".join(seed_demo())  # a second run adds nothing
    assert db.session.scalar(select(func.count()).select_from(Observation).where(
        Observation.source == ObservationSource.SMS)) == 1

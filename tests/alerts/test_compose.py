"""Composing, targeting and reading alerts through the pages, with the development outbox as SMS backend."""
import json
import re

import pytest
from sqlalchemy import func, select

from tests.alerts.helpers import alert_with_deliveries, compose_data, deliveries, make_group, resident
from tests.conftest import PASSWORD
from tests.querycount import count_queries
from watch.alerts.services import Targeting, create_alert
from watch.models import (
    Alert, AlertStatus, AlertTarget, AuditEvent, Channel, Delivery, DeliveryChannel, DeliveryStatus, OutboxMessage,
    OptOutSource, Role, SkipReason, SmsOptOut, SmsReply, SmsReplyKind,
)


def sms_outbox(db):
    db.session.expire_all()
    return {m.recipient: m for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == Channel.SMS))}


def send(client, town_or_municipality, **overrides):
    municipality = getattr(town_or_municipality, "municipality", town_or_municipality)
    response = client.post("/alerts/new", data=compose_data(municipality, **overrides))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(response.location.rsplit("/", 1)[1])


def test_police_alert_reaches_contact_persons_of_approved_groups_and_is_delivered(db, town, login):
    police = login(town.police)
    alert_id = send(police, town)

    alert = db.session.get(Alert, alert_id)
    assert alert.status == AlertStatus.SENT and alert.author_id == town.police.id
    by_name = deliveries(db, alert_id)
    # Contact persons of approved groups only: not members, not the pending group, not Nyköping.
    assert set(by_name) == {"Eva Sjöberg", "Lisa Ek", "Per Nyström", "Olle Berg"}
    assert by_name["Eva Sjöberg"].status == DeliveryStatus.DELIVERED and by_name["Eva Sjöberg"].provider_sid
    assert by_name["Lisa Ek"].status == DeliveryStatus.SKIPPED
    assert by_name["Lisa Ek"].skip_reason == SkipReason.NO_VERIFIED_PHONE
    assert by_name["Olle Berg"].channel == DeliveryChannel.EMAIL and by_name["Olle Berg"].status == DeliveryStatus.SENT

    outbox = sms_outbox(db)
    assert set(outbox) == {"+46701234505", "+46701234506"}
    assert outbox["+46701234505"].body == alert.body
    email = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == town.olle.email))
    assert email.subject == "Varning från Oxelösund" and alert.body in email.body

    page = police.get(f"/alerts/{alert_id}").get_data(as_text=True)
    assert 'value="4"' in page and "100 % hanterade: 4 av 4" in page
    assert "+46 70 *** ** 05" in page and "+46701234505" not in page  # numbers are masked
    assert "Ingen verifierad mobilnummer" not in page and "Inget verifierat mobilnummer" in page
    assert "hx-trigger=\"every 2s\"" not in page  # done: no polling


def test_audience_with_members_adds_only_members_who_opted_in(db, town, login):
    alert_id = send(login(town.police), town, audience="members", target="groups", groups=[town.vastra.id])
    assert set(deliveries(db, alert_id)) == {"Eva Sjöberg", "Lisa Ek", "Maria Holm"}


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"target": "kind", "kind": "boat"}, {"Per Nyström"}),
    ({"target": "kind", "kind": "neighbourhood"}, {"Eva Sjöberg", "Lisa Ek", "Olle Berg"}),
    ({"target": "postcodes", "postcodes": "613 35"}, {"Olle Berg"}),
    ({"target": "postcodes", "postcodes": "61339, 613 32"}, {"Per Nyström", "Eva Sjöberg", "Lisa Ek"}),
])
def test_targeting_by_kind_and_postcode(db, town, login, overrides, expected):
    alert_id = send(login(town.coordinator), town, **overrides)
    assert set(deliveries(db, alert_id)) == expected


def test_someone_in_two_targeted_groups_gets_one_message(db, town, login):
    make_group(db, town.municipality, "Tallvägen", postcodes=("61331",), contacts=[town.eva])
    alert_id = send(login(town.police), town)
    assert db.session.scalar(select(func.count()).where(Delivery.alert_id == alert_id,
                                                        Delivery.user_id == town.eva.id)) == 1
    assert len([m for m in sms_outbox(db).values() if m.recipient == town.eva.phone]) == 1


def test_review_step_shows_recipients_and_skips_and_saves_nothing(db, town, login):
    db.session.add(SmsOptOut(phone=town.per.phone, source=OptOutSource.SMS))
    db.session.commit()
    page = login(town.police).post("/alerts/new", data=compose_data(town.municipality, action="review"))
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Kontrollera innan du skickar" in text
    assert "2 personer" in text and "1 via sms, 1 via e-post" in text
    assert "1 saknar verifierat mobilnummer" in text and "1 har stoppat sms (STOP)" in text
    assert db.session.scalar(select(func.count(Alert.id))) == 0


@pytest.mark.parametrize(("overrides", "message"), [
    ({"body": ""}, "Skriv meddelandet."),
    ({"body": "x" * 1000}, "Högst 918 tecken."),
    ({"body": "Å" * 200 + "😀" * 300}, "Meddelandet är för långt"),
    ({"target": "groups"}, "Välj minst en grupp."),
    ({"target": "kind"}, "Välj Grannsamverkan eller Båtsamverkan."),
    ({"target": "postcodes", "postcodes": "613 3"}, "613 3 är inget postnummer."),
    ({"target": "postcodes", "postcodes": ""}, "Skriv minst ett postnummer."),
    ({"target": "postcodes", "postcodes": "11111"}, "Ingen skulle få det här utskicket"),
])
def test_bad_compose_input_is_explained_and_kept(db, town, login, overrides, message):
    response = login(town.police).post("/alerts/new", data=compose_data(town.municipality, **overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page
    if overrides.get("postcodes"):
        assert f'value="{overrides["postcodes"]}"' in page
    assert db.session.scalar(select(func.count(Alert.id))) == 0


@pytest.mark.parametrize("text", ["6١٢٣٤", "013 31"])
def test_alert_postcodes_are_read_like_group_postcodes(db, town, login, text):
    # Groups store only ASCII postcodes from 100 00 up: any other would reach no one.
    response = login(town.police).post("/alerts/new", data=compose_data(town.municipality, target="postcodes",
                                                                           postcodes=text))
    assert f"{text} är inget postnummer." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Alert.id))) == 0


def test_live_summary_counts_characters_encoding_segments_and_recipients(town, login):
    police = login(town.police)
    gsm = police.post("/alerts/new/summary", data=compose_data(town.municipality, body="Lås in båtmotorn. Tack!"),
                      headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in gsm and "GSM-7" in gsm
    numbers = dict(re.findall(r"<dt>([^<]+)</dt>\s*<dd>(\d+)", gsm))
    assert numbers == {"Tecken": "23", "Sms-delar": "1", "Mottagare via sms": "2", "Sms-delar totalt": "2"}
    ucs = police.post("/alerts/new/summary", data=compose_data(town.municipality, body="“Lås” – nu 😀" + "a" * 60),
                      headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "UCS-2" in ucs and "Byt ut tecknen" in ucs and "<code>“</code>" in ucs
    assert re.search(r"Sms-delar</dt>\s*<dd>2", ucs)


def test_replace_swaps_characters_that_force_ucs2(town, login):
    page = login(town.police).post(
        "/alerts/new", data=compose_data(town.municipality, body="“Lås” – nu…", action="replace")
    ).get_data(as_text=True)
    assert '"Lås" - nu...</textarea>' in page.replace("&#34;", '"') and "GSM-7" in page


def test_change_from_review_keeps_everything(town, login):
    data = compose_data(town.municipality, action="edit", target="groups", groups=[town.vastra.id, town.jogerso.id])
    page = login(town.police).post("/alerts/new", data=data).get_data(as_text=True)
    assert "Tre inbrott i förråd" in page
    assert re.search(rf'value="{town.vastra.id}"[^>]*checked|checked[^>]*value="{town.vastra.id}"', page)


def test_residents_cannot_compose_and_police_of_another_municipality_cannot_see_or_target(db, town, login):
    assert login(town.eva).get("/alerts/new").status_code == 403
    alert_id = send(login(town.police), town)
    other = login(town.other_police)
    assert other.get(f"/alerts/{alert_id}").status_code == 404
    assert other.get(f"/alerts/{alert_id}/progress").status_code == 404
    assert other.post(f"/alerts/{alert_id}/retry").status_code == 404
    assert "Tre inbrott" not in other.get("/alerts").get_data(as_text=True)
    # Oxelösund as municipality, or Oxelösund's groups under Nyköping: refused, nothing sent.
    refused = other.post("/alerts/new", data=compose_data(town.municipality))
    assert refused.status_code == 200 and "Not a valid choice" not in refused.get_data(as_text=True)
    mixed = other.post("/alerts/new", data=compose_data(town.other, target="groups", groups=[town.vastra.id]))
    assert mixed.status_code == 200
    assert db.session.scalar(select(func.count(Alert.id))) == 1
    assert "Västra vägen" not in other.get("/alerts/new").get_data(as_text=True)


def test_police_covering_two_municipalities_chooses_where_to_send(db, town, factory, login):
    from watch.models import Role

    officer = factory.user(Role.POLICE, town.municipality, covers=[town.other])
    alert_id = send(login(officer), town.other)
    assert set(deliveries(db, alert_id)) == {"Gunnar Åberg"}


def test_feed_shows_alerts_of_ones_groups_to_contacts_and_members_only(db, town, login):
    send(login(town.police), town, target="kind", kind="neighbourhood")
    for person in (town.eva, town.tom):  # contact person, and a member who gets no SMS
        assert "Tre inbrott i förråd" in login(person).get("/alerts/feed").get_data(as_text=True)
    for person in (town.per, town.gunnar):  # boat club contact, and Nyköping
        assert "Inga varningar för dina grupper." in login(person).get("/alerts/feed").get_data(as_text=True)


def test_pages_run_a_bounded_number_of_queries(db, town, factory, login):
    police = login(town.police)
    for i in range(30):
        resident_ = resident(factory, town.municipality, f"Granne {i}", f"+4670123{i:04d}")
        make_group(db, town.municipality, f"Grupp {i}", contacts=[resident_])
    alert_id = send(police, town)
    send(police, town)
    for url in (f"/alerts/{alert_id}", f"/alerts/{alert_id}?page=2", f"/alerts/{alert_id}/progress", "/alerts"):
        with count_queries(db.engine) as queries:
            assert police.get(url).status_code == 200
        assert queries.count <= 9, (url, queries)  # 9 with the staff menu's SMS badge
    eva = login(town.eva)
    with count_queries(db.engine) as queries:
        assert eva.get("/alerts/feed").status_code == 200
    assert queries.count <= 5, queries


def test_retry_button_resends_temporary_failures_only(db, town, login):
    police = login(town.police)
    alert_id = send(police, town)
    rows = deliveries(db, alert_id)
    rows["Eva Sjöberg"].status, rows["Eva Sjöberg"].error_code = DeliveryStatus.FAILED, "expired"
    rows["Per Nyström"].status, rows["Per Nyström"].error_code = DeliveryStatus.FAILED, "21211"
    db.session.commit()
    page = police.get(f"/alerts/{alert_id}").get_data(as_text=True)
    assert "Skicka igen till 1 som misslyckades av tillfälliga skäl" in page
    police.post(f"/alerts/{alert_id}/retry")
    rows = deliveries(db, alert_id)
    assert rows["Eva Sjöberg"].status == DeliveryStatus.DELIVERED and rows["Eva Sjöberg"].attempts == 2
    assert rows["Per Nyström"].status == DeliveryStatus.FAILED and rows["Per Nyström"].attempts == 1
    assert len([m for m in sms_outbox(db).values() if m.recipient == town.eva.phone]) == 1


def test_compose_is_rate_limited_per_person(town, login, rate_limited_client):
    client = rate_limited_client(town.police)
    for _ in range(20):
        assert client.post("/alerts/new", data=compose_data(town.municipality)).status_code == 302
    assert client.post("/alerts/new", data=compose_data(town.municipality)).status_code == 429


def test_review_keeps_line_breaks_of_the_message(db, town, login):
    police = login(town.police)
    body = "Inbrott i natt.\nLås förråden.\n\nTips: 114 14."
    page = police.post("/alerts/new", data=compose_data(town.municipality, body=body, action="review"))
    hidden = re.search(r'<input type="hidden" name="body" value="([^"]*)"', page.get_data(as_text=True)).group(1)
    assert hidden == body
    response = police.post("/alerts/new", data=compose_data(town.municipality, body=hidden.replace("\n", "\r\n")))
    assert db.session.get(Alert, int(response.location.rsplit("/", 1)[1])).body == body


def test_progress_polls_while_sending_and_stops_when_done(db, town, login):
    from watch.alerts.sending import dispatch_alert
    from watch.alerts.services import Targeting, create_alert, write_deliveries
    from watch.models import AlertTarget

    alert = create_alert(town.police, Targeting(town.municipality.id, AlertTarget.MUNICIPALITY), "Lås dörren.", 4)
    db.session.commit()
    alert_id = alert.id
    police = login(town.police)
    waiting = police.get(f"/alerts/{alert_id}/progress", headers={"HX-Request": "true"})
    text = waiting.get_data(as_text=True)
    assert 'hx-trigger="every 2s"' in text and "Väntar på att utskickstjänsten ska starta." in text
    assert "0 % hanterade: 0 av 0" in text and "HX-Trigger" not in waiting.headers

    # The dispatch job has written three of the four deliveries (Eva, Per and Lisa, skipped at once).
    assert write_deliveries(db.session.get(Alert, alert_id), batch_size=3) is False
    db.session.commit()
    writing = police.get(f"/alerts/{alert_id}/progress", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'hx-trigger="every 2s"' in writing and "Mottagarlistan skrivs: 3 av 4." in writing
    assert "25 % hanterade: 1 av 4" in writing  # the fourth, not yet written, counts as waiting
    assert "Lisa Ek" in police.get(f"/alerts/{alert_id}?fragment=recipients",
                                   headers={"HX-Request": "true"}).get_data(as_text=True)
    dispatch_alert(alert_id)
    done = police.get(f"/alerts/{alert_id}/progress", headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' not in done.get_data(as_text=True)
    assert "100 % hanterade: 4 av 4" in done.get_data(as_text=True)
    assert done.headers["HX-Trigger"] == "deliveries-settled"  # the recipient table reloads once
    table = police.get(f"/alerts/{alert_id}?fragment=recipients", headers={"HX-Request": "true"})
    assert "<html" not in table.get_data(as_text=True) and "Levererat" in table.get_data(as_text=True)


def test_recipient_pages_load_in_place(db, town, login, monkeypatch):
    from watch.alerts import services

    monkeypatch.setattr(services, "RECIPIENTS_PAGE_SIZE", 3)  # the alert reaches four people
    police = login(town.police)
    alert_id = send(police, town)
    page = police.get(f"/alerts/{alert_id}").get_data(as_text=True)
    assert "Sida 1 av 2" in page and 'aria-label="Sidor med mottagare"' in page
    assert (f'href="/alerts/{alert_id}?page=2" rel="next" hx-get="/alerts/{alert_id}?page=2&amp;fragment=recipients"'
            ' hx-target="#recipients">Nästa sida</a>') in page
    table = police.get(f"/alerts/{alert_id}?page=2&fragment=recipients", headers={"HX-Request": "true"})
    text = table.get_data(as_text=True)
    assert "<html" not in text and "Sida 2 av 2" in text
    assert (f'href="/alerts/{alert_id}?page=1" rel="prev"'
            f' hx-get="/alerts/{alert_id}?page=1&amp;fragment=recipients"') in text


def test_a_sent_alert_is_in_the_municipalitys_audit_log_and_only_there(db, town, factory, login):
    alert_id = send(login(town.police), town, target="groups", groups=[town.jogerso.id])

    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "alert.sent")).all()
    assert (event.actor_id, event.subject_id, event.municipality_id) == (town.police.id, alert_id, town.municipality.id)
    assert event.details["groups"] == "Jogersö båtklubb" and event.details["audience"] == "contacts"
    log = login(town.coordinator).get("/audit?action=alert.sent").get_data(as_text=True)
    assert "Utskick skickat" in log and "Johan Berg" in log
    other = login(factory.user(Role.COORDINATOR, town.other)).get("/audit?action=alert.sent").get_data(as_text=True)
    assert "Johan Berg" not in other


def test_my_data_holds_the_alerts_that_reached_me_and_deleting_forgets_me_in_their_reports(db, town, login):
    police = login(town.police)
    sent_id = send(police, town, target="groups", groups=[town.vastra.id])
    db.session.add(SmsReply(provider_sid="SM" + "7" * 32, phone=town.eva.phone, body="Tack, vi håller utkik!",
                            kind=SmsReplyKind.MESSAGE, alert_id=sent_id, user_id=town.eva.id))
    db.session.commit()
    eva = login(town.eva)
    data = eva.get("/my-data/export.json").get_json()
    assert data["alert_settings"] == [{"channel": "sms", "also_as_member": False, "verified_phone": "+46701234505",
                                       "phone_verified_at": data["alert_settings"][0]["phone_verified_at"],
                                       "sms_stopped_at": None}]
    [received] = data["alerts_received"]
    assert received["text"] == db.session.get(Alert, sent_id).body and received["to"] == "+46701234505"
    assert [r["text"] for r in data["sms_replies"]] == ["Tack, vi håller utkik!"]
    assert "Lisa Ek" not in json.dumps(data) and "+46701234510" not in json.dumps(data)

    # An alert still waiting to go out when Eva leaves: hers is dropped, not sent to a removed account.
    waiting = alert_with_deliveries(town.police, Targeting(town.municipality.id, AlertTarget.GROUPS, group_ids=[town.vastra.id]),
                           "Lås förråden i natt.", 4)
    db.session.commit()
    waiting_id, eva_id = waiting.id, town.eva.id
    assert eva.post("/my-data/delete", data={"password": PASSWORD, "confirm": "y"}).status_code == 302

    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Delivery).where(Delivery.user_id == eva_id)) == 0
    assert db.session.scalar(select(func.count()).select_from(Delivery).where(
        Delivery.alert_id == waiting_id, Delivery.phone == "+46701234505")) == 0
    rows = db.session.scalars(select(Delivery).where(Delivery.alert_id == sent_id)).all()
    assert len(rows) == 2  # still counted in the report, without her name or number
    assert "+46701234505" not in {d.phone for d in rows} and eva_id not in {d.user_id for d in rows}
    assert db.session.scalar(select(func.count()).select_from(SmsReply)) == 0
    assert "Borttaget konto" in police.get(f"/alerts/{sent_id}").get_data(as_text=True)


def test_sending_stores_the_alert_and_its_groups_and_the_job_writes_the_deliveries_in_batches(
        db, town, login, app, monkeypatch):
    from watch.alerts import routes, sending

    started = []
    monkeypatch.setattr(routes, "dispatch_alert", started.append)  # the job's turn comes below
    police = login(town.police)
    alert_id = send(police, town)
    alert = db.session.get(Alert, alert_id)
    assert started == [alert_id] and alert.status == AlertStatus.DRAFT
    assert alert.groups == [] and deliveries(db, alert_id) == {}  # the request wrote the alert only

    monkeypatch.setitem(app.config, "DELIVERY_WRITE_BATCH", 3)
    with count_queries(db.engine) as queries:
        sending.dispatch_alert(alert_id)
    batches = [s for s in queries.statements if s.startswith("INSERT INTO delivery")]
    assert len(batches) == 2  # three, then the fourth
    rows = deliveries(db, alert_id)
    assert sorted(rows) == ["Eva Sjöberg", "Lisa Ek", "Olle Berg", "Per Nyström"]
    alert = db.session.get(Alert, alert_id)
    assert alert.deliveries_written and alert.recipient_count == 4 and alert.status == AlertStatus.SENT
    assert sorted(g.name for g in alert.groups) == ["Jogersö båtklubb", "Tallbacken", "Västra vägen"]
    assert rows["Lisa Ek"].skip_reason == SkipReason.NO_VERIFIED_PHONE
    assert len(sms_outbox(db)) == 2  # Eva and Per, once each


def test_a_dispatch_job_that_stopped_half_way_continues_without_repeating_anyone(db, town, app):
    from watch.alerts import sending
    from watch.alerts.services import write_deliveries

    alert = create_alert(town.police, Targeting(town.municipality.id, AlertTarget.MUNICIPALITY), "Lås dörren.", 4)
    assert write_deliveries(alert, batch_size=2) is False
    db.session.commit()
    alert_id = alert.id
    sending.dispatch_alert(alert_id)  # run again, as the recovery job does for an alert stuck in draft
    assert sorted(deliveries(db, alert_id)) == ["Eva Sjöberg", "Lisa Ek", "Olle Berg", "Per Nyström"]
    assert sorted(sms_outbox(db)) == ["+46701234505", "+46701234506"]


def test_the_confirm_step_counts_the_reach_in_three_queries(db, town):
    from watch.alerts.services import reach

    targeting = Targeting(town.municipality.id, AlertTarget.MUNICIPALITY)
    with count_queries(db.engine) as queries:
        result = reach(targeting)
    assert (result.sms, result.email, result.groups) == (2, 1, 3) and sum(result.skipped.values()) == 1
    assert queries.count <= 3, queries


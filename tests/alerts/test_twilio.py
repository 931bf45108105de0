"""Sending through the real twilio client against a fake Twilio: exactly once, retries, STOP, receipts, signatures."""
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.alerts.helpers import alert_with_deliveries, compose_data, deliveries, make_group, resident
from tests.fake_twilio import sign
from tests.querycount import count_queries
from watch.alerts import sending
from watch.alerts.services import Targeting, create_alert, progress
from watch.jobs import huey
from watch.models import (
    Alert, AlertStatus, AlertTarget, Delivery, DeliveryStatus, SmsOptOut, utcnow,
)
from watch.messaging import sms_pacing as pacing

EVA, PER = "+46701234505", "+46701234506"


@pytest.fixture
def no_backoff(app, monkeypatch):
    """Temporary failures are retried at once (inline, since unit tests run jobs immediately)."""
    monkeypatch.setitem(app.config, "SMS_RETRY_BASE_SECONDS", 0)


def send_alert(login, town, **overrides) -> int:
    response = login(town.police).post("/alerts/new", data=compose_data(town.municipality, **overrides))
    assert response.status_code == 302
    return int(response.location.rsplit("/", 1)[1])


def test_every_recipient_gets_exactly_one_message_with_callback_and_validity(db, town, login, fake_twilio, app):
    alert_id = send_alert(login, town, validity=1)
    assert sorted(m["To"] for m in fake_twilio.messages) == [EVA, PER]
    message = fake_twilio.messages_to(EVA)[0]
    assert message["From"] == app.config["TWILIO_FROM"]
    assert message["Body"].startswith("Tre inbrott i förråd")
    assert 3500 <= int(message["ValidityPeriod"]) <= 3600
    rows = deliveries(db, alert_id)
    assert message["StatusCallback"] == (
        f"http://127.0.0.1:5000/sms/status?delivery={rows['Eva Sjöberg'].id}&attempt=1")
    assert rows["Eva Sjöberg"].status == DeliveryStatus.SENT
    assert rows["Eva Sjöberg"].provider_sid == message["sid"]  # stored at once
    assert db.session.get(Alert, alert_id).status == AlertStatus.SENT


def test_messaging_service_sid_is_used_when_configured(db, town, login, fake_twilio, app, monkeypatch):
    monkeypatch.setitem(app.config, "TWILIO_MESSAGING_SERVICE_SID", "MG" + "1" * 32)
    send_alert(login, town)
    assert fake_twilio.messages[0]["MessagingServiceSid"] == "MG" + "1" * 32
    assert "From" not in fake_twilio.messages[0]


def test_temporary_failures_are_retried_until_sent_once(db, town, login, fake_twilio, no_backoff):
    fake_twilio.fail_next(EVA, times=2, status=503, code=20503)
    fake_twilio.fail_next(PER, times=1, status=429, code=20429)
    alert_id = send_alert(login, town)
    assert len(fake_twilio.messages_to(EVA)) == 1 and len(fake_twilio.messages_to(PER)) == 1
    assert [a.outcome for a in fake_twilio.attempts if a.to == EVA] == [503, 503, 201]
    rows = deliveries(db, alert_id)
    assert rows["Eva Sjöberg"].status == DeliveryStatus.SENT and rows["Eva Sjöberg"].attempts == 3
    assert rows["Eva Sjöberg"].error_code is None


def test_temporary_failure_waits_with_exponential_backoff(db, town, login, fake_twilio, app):
    fake_twilio.fail_next(EVA, times=1)
    before = len(huey.scheduled())
    alert_id = send_alert(login, town)
    eva = deliveries(db, alert_id)["Eva Sjöberg"]
    assert eva.status == DeliveryStatus.QUEUED and eva.error_code == "20503"
    wait = (eva.next_attempt_at - utcnow()).total_seconds()
    assert 20 <= wait <= 36
    assert len(huey.scheduled()) == before + 1  # a send job waits for that moment
    assert db.session.get(Alert, alert_id).status == AlertStatus.SENDING
    # When the time has come, the scheduled job sends it, once.
    eva.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    sending.send_alert_sms.call_local(alert_id)
    assert len(fake_twilio.messages_to(EVA)) == 1
    assert db.session.get(Alert, alert_id).status == AlertStatus.SENT
    with app.app_context():
        delays = [sending.retry_delay(n) for n in (1, 2, 3, 4, 12)]
    assert 24 <= delays[0] <= 36 and 48 <= delays[1] <= 72 and 96 <= delays[2] <= 144 and delays[4] <= 1800 * 1.2


def test_retries_stop_when_the_validity_period_ends(db, town, login, fake_twilio, app, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_RETRY_BASE_SECONDS", 7200)  # the next try would be after 2 hours
    monkeypatch.setitem(app.config, "SMS_RETRY_MAX_SECONDS", 7200)
    fake_twilio.fail_next(EVA, times=1)
    eva = deliveries(db, send_alert(login, town, validity=1))["Eva Sjöberg"]
    assert eva.status == DeliveryStatus.FAILED and eva.error_code == "20503"


@pytest.mark.parametrize("code", [21610, 21211])
def test_permanent_errors_are_not_retried(db, town, login, fake_twilio, no_backoff, code):
    fake_twilio.refuse(EVA, code=code)
    alert_id = send_alert(login, town)
    assert len([a for a in fake_twilio.attempts if a.to == EVA]) == 1
    eva = deliveries(db, alert_id)["Eva Sjöberg"]
    assert eva.status == DeliveryStatus.FAILED and eva.error_code == str(code)
    # 21610 means the number replied STOP to our sender: we stop sending to it too.
    assert (db.session.get(SmsOptOut, EVA) is not None) == (code == 21610)


def test_a_timeout_after_twilio_accepted_is_not_sent_twice(db, town, login, fake_twilio, no_backoff, app):
    # The response is lost on the way back: Twilio has the message, the worker does not know.
    fake_twilio.time_out_next(EVA, seconds=app.config["TWILIO_HTTP_TIMEOUT_SECONDS"] + 1, accept=True)
    alert_id = send_alert(login, town)
    time.sleep(0.2)
    assert len(fake_twilio.messages_to(EVA)) == 1
    eva = deliveries(db, alert_id)["Eva Sjöberg"]
    assert eva.status == DeliveryStatus.SENT and eva.provider_sid == fake_twilio.messages_to(EVA)[0]["sid"]


def test_a_timeout_before_twilio_accepted_is_sent_again(db, town, login, fake_twilio, no_backoff, app):
    fake_twilio.time_out_next(EVA, seconds=app.config["TWILIO_HTTP_TIMEOUT_SECONDS"] + 1, accept=False)
    alert_id = send_alert(login, town)
    assert len(fake_twilio.messages_to(EVA)) == 1
    assert deliveries(db, alert_id)["Eva Sjöberg"].attempts == 2


def test_receipts_move_status_forward_only_and_progress_counts_them(db, town, login, fake_twilio, client):
    alert_id = send_alert(login, town)
    eva_message, per_message = fake_twilio.messages_to(EVA)[0], fake_twilio.messages_to(PER)[0]

    def post(message, status, error=None):
        path, params, headers = fake_twilio.status_callback(message, status, error)
        return client.post(path, data=params, headers=headers)

    assert post(eva_message, "delivered").status_code == 204
    assert post(eva_message, "sent").status_code == 204  # late and out of order: ignored
    assert post(eva_message, "undelivered", 30005).status_code == 204  # a final status never changes
    assert post(per_message, "undelivered", 30006).status_code == 204
    assert post(per_message, "undelivered", 30006).status_code == 204  # duplicate
    rows = deliveries(db, alert_id)
    assert rows["Eva Sjöberg"].status == DeliveryStatus.DELIVERED and rows["Eva Sjöberg"].error_code is None
    assert rows["Per Nyström"].status == DeliveryStatus.UNDELIVERED and rows["Per Nyström"].error_code == "30006"
    counts = progress(db.session.get(Alert, alert_id)).counts
    assert (counts[DeliveryStatus.DELIVERED], counts[DeliveryStatus.UNDELIVERED], counts[DeliveryStatus.SKIPPED],
            counts[DeliveryStatus.SENT], counts[DeliveryStatus.QUEUED]) == (1, 1, 1, 1, 0)  # SENT: Olle's email
    page = login(town.police).get(f"/alerts/{alert_id}").get_data(as_text=True)
    assert "Kan inte ta emot sms (fast telefon eller spärrat) (30006)" in page


def test_carrier_reports_phone_off_and_the_message_is_sent_again(db, town, login, fake_twilio, client, no_backoff):
    alert_id = send_alert(login, town)
    path, params, headers = fake_twilio.status_callback(fake_twilio.messages_to(EVA)[0], "undelivered", 30003)
    assert client.post(path, data=params, headers=headers).status_code == 204
    assert len(fake_twilio.messages_to(EVA)) == 2  # a new message for the temporary carrier failure
    eva = deliveries(db, alert_id)["Eva Sjöberg"]
    assert eva.status == DeliveryStatus.SENT and eva.attempts == 2
    assert eva.provider_sid == fake_twilio.messages_to(EVA)[1]["sid"]
    # The old message's receipts no longer count.
    path, params, headers = fake_twilio.status_callback(fake_twilio.messages_to(EVA)[0], "delivered")
    client.post(path, data=params, headers=headers)
    assert deliveries(db, alert_id)["Eva Sjöberg"].status == DeliveryStatus.SENT


def test_forged_or_misdirected_receipts_are_refused(db, town, login, fake_twilio, client):
    alert_id = send_alert(login, town)
    path, params, headers = fake_twilio.status_callback(fake_twilio.messages_to(EVA)[0], "delivered")
    assert client.post(path, data=params).status_code == 403  # unsigned
    assert client.post(path, data=params, headers={"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}).status_code == 403
    tampered = {**params, "MessageStatus": "failed"}
    assert client.post(path, data=tampered, headers=headers).status_code == 403
    other_delivery = path.replace("delivery=", "delivery=9")
    assert client.post(other_delivery, data=params, headers=headers).status_code == 403
    wrong_key = {"X-Twilio-Signature": sign("another-token", "http://127.0.0.1:5000" + path, params)}
    assert client.post(path, data=params, headers=wrong_key).status_code == 403
    assert deliveries(db, alert_id)["Eva Sjöberg"].status == DeliveryStatus.SENT


def test_receipts_are_checked_against_public_url_behind_a_proxy(db, town, login, fake_twilio, client, app,
                                                                monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://grannsamverkan.oxelosund.se")
    alert_id = send_alert(login, town)
    message = fake_twilio.messages_to(EVA)[0]
    assert message["StatusCallback"].startswith("https://grannsamverkan.oxelosund.se/sms/status?")
    path, params, headers = fake_twilio.status_callback(message, "delivered")
    response = client.post(path, data=params, headers=headers, base_url="http://10.0.0.5:8000")
    assert response.status_code == 204
    assert deliveries(db, alert_id)["Eva Sjöberg"].status == DeliveryStatus.DELIVERED


def test_two_workers_never_send_the_same_delivery(db, factory, app, fake_twilio):
    town_ = factory.municipality("Oxelösund", "0481")
    people = [resident(factory, town_, f"Granne {i}", f"+4670555{i:04d}") for i in range(40)]
    make_group(db, town_, "Västra vägen", contacts=people)
    police = factory.user(municipality=town_)
    fake_twilio.latency = 0.02
    alert = alert_with_deliveries(police, Targeting(town_.id, AlertTarget.MUNICIPALITY), "Lås in båtmotorerna i natt.", 4)
    db.session.commit()
    alert_id = alert.id
    claimed: dict[str, list[int]] = {"a": [], "b": []}
    batch_sizes: list[int] = []

    def worker(name):
        with app.app_context():
            while claims := sending.claim_batch(alert_id, 3):
                batch_sizes.append(len(claims))
                claimed[name].extend(claim.delivery_id for claim in claims)
                sending.send_claims(claims)

    threads = [threading.Thread(target=worker, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert claimed["a"] and claimed["b"], "both workers took part"
    assert max(batch_sizes) == 3  # a claim takes at most its batch (PostgreSQL once handed one worker them all)
    assert not set(claimed["a"]) & set(claimed["b"])
    assert sorted(m["To"] for m in fake_twilio.messages) == sorted(p.phone for p in people)
    assert len(fake_twilio.attempts) == 40


def test_a_claim_left_by_a_dead_worker_is_recovered_without_a_double_send(db, town, login, fake_twilio, app,
                                                                          monkeypatch):
    monkeypatch.setitem(app.config, "SMS_SEND_CONCURRENCY", 1)
    targeting = Targeting(town.municipality.id, AlertTarget.POSTCODES, postcodes=["61331", "61339"])
    alert = alert_with_deliveries(town.police, targeting, "Lås dörren.", 4)
    alert.status = AlertStatus.SENDING  # dispatch_alert has started it
    db.session.commit()
    alert_id = alert.id
    # Worker 1 claims Eva's and Per's deliveries, sends Eva's, and dies before recording it.
    first, second = sending.claim_batch(alert_id, 2)
    by_id = {d.id: d for d in db.session.scalars(
        select(Delivery).where(Delivery.id.in_([first.delivery_id, second.delivery_id])))}
    eva_id = next(i for i, d in by_id.items() if d.phone == EVA)
    sending.get_backend().send(EVA, "Lås dörren.")
    for delivery in by_id.values():
        delivery.claimed_at = utcnow() - timedelta(minutes=10)
    db.session.commit()
    assert len(fake_twilio.messages) == 1

    sending.recover_stalled_deliveries.call_local()
    assert sorted(m["To"] for m in fake_twilio.messages) == [EVA, PER]  # Eva's was found, not sent again
    rows = deliveries(db, alert_id)
    assert rows["Eva Sjöberg"].id == eva_id and rows["Eva Sjöberg"].status == DeliveryStatus.SENT
    assert rows["Eva Sjöberg"].provider_sid == fake_twilio.messages_to(EVA)[0]["sid"]
    assert rows["Per Nyström"].status == DeliveryStatus.SENT
    assert db.session.get(Alert, alert_id).status == AlertStatus.SENT


def test_recovery_expires_what_can_no_longer_be_sent_and_restarts_lost_alerts(db, town, fake_twilio, app):
    stuck = alert_with_deliveries(town.police, Targeting(town.municipality.id, AlertTarget.MUNICIPALITY), "Gammalt.", 1)
    stuck.valid_until = utcnow() - timedelta(minutes=1)
    with app.test_request_context():  # the targeting is described in words, in the sender's language
        lost = create_alert(town.police, Targeting(town.municipality.id, AlertTarget.KIND, kind="boat"), "Nytt.", 4)
    lost.created_at = utcnow() - timedelta(minutes=5)  # committed, but its job never ran
    db.session.commit()
    stuck_id, lost_id = stuck.id, lost.id
    sending.recover_stalled_deliveries.call_local()
    assert {d.status for d in deliveries(db, stuck_id).values() if d.channel == "sms" and d.phone} == {
        DeliveryStatus.FAILED}
    assert [m["To"] for m in fake_twilio.messages] == [PER]
    assert db.session.get(Alert, lost_id).status == AlertStatus.SENT


def test_recovery_restarts_an_overdue_alert_only_when_its_workers_have_stopped(db, town, fake_twilio, app, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_SEND_CONCURRENCY", 1)
    alert = alert_with_deliveries(town.police, Targeting(town.municipality.id, AlertTarget.POSTCODES,
                                                         postcodes=["61331", "61339"]), "Lås dörren.", 4)
    alert.status = AlertStatus.SENDING
    db.session.commit()
    alert_id = alert.id
    two_minutes_ago = utcnow() - timedelta(minutes=2)
    db.session.execute(update(Delivery).where(Delivery.alert_id == alert_id).values(next_attempt_at=two_minutes_ago))
    db.session.commit()
    # A long backlog: both deliveries waited for minutes, but a worker claimed one just now.
    [claimed] = sending.claim_batch(alert_id, 1)

    sending.recover_stalled_deliveries.call_local()
    assert fake_twilio.messages == []  # the workers are busy with it: no extra send jobs

    # The worker gave the claim back and its job was lost: nobody is sending now, so it starts again.
    db.session.execute(update(Delivery).where(Delivery.id == claimed.delivery_id)
                       .values(status=DeliveryStatus.QUEUED, claimed_at=None))
    db.session.commit()
    sending.recover_stalled_deliveries.call_local()
    assert sorted(m["To"] for m in fake_twilio.messages) == [EVA, PER]
    assert db.session.get(Alert, alert_id).status == AlertStatus.SENT


def _reserve_concurrently(app, threads: int, each: int, batch: int) -> list[float]:
    """Every thread reserves slots, `batch` at a time, and records when it was allowed to send."""
    times, lock = [], threading.Lock()

    def run():
        with app.app_context():
            for _ in range(each // batch):
                slots = pacing.SendSlots(batch)
                for _ in range(batch):
                    slots.wait()
                    with lock:
                        times.append(time.monotonic())

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=30)
    return sorted(times)


@pytest.mark.parametrize("batch", [1, 5])
@pytest.mark.parametrize("backend", ["database", "redis"])
def test_messages_per_second_are_shared_by_all_workers(db, app, monkeypatch, backend, batch):
    from tests.conftest import TEST_REDIS_URL

    if backend == "redis":
        if not TEST_REDIS_URL:
            pytest.skip("TEST_REDIS_URL is not set")
        monkeypatch.setitem(app.config, "REDIS_URL", TEST_REDIS_URL)
    else:
        monkeypatch.setitem(app.config, "REDIS_URL", None)
    monkeypatch.setitem(app.config, "SMS_RATE_PER_SECOND", 40)
    times = _reserve_concurrently(app, threads=4, each=10, batch=batch)
    span = times[-1] - times[0]
    assert len(times) == 40
    assert span >= 39 / 40 * 0.9, f"40 sends at 40/s took only {span:.2f}s"
    assert span <= 2.5, f"pacing is far too slow: {span:.2f}s"


def test_a_batch_of_send_slots_costs_one_statement(db, app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    monkeypatch.setitem(app.config, "SMS_RATE_PER_SECOND", 1000)
    pacing.SendSlots(1)  # creates the shared row
    with count_queries(db.engine) as queries:
        pacing.SendSlots(10)
    assert [s.split()[0] for s in queries.statements] == ["UPDATE"], queries

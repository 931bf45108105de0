"""Web Push as a free channel: subscriptions per device, alerts and notices by push, and what push services say.

A fake push service on 127.0.0.1 receives what pywebpush sends; the fake browser decrypts it with its
subscription's keys (http_ece), proving each message is a valid Web Push message.
"""
import base64
import json
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from sqlalchemy import select

from tests.alerts.helpers import build_town, compose_data, deliveries
from tests.fake_push import FakeBrowser, FakePushService
from tests.observation_support import file_observation
from watch.alerts.sending import dispatch_alert
from watch.alerts.services import Targeting, create_alert, reach
from watch.messaging import push
from watch.models import AlertAudience, AlertTarget, PushMessage, PushStatus, PushSubscription, utcnow

ALERT_TEXT = "Tre inbrott i förråd på Västra vägen i veckan. Lås in trimmers. Tips: 114 14."


def unpadded(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


@pytest.fixture
def push_service(app, monkeypatch):
    """Push on, with new VAPID keys, and the fake push service on 127.0.0.1 allowed beside the real ones."""
    service = FakePushService().start()
    private, public = push.make_vapid_keys()
    monkeypatch.setitem(app.config, "VAPID_PRIVATE_KEY", private)
    monkeypatch.setitem(app.config, "VAPID_PUBLIC_KEY", public)
    monkeypatch.setitem(app.config, "PUSH_SERVICE_HOSTS", (*app.config["PUSH_SERVICE_HOSTS"], "127.0.0.1"))
    monkeypatch.setitem(app.config, "PUSH_SERVICE_SCHEMES", ("https", "http"))
    yield service
    service.stop()


@pytest.fixture
def town(db, factory):
    return build_town(db, factory)


def turn_on_push(client, browser: FakeBrowser):
    response = client.post("/profile/push", data=browser.form(), headers={"User-Agent": "Mozilla/5.0 (Linux; "
                           "Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari"})
    assert response.status_code == 302 and response.location == "/profile#push-heading"
    return response


def send_alert(db, town, body=ALERT_TEXT):
    alert = create_alert(town.police, Targeting(town.municipality.id, AlertTarget.MUNICIPALITY,
                                                audience=AlertAudience.CONTACTS), body, 4)
    db.session.commit()
    dispatch_alert(alert.id)  # as the compose page's job would: writes the deliveries and queues the pushes
    return alert


def messages(db, **where):
    db.session.expire_all()
    return db.session.scalars(select(PushMessage).filter_by(**where).order_by(PushMessage.id)).all()


def check_vapid(request, app, service):
    """The request is signed with the portal's VAPID key for this push service (RFC 8292)."""
    scheme, _, params = request.headers["authorization"].partition(" ")
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    assert scheme == "vapid" and fields["k"] == app.config["VAPID_PUBLIC_KEY"]
    header, claims, signature = fields["t"].split(".")
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unpadded(fields["k"]))
    raw = unpadded(signature)
    key.verify(encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
               f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    claims = json.loads(unpadded(claims))
    assert claims["aud"] == service.url and claims["sub"] == app.config["VAPID_SUBJECT"]


def test_an_alert_reaches_a_push_subscriber_as_a_valid_web_push_message(app, db, town, login, push_service):
    browser = FakeBrowser(push_service)
    turn_on_push(login(town.eva), browser)
    assert db.session.scalar(select(PushSubscription.device)) == "Chrome på Android"

    alert = send_alert(db, town)

    [request] = push_service.requests
    assert request.path == browser.endpoint.removeprefix(push_service.url)
    assert browser.decrypt(request) == {"title": "Varning från polisen eller kommunen", "body": ALERT_TEXT,
                                        "url": f"/alerts/feed#alert-{alert.id}"}
    check_vapid(request, app, push_service)
    assert 0 < int(request.headers["ttl"]) <= 4 * 3600
    [message] = messages(db, alert_id=alert.id)
    assert message.status == PushStatus.SENT and message.user_id == town.eva.id
    # Push comes beside SMS unless she chooses otherwise: her SMS is queued as before.
    assert deliveries(db, alert.id)["Eva Sjöberg"].channel == "sms"

    report = login(town.police).get(f"/alerts/{alert.id}").get_data(as_text=True)
    assert "Push-meddelanden" in report and "<dt>Skickat</dt><dd>1</dd>" in report


def test_the_push_opens_a_page_that_asks_for_a_login(app, db, town, login, push_service):
    browser = FakeBrowser(push_service)
    turn_on_push(login(town.eva), browser)
    send_alert(db, town)
    url = browser.decrypt(push_service.requests[0])["url"]
    response = app.test_client().get(url.split("#")[0])
    assert response.status_code == 302 and response.location.startswith("/login")


def test_a_subscription_the_push_service_no_longer_knows_is_removed(db, town, login, push_service):
    turn_on_push(login(town.eva), FakeBrowser(push_service))
    push_service.answer_next(410)
    alert = send_alert(db, town)
    [message] = messages(db, alert_id=alert.id)
    assert message.status == PushStatus.EXPIRED and message.error_code == "410"
    assert db.session.scalar(select(PushSubscription)) is None
    report = login(town.police).get(f"/alerts/{alert.id}").get_data(as_text=True)
    assert "<dt>Enheten går inte längre att nå (push avstängt där)</dt><dd>1</dd>" in report
    # The next alert has nobody to push to.
    send_alert(db, town, "Polisen har gripit två personer för inbrotten på Västra vägen.")
    assert len(push_service.requests) == 1


def test_a_busy_or_failing_push_service_is_tried_again_with_growing_back_off(db, town, login, push_service):
    browser = FakeBrowser(push_service)
    turn_on_push(login(town.eva), browser)
    push_service.answer_next(429, 503)
    started = utcnow()
    alert = send_alert(db, town)
    [message] = messages(db, alert_id=alert.id)
    assert (message.status, message.attempts, message.error_code) == (PushStatus.QUEUED, 1, "429")
    first_wait = message.next_attempt_at - started

    message.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    again = utcnow()
    push.send_push_messages()
    [message] = messages(db, alert_id=alert.id)
    assert (message.status, message.attempts, message.error_code) == (PushStatus.QUEUED, 2, "503")
    assert message.next_attempt_at - again > first_wait

    message.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    push.send_push_messages()
    [message] = messages(db, alert_id=alert.id)
    assert (message.status, message.attempts) == (PushStatus.SENT, 3)
    assert len(push_service.requests) == 3 and browser.decrypt(push_service.requests[-1])["body"] == ALERT_TEXT


def test_a_contact_person_may_choose_push_instead_of_sms(db, town, login, push_service):
    client = login(town.eva)
    targeting = Targeting(town.municipality.id, AlertTarget.MUNICIPALITY, audience=AlertAudience.CONTACTS)
    before = reach(targeting)
    turn_on_push(client, FakeBrowser(push_service))
    response = client.post("/profile/push/instead-of-sms", data={"push_instead_of_sms": "y"})
    assert response.status_code == 302

    after = reach(targeting)
    assert (after.sms, after.push, after.push_only, after.sms_saved) == (before.sms - 1, 1, 1, 1)
    assert after.reached == before.reached
    # The compose page tells the sender how many SMS, and SMS parts, push saves.
    summary = login(town.police).post("/alerts/new/summary", data=compose_data(town.municipality, action="review"),
                                      headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "SMS som push sparar" in summary and "1 sms (1 del)" in summary

    alert = send_alert(db, town)
    assert "Eva Sjöberg" not in deliveries(db, alert.id)
    assert [m.user_id for m in messages(db, alert_id=alert.id)] == [town.eva.id]
    assert len(push_service.requests) == 1


def test_push_instead_of_sms_without_a_device_with_push_still_sends_the_sms(db, town, login):
    login(town.eva).post("/profile/push/instead-of-sms", data={"push_instead_of_sms": "y"})
    alert = send_alert(db, town)
    assert deliveries(db, alert.id)["Eva Sjöberg"].channel == "sms"


def test_a_note_on_an_observation_is_pushed_to_its_reporter(db, town, login, push_service):
    browser = FakeBrowser(push_service)
    turn_on_push(login(town.maria), browser)
    observation = file_observation(db, town.maria, town.vastra)
    login(town.coordinator).post(f"/observations/{observation.id}/status",
                                 data={"status": "seen", "note": "Tack, vi har pratat med polisen.", "category": ""})
    [request] = push_service.requests
    payload = browser.decrypt(request)
    assert payload["url"] == f"/observations/{observation.id}"
    assert payload["title"] == "Din iakttagelse har nu status: Läst av samordnaren"
    assert "Tack" not in json.dumps(payload)  # the note itself is read behind the login


@pytest.mark.parametrize("endpoint", [
    "https://push.example.com/wpush/abc",  # not a browser's push service
    "https://fcm.googleapis.com.example.com/fcm/send/abc",  # only looks like one
    "https://user:secret@fcm.googleapis.com/fcm/send/abc",
    "https://fcm.googleapis.com:8443/fcm/send/abc",
    "http://fcm.googleapis.com/fcm/send/abc",  # not https
    "http://127.0.0.1:9/internal",  # into our own network
    "javascript:alert(1)",
    "https://[fcm.googleapis.com/fcm/send/abc",
    "https://fcm.googleapis.com/" + "a" * 1000,
])
def test_a_malformed_or_foreign_endpoint_is_refused_with_a_clear_message(app, db, town, login, monkeypatch,
                                                                         endpoint):
    private, public = push.make_vapid_keys()
    monkeypatch.setitem(app.config, "VAPID_PRIVATE_KEY", private)
    monkeypatch.setitem(app.config, "VAPID_PUBLIC_KEY", public)
    client = login(town.eva)
    keys = {"p256dh": "BNLSOt_QwvuQMtCBYi5FSAcBCXpVIJhn0SuJEZ4UrRiVxUXkIM0Jv5735vbOzOHmAXBGIODFJsOZZ6sd9cB8lSM",
            "auth": "AAAAAAAAAAAAAAAAAAAAAA"}
    client.post("/profile/push", data={"endpoint": endpoint, **keys})
    page = client.get("/profile").get_data(as_text=True)
    assert "flash--error" in page
    assert ("Push-meddelanden går bara via webbläsarnas egna push-tjänster" in page
            or "en adress för push-meddelanden som portalen inte kan använda" in page)
    assert db.session.scalar(select(PushSubscription)) is None

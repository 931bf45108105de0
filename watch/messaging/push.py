"""Web Push: a free channel to the devices where people turned it on (VAPID, RFC 8030 and RFC 8291).

A browser's subscription is an https URL at its vendor's push service plus two keys; pywebpush
encrypts each message for those keys and signs the request with the portal's VAPID key. Only the
known push services are accepted (PUSH_SERVICE_HOSTS): a subscription is an address the workers
post to, so it must never point into our own network.

Messages are rows (PushMessage) sent by a job, like SMS: claimed before sending, 429 and 5xx retried
with back-off while the message is valid, 404 and 410 (the subscription is gone) remove the
subscription. A payload holds a title, a short text the recipient may read and a path in the
portal, which asks for a login before it shows anything.
"""
import base64
import binascii
import json
import logging
import os
import random
from collections.abc import Mapping
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from huey import crontab
from sqlalchemy import Integer, Select, delete, literal, select, update

from watch.extensions import db
from watch.jobs import app_periodic_task, app_task
from watch.models import PushMessage, PushStatus, PushSubscription, User, utcnow
from watch.models.base import UTCDateTime

log = logging.getLogger(__name__)

GONE_STATUSES = (404, 410)  # the push service no longer knows this subscription
ENDPOINT_MAX = 1000


class SubscriptionError(ValueError):
    """A subscription we refuse; str() is the message for the person, in their language."""


def make_vapid_keys() -> tuple[str, str]:
    """A new VAPID key pair: (private key, public key), both base64url as the environment holds them."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return _encoded(private), _encoded(public)


def _encoded(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


DEMO_KEYS_FILE = "vapid-demo.json"  # in the instance folder; development only


def init_app(app) -> None:
    """In development without VAPID keys in the environment, use the demo's own (made by `flask demo seed`)."""
    if app.config.get("VAPID_PRIVATE_KEY") or app.config["ENV_NAME"] != "development":
        return
    try:
        with open(os.path.join(app.instance_path, DEMO_KEYS_FILE)) as file:
            keys = json.load(file)
    except (OSError, ValueError):
        return
    app.config["VAPID_PRIVATE_KEY"], app.config["VAPID_PUBLIC_KEY"] = keys["private"], keys["public"]


def make_demo_keys() -> bool:
    """The demo's VAPID keys, made once; True if they were made now. In use from the next start of the app."""
    path = os.path.join(current_app.instance_path, DEMO_KEYS_FILE)
    if os.path.exists(path):
        return False
    private, public = make_vapid_keys()
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
        json.dump({"private": private, "public": public}, file)
    return True


def push_enabled() -> bool:
    config = current_app.config
    return bool(config.get("VAPID_PRIVATE_KEY") and config.get("VAPID_PUBLIC_KEY"))


def _decoded(value, length: int) -> bytes | None:
    if not isinstance(value, str) or len(value) > 100:
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == length else None


def _is_public_key(raw: bytes | None) -> bool:
    """A point on P-256, as the browser's key must be: anything else could not be encrypted for."""
    if raw is None:
        return False
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError:
        return False
    return True


def check_endpoint(endpoint) -> str:
    """The endpoint if it is a push service's https URL; SubscriptionError otherwise."""
    config = current_app.config
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > ENDPOINT_MAX:
        raise SubscriptionError(_l("This browser gave an address for push messages that the portal cannot use."))
    try:
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        raise SubscriptionError(_l("This browser gave an address for push messages that the portal cannot use.")) \
            from None
    known = any(host == allowed or host.endswith("." + allowed) for allowed in config["PUSH_SERVICE_HOSTS"])
    if parts.scheme not in config["PUSH_SERVICE_SCHEMES"] or not known or parts.username or parts.password:
        raise SubscriptionError(_l("Push messages only go through the browsers' own push services; this browser "
                                   "gave another address."))
    if parts.scheme == "https" and port not in (None, 443):
        raise SubscriptionError(_l("Push messages only go through the browsers' own push services; this browser "
                                   "gave another address."))
    return endpoint


def subscribe(user: User, subscription, device: str) -> PushSubscription:
    """Record the browser's subscription (PushSubscription.toJSON()) for `user`; flushes."""
    if not isinstance(subscription, dict) or not isinstance(subscription.get("keys"), dict):
        raise SubscriptionError(_l("This browser gave an address for push messages that the portal cannot use."))
    endpoint = check_endpoint(subscription.get("endpoint"))
    keys = subscription["keys"]
    if not _is_public_key(_decoded(keys.get("p256dh"), 65)) or _decoded(keys.get("auth"), 16) is None:
        raise SubscriptionError(_l("This browser gave keys for push messages that the portal cannot use."))
    # One browser, one row: subscribing again (or after someone else on the same phone) moves it.
    row = db.session.scalar(select(PushSubscription).where(PushSubscription.endpoint == endpoint))
    if row is None:
        row = PushSubscription(endpoint=endpoint)
        db.session.add(row)
    row.user_id, row.p256dh, row.auth, row.device = user.id, keys["p256dh"], keys["auth"], device[:100]
    db.session.flush()
    return row


def unsubscribe(user: User, endpoint: str) -> bool:
    """Turn push off for this person's browser; False if it was not on."""
    return bool(db.session.execute(
        delete(PushSubscription).where(PushSubscription.user_id == user.id, PushSubscription.endpoint == endpoint)
    ).rowcount)


def subscriptions_of(user: User) -> list[PushSubscription]:
    return list(db.session.scalars(
        select(PushSubscription).where(PushSubscription.user_id == user.id).order_by(PushSubscription.created_at)))


def has_push(user_id_column) -> Select:
    """An EXISTS for queries over people: whether the person has at least one device with push on."""
    return select(PushSubscription.id).where(PushSubscription.user_id == user_id_column).exists()


# ---- queueing ------------------------------------------------------------------------------------

def queue_for_people(user_ids: Select, *, title, body: str, link: str, valid_until: datetime,
                     alert_id: int | None = None, body_by_locale: Mapping[str, str] | None = None) -> None:
    """One message per device of each of these people, the title in each person's language; sent after commit.

    `title` is a lazy string rendered once per language present, so 10,000 recipients cost a few INSERTs.
    `body_by_locale`: the text for the readers of a language, when it has its own; the others get `body`.
    """
    people = select(User.id, User.locale).where(User.id.in_(user_ids), has_push(User.id))
    locales = db.session.scalars(select(people.subquery().c.locale).distinct()).all()
    if not locales:
        return
    now = literal(utcnow(), UTCDateTime)
    for locale in locales:
        with force_locale(locale):
            rendered = str(title)[:200]
        db.session.execute(PushMessage.__table__.insert().from_select(
            ["alert_id", "user_id", "subscription_id", "title", "body", "link", "status", "attempts",
             "next_attempt_at", "valid_until", "created_at", "updated_at"],
            select(literal(alert_id, Integer), PushSubscription.user_id, PushSubscription.id, literal(rendered),
                   literal((body_by_locale or {}).get(locale, body)), literal(link),
                   literal(PushStatus.QUEUED.value), literal(0), now,
                   literal(valid_until, UTCDateTime), now, now)
            .join(User, User.id == PushSubscription.user_id)
            .where(User.id.in_(user_ids), User.locale == locale)
        ))
    send_push_messages()


def push_to_person(user: User, title: str, body: str, link: str) -> None:
    """One message (already in the person's language) to each of their devices; sent after commit."""
    valid_until = utcnow() + timedelta(seconds=current_app.config["PUSH_TTL_SECONDS"])
    rows = [PushMessage(user_id=user.id, subscription_id=s.id, title=title[:200], body=body, link=link,
                        valid_until=valid_until) for s in subscriptions_of(user)]
    if rows:
        db.session.add_all(rows)
        db.session.flush()
        send_push_messages()


# ---- sending -------------------------------------------------------------------------------------

def retry_delay(attempts: int) -> float:
    """Exponential back-off with ±20 % jitter, as for SMS."""
    config = current_app.config
    delay = min(config["PUSH_RETRY_BASE_SECONDS"] * 2 ** max(attempts - 1, 0), config["PUSH_RETRY_MAX_SECONDS"])
    return delay * random.uniform(0.8, 1.2)


@app_task()
def send_push_messages() -> None:
    """Send due push messages one by one until none is left; several workers may run this at once."""
    while (message_id := _claim_next()) is not None:
        _send(db.session.get(PushMessage, message_id))
        db.session.commit()


def _claim_next() -> int | None:
    now = utcnow()
    due = (select(PushMessage.id)
           .where(PushMessage.status == PushStatus.QUEUED, PushMessage.next_attempt_at <= now)
           .order_by(PushMessage.next_attempt_at, PushMessage.id).limit(1)
           .with_for_update(skip_locked=True))
    claimed = db.session.execute(
        update(PushMessage).where(PushMessage.id == due.scalar_subquery(), PushMessage.status == PushStatus.QUEUED)
        .values(status=PushStatus.SENDING, attempts=PushMessage.attempts + 1, updated_at=now)
        .returning(PushMessage.id).execution_options(synchronize_session=False)
    ).scalar()
    db.session.commit()
    return claimed


def _send(message: PushMessage) -> None:
    config = current_app.config
    subscription = db.session.get(PushSubscription, message.subscription_id) if message.subscription_id else None
    seconds_left = int((message.valid_until - utcnow()).total_seconds())
    message.updated_at = utcnow()
    if subscription is None:
        message.status, message.error_code = PushStatus.EXPIRED, "unsubscribed"
        return
    if seconds_left <= 0:
        message.status, message.error_code = PushStatus.FAILED, "expired"
        return
    # Imported here: pywebpush brings aiohttp, which every web worker would otherwise load at start for nothing.
    from pywebpush import WebPushException, webpush

    payload = json.dumps({"title": message.title, "body": message.body, "url": message.link}, ensure_ascii=False)
    try:
        webpush({"endpoint": subscription.endpoint, "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}},
                payload, vapid_private_key=config["VAPID_PRIVATE_KEY"],
                vapid_claims={"sub": config["VAPID_SUBJECT"]}, ttl=seconds_left,
                timeout=config["PUSH_HTTP_TIMEOUT_SECONDS"], headers={"Urgency": "high"})
    except WebPushException as error:
        status = error.response.status_code if error.response is not None else None
        _record_failure(message, subscription, status)
    except requests.RequestException:
        _record_failure(message, subscription, None)
    else:
        message.status, message.error_code = PushStatus.SENT, None


def _record_failure(message: PushMessage, subscription: PushSubscription, status: int | None) -> None:
    """404/410: the browser dropped the subscription, so do we. 429, 5xx or no answer: again later. Else failed."""
    message.error_code = str(status) if status else "network"
    if status in GONE_STATUSES:
        message.status = PushStatus.EXPIRED
        db.session.delete(subscription)
        return
    temporary = status is None or status == 429 or status >= 500
    delay = retry_delay(message.attempts) if temporary else None
    if delay is None or utcnow() + timedelta(seconds=delay) >= message.valid_until:
        message.status = PushStatus.FAILED
        return
    log.info("push message %s attempt %s failed with %s; again in %.0f s", message.id, message.attempts,
             message.error_code, delay)
    message.status = PushStatus.QUEUED
    message.next_attempt_at = utcnow() + timedelta(seconds=delay)
    send_push_messages.schedule(delay=delay)


@app_periodic_task(crontab(minute="*"))
def recover_push_messages() -> None:
    """Every minute: hand claims of a stopped worker back, and send what waited for a lost job."""
    now = utcnow()
    stale_before = now - timedelta(seconds=current_app.config["PUSH_CLAIM_TIMEOUT_SECONDS"])
    db.session.execute(
        update(PushMessage).where(PushMessage.status == PushStatus.SENDING, PushMessage.updated_at < stale_before)
        .values(status=PushStatus.QUEUED, next_attempt_at=now, updated_at=now)
        .execution_options(synchronize_session=False))
    db.session.commit()
    if db.session.scalar(select(PushMessage.id).where(
            PushMessage.status == PushStatus.QUEUED, PushMessage.next_attempt_at <= now).limit(1)) is not None:
        send_push_messages()

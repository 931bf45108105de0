"""Background jobs that send an alert: fan-out, claim-before-send, pacing, retries and receipts.

The dispatch job first writes the alert's deliveries, a batch per transaction, then starts the
send jobs. Deliveries are claimed (queued → sending) a batch at a time by one atomic UPDATE before
anything is sent: on PostgreSQL its sub-select takes the rows with FOR UPDATE SKIP LOCKED, on SQLite
the write lock serialises the statement and its `status = 'queued'` condition lets only one worker
win. So two workers, a retry and a re-run job never send the same delivery twice. A worker that dies
leaves its claim behind; `recover_stalled_deliveries` hands such rows to another worker, which
first asks the provider whether the message went out before sending it again.
"""
import logging
import random
from datetime import datetime, timedelta
from typing import NamedTuple

from flask import current_app
from huey import crontab
from sqlalchemy import bindparam, case, exists, func, literal_column, or_, select, update

from watch.extensions import db
from watch.alerts.services import version_texts, write_deliveries
from watch.jobs import app_periodic_task, app_task
from watch.messaging.email import email_user
from watch.messaging.optouts import opt_out
from watch.messaging.signals import sms_status_reported
from watch.messaging.sms_backends import PROVIDER_OPT_OUT_CODE, SmsError, get_backend, is_temporary
from watch.messaging.sms_pacing import SendSlots
from watch.models import (
    PENDING_STATUSES, Alert, AlertStatus, AlertVersion, Delivery, DeliveryChannel, DeliveryStatus, OptOutSource,
    SkipReason, SmsOptOut, utcnow,
)

log = logging.getLogger(__name__)

STATUS_PATH = "/sms/status"
# Twilio's callback statuses we record; "queued", "accepted" and "sending" add nothing to our "sent".
PROVIDER_STATUSES = {
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "failed": DeliveryStatus.FAILED,
    "undelivered": DeliveryStatus.UNDELIVERED,
}
RANK = {DeliveryStatus.SENDING: 1, DeliveryStatus.SENT: 2, DeliveryStatus.DELIVERED: 3,
        DeliveryStatus.FAILED: 3, DeliveryStatus.UNDELIVERED: 3}
# A message Twilio accepted shows in its list a little after the create call: allow for clock skew.
LOOKBACK = timedelta(minutes=2)


def status_callback_url(delivery_id: int, attempt: int) -> str:
    """Names the delivery and attempt, so a receipt finds its row even before the SID is stored."""
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    return f"{base}{STATUS_PATH}?delivery={delivery_id}&attempt={attempt}"


def retry_delay(attempts: int) -> float:
    """Exponential back-off with jitter: base, 2×base, 4×base … capped, ±20 % so retries spread out."""
    config = current_app.config
    delay = min(config["SMS_RETRY_BASE_SECONDS"] * 2 ** max(attempts - 1, 0), config["SMS_RETRY_MAX_SECONDS"])
    return delay * random.uniform(0.8, 1.2)


# ---- fan-out -------------------------------------------------------------------------------

@app_task()
def dispatch_alert(alert_id: int) -> None:
    """Write the next batch of deliveries (then run again); once all are written, start sending:
    email deliveries go to the mail job, SMS to several paced send jobs."""
    alert = db.session.get(Alert, alert_id)
    if alert is None:
        return
    if not alert.deliveries_written:
        complete = write_deliveries(alert, current_app.config["DELIVERY_WRITE_BATCH"])
        db.session.commit()
        if not complete:
            dispatch_alert(alert_id)
            return
    if alert.status == AlertStatus.DRAFT:
        alert.status = AlertStatus.SENDING
        db.session.commit()
    _send_emails(alert)
    for _ in range(max(1, current_app.config["SMS_SEND_CONCURRENCY"])):
        send_alert_sms(alert_id)
    finish_if_done(alert_id)


def _send_emails(alert: Alert) -> None:
    deliveries = db.session.scalars(select(Delivery).where(
        Delivery.alert_id == alert.id, Delivery.channel == DeliveryChannel.EMAIL,
        Delivery.status == DeliveryStatus.QUEUED,
    )).all()
    texts = version_texts(alert) if deliveries else {}
    for delivery in deliveries:
        now = utcnow()
        claimed = db.session.execute(
            update(Delivery).where(Delivery.id == delivery.id, Delivery.status == DeliveryStatus.QUEUED)
            .values(status=DeliveryStatus.SENT, attempts=Delivery.attempts + 1, sent_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
        if claimed and delivery.user is not None:
            email_user(delivery.user, "alerts/email/alert.txt", alert=alert,
                       text=texts.get(delivery.language, alert.body))


@app_task()
def send_alert_sms(alert_id: int) -> None:
    """Send this alert's due SMS a claimed batch at a time; after SMS_SEND_BATCH, hand over to a fresh job
    so others get a turn."""
    config = current_app.config
    for _ in range(max(1, config["SMS_SEND_BATCH"] // config["SMS_CLAIM_BATCH"])):
        claims = claim_batch(alert_id, config["SMS_CLAIM_BATCH"])
        if not claims:
            finish_if_done(alert_id)
            return
        send_claims(claims)
    send_alert_sms(alert_id)


class Claim(NamedTuple):
    """A claimed delivery with all that sending it needs, read by the claiming statement itself."""

    delivery_id: int
    phone: str
    attempt: int
    user_id: int | None
    first_attempt_at: datetime
    outcome_unknown: bool
    opted_out: bool
    body: str
    valid_until: datetime


def claim_batch(alert_id: int, limit: int) -> list[Claim]:
    """Claim up to `limit` due SMS deliveries of this alert for this worker, in due order.

    One statement and one commit for the batch: the UPDATE returns each delivery's fields, the alert's
    text in the delivery's language (its version, else the Swedish text) and validity and whether the number
    has opted out (each a short sub-select).
    """
    now = utcnow()
    due = (
        select(Delivery.id)
        .where(Delivery.alert_id == alert_id, Delivery.channel == DeliveryChannel.SMS,
               Delivery.status == DeliveryStatus.QUEUED, Delivery.next_attempt_at <= now)
        .order_by(Delivery.next_attempt_at, Delivery.id).limit(limit)
        .with_for_update(skip_locked=True)  # PostgreSQL; SQLite has no row locks and renders nothing
        # Evaluated once: as `id IN (sub-select)` PostgreSQL may run the sub-select again for each row it
        # checks, and each run skips the rows the previous ones locked, so one worker took them all.
        .cte("due").prefix_with("MATERIALIZED", dialect="postgresql")
    )
    # Sub-selects in RETURNING name the updated row's columns with their table: SQLite renders the
    # ORM's columns there unqualified, and "phone = phone" then compared sms_opt_out with itself.
    of_alert = Alert.id == literal_column("delivery.alert_id")
    version = select(AlertVersion.body).where(AlertVersion.alert_id == literal_column("delivery.alert_id"),
                                              AlertVersion.language == literal_column("delivery.language"))
    rows = db.session.execute(
        update(Delivery)
        .where(Delivery.id.in_(select(due.c.id)), Delivery.status == DeliveryStatus.QUEUED)
        .values(status=DeliveryStatus.SENDING, claimed_at=now, attempts=Delivery.attempts + 1, updated_at=now,
                provider_sid=None, first_attempt_at=func.coalesce(Delivery.first_attempt_at, now))
        .returning(Delivery.id, Delivery.phone, Delivery.attempts, Delivery.user_id, Delivery.first_attempt_at,
                   Delivery.outcome_unknown, exists().where(SmsOptOut.phone == literal_column("delivery.phone")),
                   func.coalesce(version.scalar_subquery(), select(Alert.body).where(of_alert).scalar_subquery()),
                   select(Alert.valid_until).where(of_alert).scalar_subquery())
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return sorted((Claim(*row) for row in rows), key=lambda claim: claim.delivery_id)


def send_claims(claims: list[Claim]) -> None:
    """Send claimed deliveries one after another, each in its own paced slot, and record what was
    sent together at the end (failures at once: they may need a retry scheduled)."""
    backend = get_backend()
    slots = SendSlots(len(claims))
    sent: list[tuple[int, int, str]] = []
    for claim in claims:
        if utcnow() >= claim.valid_until:
            _finish(claim.delivery_id, DeliveryStatus.FAILED, error_code="expired")
            continue
        if claim.opted_out:
            _finish(claim.delivery_id, DeliveryStatus.SKIPPED, skip_reason=SkipReason.OPTED_OUT)
            continue
        look_since = claim.first_attempt_at - LOOKBACK if claim.outcome_unknown else None
        try:
            sid = backend.find_sent(claim.phone, claim.body, look_since) if look_since else None
            if sid is None:
                slots.wait()
                sid = backend.send(claim.phone, claim.body, user_id=claim.user_id,
                                   status_callback=status_callback_url(claim.delivery_id, claim.attempt),
                                   validity_seconds=int((claim.valid_until - utcnow()).total_seconds()))
        except SmsError as error:
            log.info("delivery %s attempt %s failed: %s", claim.delivery_id, claim.attempt, error)
            _record_failure(db.session.get(Delivery, claim.delivery_id), error.code,
                            outcome_unknown=error.outcome_unknown)
            continue
        sent.append((claim.delivery_id, claim.attempt, sid))
    _record_sent(sent)
    if backend.fakes_receipts:
        for delivery_id, attempt, sid in sent:
            fake_delivery_receipt(delivery_id, attempt, sid)


def _record_sent(sent: list[tuple[int, int, str]]) -> None:
    """One executemany for the batch. A receipt may have arrived while create() was returning: then its
    status stays."""
    if not sent:
        return
    now = utcnow()
    table = Delivery.__table__
    in_flight = or_(table.c.status == DeliveryStatus.SENDING.value, table.c.status == DeliveryStatus.QUEUED.value)
    db.session.execute(
        update(table).where(table.c.id == bindparam("delivery_id"))
        .values(provider_sid=bindparam("sid"), sent_at=now, updated_at=now, outcome_unknown=False, claimed_at=None,
                status=case((in_flight, DeliveryStatus.SENT.value), else_=table.c.status),
                error_code=case((in_flight, None), else_=table.c.error_code)),
        [{"delivery_id": delivery_id, "sid": sid} for delivery_id, _, sid in sent],
    )
    db.session.commit()


def _record_failure(delivery: Delivery, code: str, *, outcome_unknown: bool = False,
                    final_status: DeliveryStatus = DeliveryStatus.FAILED) -> None:
    """Permanent: final now. Temporary: queued again after a back-off, unless the validity ends first."""
    delivery.error_code = code
    delivery.claimed_at = None
    delivery.updated_at = utcnow()
    if code == PROVIDER_OPT_OUT_CODE and delivery.phone:
        opt_out(delivery.phone, OptOutSource.PROVIDER)
    delay = retry_delay(delivery.attempts) if is_temporary(code) else None
    if delay is None or utcnow() + timedelta(seconds=delay) >= delivery.alert.valid_until:
        delivery.status = final_status
        db.session.commit()
        return
    delivery.status = DeliveryStatus.QUEUED
    delivery.outcome_unknown = delivery.outcome_unknown or outcome_unknown
    delivery.next_attempt_at = utcnow() + timedelta(seconds=delay)
    if delivery.alert.status == AlertStatus.SENT:
        delivery.alert.status = AlertStatus.SENDING
    alert_id = delivery.alert_id
    db.session.commit()
    send_alert_sms.schedule((alert_id,), delay=delay)


def _finish(delivery_id: int, status: DeliveryStatus, *, error_code=None, skip_reason=None) -> None:
    db.session.execute(
        update(Delivery).where(Delivery.id == delivery_id)
        .values(status=status, error_code=error_code, skip_reason=skip_reason, claimed_at=None, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def finish_if_done(alert_id: int) -> None:
    """sending → sent once no delivery of the alert waits to be sent."""
    pending = exists().where(Delivery.alert_id == alert_id, Delivery.status.in_(PENDING_STATUSES))
    db.session.execute(
        update(Alert).where(Alert.id == alert_id, Alert.status == AlertStatus.SENDING, ~pending)
        .values(status=AlertStatus.SENT, sent_at=func.coalesce(Alert.sent_at, utcnow()))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


# ---- receipts --------------------------------------------------------------------------------

def apply_status(delivery_id: int, attempt: int | None, sid: str, provider_status: str,
                 error_code: str | None) -> bool:
    """Record a delivery receipt. Returns False when it changed nothing (duplicate, stale or unknown).

    A final status never moves back, and a receipt for an earlier attempt is ignored. A temporary
    failure reported by the carrier (30003: phone off) sends the SMS again while the alert is valid.
    """
    new_status = PROVIDER_STATUSES.get(provider_status)
    if new_status is None:
        return False
    delivery = db.session.scalar(select(Delivery).where(Delivery.id == delivery_id).with_for_update())
    if delivery is None or delivery.channel != DeliveryChannel.SMS:
        return False
    this_message = sid == delivery.provider_sid or (attempt == delivery.attempts and delivery.provider_sid is None)
    if not this_message or delivery.status not in RANK or RANK[new_status] <= RANK[delivery.status]:
        db.session.rollback()
        return False
    delivery.provider_sid = sid
    if new_status in (DeliveryStatus.FAILED, DeliveryStatus.UNDELIVERED):
        _record_failure(delivery, error_code or "unknown", final_status=new_status)
    else:
        delivery.status = new_status
        delivery.updated_at = utcnow()
        db.session.commit()
    finish_if_done(delivery.alert_id)
    return True


@sms_status_reported.connect
def apply_reported_status(delivery_id: int, *, attempt: int | None, sid: str, status: str, error_code: str | None,
                          **extra) -> None:
    """Twilio's status callback, passed on by the channel layer's webhook."""
    apply_status(delivery_id, attempt, sid, status, error_code)


@app_task()
def fake_delivery_receipt(delivery_id: int, attempt: int, sid: str) -> None:
    """Outbox backend: what Twilio's status callback would report for a phone that is on."""
    apply_status(delivery_id, attempt, sid, "delivered", None)


# ---- recovery --------------------------------------------------------------------------------

@app_periodic_task(crontab(minute="*"))
def recover_stalled_deliveries() -> None:
    """Every minute: requeue claims of dead workers, restart lost jobs, expire what can no longer go."""
    now = utcnow()
    config = current_app.config
    stale_before = now - timedelta(seconds=config["SMS_CLAIM_TIMEOUT_SECONDS"])
    stale = db.session.execute(
        update(Delivery)
        .where(Delivery.status == DeliveryStatus.SENDING, Delivery.claimed_at < stale_before)
        .values(status=DeliveryStatus.QUEUED, claimed_at=None, next_attempt_at=now, outcome_unknown=True,
                updated_at=now)
        .returning(Delivery.alert_id).execution_options(synchronize_session=False)
    ).scalars().all()
    expired = select(Alert.id).where(Alert.valid_until <= now)
    db.session.execute(
        update(Delivery)
        .where(Delivery.status == DeliveryStatus.QUEUED, Delivery.alert_id.in_(expired))
        .values(status=DeliveryStatus.FAILED, error_code="expired", updated_at=now)
        .execution_options(synchronize_session=False)
    )
    a_minute_ago = now - timedelta(seconds=60)
    overdue = set(db.session.scalars(
        select(Delivery.alert_id).distinct()
        .where(Delivery.status == DeliveryStatus.QUEUED, Delivery.next_attempt_at < a_minute_ago)
    ))
    if overdue:
        # A long backlog is overdue too while workers get through it: restart only alerts that nobody is
        # sending (no claim held, nothing sent for a minute), so each minute does not add another
        # SMS_SEND_CONCURRENCY send jobs. Receipts do not count: they arrive after the senders stop.
        overdue -= set(db.session.scalars(
            select(Delivery.alert_id).distinct().where(
                Delivery.alert_id.in_(overdue),
                or_(Delivery.status == DeliveryStatus.SENDING, Delivery.sent_at >= a_minute_ago))
        ))
    never_started = db.session.scalars(
        select(Alert.id).where(Alert.status == AlertStatus.DRAFT, Alert.created_at < now - timedelta(seconds=60))
    ).all()
    sending = db.session.scalars(select(Alert.id).where(Alert.status == AlertStatus.SENDING)).all()
    db.session.commit()
    if stale:
        log.warning("requeued %d deliveries left claimed by a stopped worker", len(stale))
    for alert_id in set(stale) | overdue | set(never_started):
        dispatch_alert(alert_id)  # idempotent: only what is still queued is sent
    for alert_id in sending:
        finish_if_done(alert_id)


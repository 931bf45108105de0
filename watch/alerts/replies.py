"""SMS replies and opt-outs: STOP/STOPP/AVSLUTA stop every SMS to the number, START allows them again."""
import re

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from watch.extensions import db
from watch.models import (
    Delivery, DeliveryChannel, DeliveryStatus, OptOutSource, SkipReason, SmsOptOut, SmsReply, SmsReplyKind, User,
    utcnow,
)

# Twilio's own opt-out words plus the Swedish ones people actually send.
STOP_WORDS = frozenset({"STOP", "STOPP", "AVSLUTA", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "SLUTA"})
START_WORDS = frozenset({"START", "UNSTOP", "STARTA"})


def reply_kind(body: str) -> SmsReplyKind:
    word = re.sub(r"[^\wÅÄÖ]", "", (body or "").strip().upper())
    if word in STOP_WORDS:
        return SmsReplyKind.STOP
    if word in START_WORDS:
        return SmsReplyKind.START
    return SmsReplyKind.MESSAGE


def is_opted_out(phone: str | None) -> bool:
    return phone is not None and db.session.get(SmsOptOut, phone) is not None


def opt_out(phone: str, source: OptOutSource) -> None:
    """No more SMS to this number; queued ones are skipped now rather than at send time."""
    if not is_opted_out(phone):
        try:
            with db.session.begin_nested():
                db.session.add(SmsOptOut(phone=phone, source=source))
        except IntegrityError:
            pass  # a concurrent STOP got there first
    db.session.execute(
        update(Delivery)
        .where(Delivery.phone == phone, Delivery.channel == DeliveryChannel.SMS,
               Delivery.status == DeliveryStatus.QUEUED)
        .values(status=DeliveryStatus.SKIPPED, skip_reason=SkipReason.OPTED_OUT, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def opt_in(phone: str) -> None:
    db.session.execute(delete(SmsOptOut).where(SmsOptOut.phone == phone))


def record_inbound(provider_sid: str, phone: str, body: str) -> SmsReply | None:
    """Store a reply once (None for a duplicate or replay) and act on STOP/START.

    Other replies are linked to the latest alert sent to that number, whose author sees them.
    """
    if db.session.scalar(select(SmsReply.id).where(SmsReply.provider_sid == provider_sid)) is not None:
        return None
    kind = reply_kind(body)
    latest = db.session.execute(
        select(Delivery.alert_id, Delivery.user_id)
        .where(Delivery.phone == phone, Delivery.provider_sid.is_not(None))
        .order_by(Delivery.id.desc()).limit(1)
    ).first()
    user_id = latest.user_id if latest else db.session.scalar(select(User.id).where(User.phone == phone).limit(1))
    reply = SmsReply(provider_sid=provider_sid, phone=phone, body=body[:1600], kind=kind,
                     alert_id=latest.alert_id if latest else None, user_id=user_id)
    try:
        with db.session.begin_nested():
            db.session.add(reply)
    except IntegrityError:
        return None  # the same message, delivered twice at the same moment
    if kind == SmsReplyKind.STOP:
        opt_out(phone, OptOutSource.SMS)
    elif kind == SmsReplyKind.START:
        opt_in(phone)
    return reply

"""SMS that reach the portal's number: stored once, STOP/START applied, then told to the features."""
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from watch.core.phone import display_phone
from watch.extensions import db
from watch.messaging.optouts import opt_in, opt_out, reply_kind
from watch.messaging.signals import sms_received
from watch.models import OptOutSource, SmsReply, SmsReplyKind, User

MAX_BODY = 1600


def record_inbound(provider_sid: str, phone: str, body: str) -> SmsReply | None:
    """Store an incoming SMS once (None for a duplicate or replay) and act on STOP/START.

    Features link it to what it answers through `signals.sms_received` (alerts: the latest alert
    sent to that number, whose author sees the reply).
    """
    if db.session.scalar(select(SmsReply.id).where(SmsReply.provider_sid == provider_sid)) is not None:
        return None
    kind = reply_kind(body)
    user_id = db.session.scalar(select(User.id).where(User.phone == phone).limit(1))
    reply = SmsReply(provider_sid=provider_sid, phone=phone, body=body[:MAX_BODY], kind=kind, user_id=user_id)
    try:
        with db.session.begin_nested():
            db.session.add(reply)
    except IntegrityError:
        return None  # the same message, delivered twice at the same moment
    if kind == SmsReplyKind.STOP:
        opt_out(phone, OptOutSource.SMS)
    elif kind == SmsReplyKind.START:
        opt_in(phone)
    sms_received.send(reply)
    return reply


def verified_senders(limit: int = 50) -> list[tuple[str, str]]:
    """(number, "name, number") of people with a verified number: who the dev outbox can send as."""
    rows = db.session.execute(
        select(User.verified_phone, User.name).where(User.verified_phone.is_not(None), User.active.is_(True))
        .order_by(User.name).limit(limit))
    return [(phone, f"{name}, {display_phone(phone)}") for phone, name in rows]

"""SMS opt-outs: STOP/STOPP/AVSLUTA stop every SMS to the number, START allows them again.

Features that hold queued SMS for a number hear of an opt-out through `signals.sms_opted_out`.
"""
import re

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from watch.extensions import db
from watch.messaging.signals import sms_opted_out
from watch.models import OptOutSource, SmsOptOut, SmsReplyKind

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
    """No more SMS to this number; features skip what they queued for it now rather than at send time."""
    if not is_opted_out(phone):
        try:
            with db.session.begin_nested():
                db.session.add(SmsOptOut(phone=phone, source=source))
        except IntegrityError:
            pass  # a concurrent STOP got there first
    sms_opted_out.send(phone)


def opt_in(phone: str) -> None:
    db.session.execute(delete(SmsOptOut).where(SmsOptOut.phone == phone))

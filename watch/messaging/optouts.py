"""SMS opt-outs: STOP/STOPP/AVSLUTA stop every SMS to the number, START allows them again.

Only a number's owner controls its opt-out: a STOP sent by SMS is undone only by START from that
number or by verifying the number again with a code; the web choice works for a verified number
only and undoes only a stop made on the web. Features that hold queued SMS for a number hear of an
opt-out through `signals.sms_opted_out`.
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
    return opt_out_of(phone) is not None


def opt_out_of(phone: str | None) -> SmsOptOut | None:
    return db.session.get(SmsOptOut, phone) if phone is not None else None


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
    """START from the number itself, or the number verified again with a code: every stop ends."""
    db.session.execute(delete(SmsOptOut).where(SmsOptOut.phone == phone))


def opt_in_from_web(phone: str) -> bool:
    """Allow SMS again from the portal; a STOP sent by SMS (or to the carrier) stays. True if none remains."""
    # The ORM delete also drops a loaded row from the session, so the check below reads what is left.
    db.session.execute(delete(SmsOptOut).where(SmsOptOut.phone == phone, SmsOptOut.source == OptOutSource.WEB))
    return not is_opted_out(phone)

"""SMS that reach the portal's number: stored once, STOP/START applied, then told to the features.

What happens to one inbound SMS: steps 1 to 3 in the webhook's transaction, 4 and 5 in a job enqueued
after its commit (`settle_inbound`), so the webhook answers Twilio at once:

1. A replay or duplicate (the same MessageSid) changes nothing.
2. The text is cleaned (control characters out, at most 1,600 characters kept) and stored with the sender:
   the person whose *verified* number it came from, and their municipality, whose SMS inbox shows it.
   Bad input is kept with a `problem` (empty, too long, unreadable, or a flood from one number).
3. STOP/START take effect, whatever the problem.
4. `signals.sms_received`: features claim the SMS when it answers something of theirs (alerts: an alert
   sent to that number within 24 hours).
5. Nobody claimed an ordinary message without a problem: from a known number, `signals.sms_unclaimed`
   (observations turns it into a report); from an unknown number, one short answer per number and day.
"""
import logging
import unicodedata
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale, gettext as _
from sqlalchemy import func, select, true
from sqlalchemy.exc import IntegrityError

from watch.core.phone import display_phone
from watch.extensions import db
from watch.jobs import app_task
from watch.messaging.optouts import is_opted_out, opt_in, opt_out, reply_kind
from watch.messaging.signals import sms_filed, sms_received, sms_unclaimed
from watch.messaging.sms import send_system_sms
from watch.models import OptOutSource, SmsProblem, SmsReply, SmsReplyKind, SmsReplyState, User, utcnow

log = logging.getLogger(__name__)

MAX_BODY = 1600  # what Twilio delivers at most: ten concatenated parts
UNKNOWN_ANSWER_EVERY = timedelta(hours=24)
# Characters that say the text was not typed by a person: controls, private use, unassigned, the replacement mark.
_UNREADABLE_CATEGORIES = {"Cc", "Co", "Cn", "Cs"}


def clean_body(body: str | None) -> tuple[str, SmsProblem | None]:
    """The text to store and what is wrong with it, if anything.

    Line breaks stay; other control characters (NUL included, which PostgreSQL cannot store) go. A text
    that is mostly such characters or U+FFFD is kept as what is left of it, marked unreadable.
    """
    raw = (body or "").replace("\r\n", "\n").replace("\r", "\n")
    if len(raw) > MAX_BODY:
        return _strip_controls(raw[:MAX_BODY]).strip(), SmsProblem.TOO_LONG
    odd = sum(1 for c in raw if c == "\ufffd" or (unicodedata.category(c) in _UNREADABLE_CATEGORIES
                                                    and c not in "\n\t"))
    text = _strip_controls(raw).strip()
    if odd and odd * 3 >= len(raw.strip() or raw):
        return text, SmsProblem.UNREADABLE
    if not text:
        return "", SmsProblem.EMPTY
    return text, None


def _strip_controls(text: str) -> str:
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc")


def clean_field(value: str | None, length: int) -> str:
    """A provider field (MessageSid, From) as it can be stored: printable and not longer than its column."""
    return "".join(c for c in (value or "") if c.isprintable()).strip()[:length]


def known_sender(phone: str) -> User | None:
    """The active person whose verified number this is (the latest to verify it, should two have)."""
    return db.session.scalar(
        select(User).where(User.verified_phone == phone, User.phone == phone, User.active == true())
        .order_by(User.phone_verified_at.desc().nulls_last(), User.id.desc()).limit(1)
    )


def is_flooding(phone: str, now) -> bool:
    """More than SMS_INBOUND_PER_HOUR from this number within the last hour: keep them, act on none."""
    recent = db.session.scalar(select(func.count()).select_from(SmsReply).where(
        SmsReply.phone == phone, SmsReply.received_at >= now - timedelta(hours=1)))
    return recent >= current_app.config["SMS_INBOUND_PER_HOUR"]


def record_inbound(provider_sid: str, phone: str, body: str | None) -> SmsReply | None:
    """Store an incoming SMS once (None for a duplicate or replay) and tell the features; see the module."""
    if db.session.scalar(select(SmsReply.id).where(SmsReply.provider_sid == provider_sid)) is not None:
        return None
    now = utcnow()
    text, problem = clean_body(body)
    kind = reply_kind(text) if problem is None else SmsReplyKind.MESSAGE
    if problem is None and is_flooding(phone, now):
        problem = SmsProblem.FLOOD
    sender = known_sender(phone)
    reply = SmsReply(provider_sid=provider_sid, phone=phone, body=text, kind=kind, problem=problem, received_at=now,
                     user_id=sender.id if sender else None, municipality_id=sender.municipality_id if sender else None)
    if kind != SmsReplyKind.MESSAGE or problem in (SmsProblem.EMPTY, SmsProblem.FLOOD):
        # Nothing for staff to do: the inbox shows it, already handled (by nobody).
        reply.state, reply.handled_at = SmsReplyState.HANDLED, now
    try:
        with db.session.begin_nested():
            db.session.add(reply)
    except IntegrityError:
        return None  # the same message, delivered twice at the same moment
    if kind == SmsReplyKind.STOP:
        opt_out(phone, OptOutSource.SMS)
    elif kind == SmsReplyKind.START:
        opt_in(phone)
    settle_inbound(reply.id)  # leaves after the webhook's commit
    return reply


@app_task(retries=3, retry_delay=30)
def settle_inbound(reply_id: int) -> None:
    """What the features make of a stored SMS (steps 4 and 5 of the module), in a job: the webhook only
    stores and enqueues, so Twilio gets its answer at once whatever the features do."""
    reply = db.session.get(SmsReply, reply_id)
    if reply is None:
        return  # purged or deleted with its sender's account meanwhile
    claimed = any(result for _, result in sms_received.send(reply))
    if not claimed and reply.kind == SmsReplyKind.MESSAGE and reply.problem is None:
        if reply.user_id is not None:
            sms_unclaimed.send(reply)
        else:
            answer_unknown_number(reply)
    sms_filed.send(reply)


def unknown_number_text() -> str:
    """The one answer to a number the portal does not know, in Swedish and English in one SMS."""
    parts = []
    for locale in ("sv", "en"):
        with force_locale(locale):
            parts.append(_("This number is for registered members of Grannsamverkan. "
                           "Emergency: call 112. Tips to the police: 114 14."))
    return "\n".join(parts)


def answer_unknown_number(reply: SmsReply) -> None:
    """At most one short answer per number in 24 hours, and none to a number that sent STOP."""
    if is_opted_out(reply.phone):
        return
    answered = db.session.scalar(select(SmsReply.id).where(
        SmsReply.phone == reply.phone, SmsReply.auto_answered == true(),
        SmsReply.received_at >= reply.received_at - UNKNOWN_ANSWER_EVERY).limit(1))
    if answered is None:
        reply.auto_answered = True
        send_system_sms(reply.phone, unknown_number_text())


def verified_senders(limit: int = 50) -> list[tuple[str, str]]:
    """(number, "name, number") of people with a verified number: who the dev outbox can send as."""
    rows = db.session.execute(
        select(User.verified_phone, User.name).where(User.verified_phone.is_not(None), User.active.is_(True))
        .order_by(User.name).limit(limit))
    return [(phone, f"{name}, {display_phone(phone)}") for phone, name in rows]

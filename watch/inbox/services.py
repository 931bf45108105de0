"""The SMS inbox: every SMS from a member's verified number, read by the municipality's staff.

Messaging stores each inbound SMS with the municipality whose inbox shows it (watch/messaging/inbound.py);
this feature lists them, keeps their state (new → handled, by whom and when), sends staff's answers and
turns an SMS into an observation. Coordinators and the police covering the municipality read the inbox,
except that an SMS which became an observation follows the observation's rule: police see it once the
observation has been forwarded to them.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from huey import crontab
from sqlalchemy import Select, delete, exists, func, not_, select, update
from sqlalchemy.orm import joinedload

from watch.audit import actions
from watch.audit.services import record
from watch.extensions import db
from watch.jobs import app_periodic_task
from watch.messaging.optouts import is_opted_out
from watch.messaging.signals import sms_filed
from watch.messaging.sms import send_system_sms
from watch.models import (
    Observation, ObservationStatus, Role, SmsAnswer, SmsReply, SmsReplyKind, SmsReplyState, User, utcnow,
)
from watch.observations.notices import notify_coordinators_of_inbox_sms
from watch.observations.sms import observation_from_sms
from watch.privacy.signals import account_deleting, personal_data_export

THREAD_LENGTH = 50  # the latest messages to and from one number that a thread shows
INBOX_PATH = "/inbox"  # what notices link to; they may leave from a job, where url_for has no request

STATE_LABELS = {SmsReplyState.NEW: _l("Unhandled"), SmsReplyState.HANDLED: _l("Handled")}


class Refused(ValueError):
    """What staff asked for cannot be done; `message` says why, in their language."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


# ---- who sees what ------------------------------------------------------------------------------

def _visible(user: User) -> list:
    """The conditions on SmsReply for this person's inbox: their municipalities, and for police
    nothing that became an observation they may not see yet."""
    conditions = [SmsReply.municipality_id.in_(user.municipality_ids())]
    if user.role == Role.POLICE:
        conditions.append(not_(exists(select(Observation.id).where(
            Observation.id == SmsReply.observation_id, Observation.status != ObservationStatus.FORWARDED))))
    return conditions


def can_read(user: User) -> bool:
    return user.is_authenticated and user.role in (Role.COORDINATOR, Role.POLICE)


def inbox_select(user: User, state: str | None = None) -> Select:
    """The inbox, newest first, with what each row shows loaded in the same query."""
    query = (
        select(SmsReply).where(*_visible(user))
        .options(joinedload(SmsReply.user), joinedload(SmsReply.alert), joinedload(SmsReply.municipality))
        .order_by(SmsReply.received_at.desc(), SmsReply.id.desc())
    )
    if state in set(SmsReplyState):
        query = query.where(SmsReply.state == state)
    return query


def new_count_select(user: User) -> Select:
    return select(func.count()).select_from(SmsReply).where(*_visible(user), SmsReply.state == SmsReplyState.NEW)


def visible_message(user: User, message_id: int) -> SmsReply | None:
    return db.session.scalar(
        select(SmsReply).where(SmsReply.id == message_id, *_visible(user))
        .options(joinedload(SmsReply.user), joinedload(SmsReply.handled_by))
    )


@dataclass(frozen=True)
class ThreadItem:
    """One SMS of a thread: from the sender (`message`) or to them (`answer`)."""

    at: datetime
    message: SmsReply | None = None
    answer: SmsAnswer | None = None


def thread(user: User, message: SmsReply) -> list[ThreadItem]:
    """The latest SMS to and from the message's number in this person's inboxes, oldest first."""
    received = db.session.scalars(
        select(SmsReply).where(SmsReply.phone == message.phone, *_visible(user))
        .options(joinedload(SmsReply.alert), joinedload(SmsReply.handled_by))
        .order_by(SmsReply.received_at.desc(), SmsReply.id.desc()).limit(THREAD_LENGTH))
    answered = db.session.scalars(
        select(SmsAnswer).where(SmsAnswer.phone == message.phone,
                                SmsAnswer.municipality_id.in_(user.municipality_ids()))
        .options(joinedload(SmsAnswer.sent_by))
        .order_by(SmsAnswer.created_at.desc(), SmsAnswer.id.desc()).limit(THREAD_LENGTH))
    items = [ThreadItem(m.received_at, message=m) for m in received] + \
            [ThreadItem(a.created_at, answer=a) for a in answered]
    return sorted(items, key=lambda item: item.at)[-THREAD_LENGTH:]


def sender_opted_out(message: SmsReply) -> bool:
    return is_opted_out(message.phone)


# ---- handling -----------------------------------------------------------------------------------

def mark_handled(user: User, message: SmsReply) -> int:
    """Every new SMS from this number in the person's inboxes is handled, by them, now. Returns how many."""
    result = db.session.execute(
        update(SmsReply)
        .where(SmsReply.phone == message.phone, SmsReply.state == SmsReplyState.NEW, *_visible(user))
        .values(state=SmsReplyState.HANDLED, handled_at=utcnow(), handled_by_id=user.id)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(message)
    return result.rowcount


def answer(user: User, message: SmsReply, body: str) -> SmsAnswer:
    """One SMS back to the sender, sent by the job pipeline after the commit; the thread is then handled."""
    if is_opted_out(message.phone):
        raise Refused(_l("This number has stopped SMS from the portal (STOP), so it cannot be answered by SMS. "
                         "Only the sender can allow SMS again, by sending START."))
    reply = SmsAnswer(municipality_id=message.municipality_id, reply_id=message.id, phone=message.phone,
                      user_id=message.user_id, sent_by_id=user.id, body=body, created_at=utcnow())
    db.session.add(reply)
    db.session.flush()
    send_system_sms(message.phone, body, message.user_id)
    mark_handled(user, message)
    record(actions.SMS_ANSWERED, subject=reply, actor=user, message=message.id)
    return reply


def can_make_observation(user: User, message: SmsReply) -> bool:
    """Whether the button shows: a coordinator, an ordinary SMS with text, not an observation already."""
    return (user.role == Role.COORDINATOR and message.kind == SmsReplyKind.MESSAGE and message.observation_id is None
            and bool(message.body.strip()))


def make_observation(user: User, message: SmsReply) -> Observation:
    """The SMS as the sender's observation, in triage like any other; the SMS links to it and is handled."""
    if message.observation_id is not None:
        raise Refused(_l("This SMS is already an observation."))
    if not can_make_observation(user, message):
        raise Refused(_l("There is nothing in this SMS to report."))
    reporter = db.session.get(User, message.user_id) if message.user_id else None
    observation = observation_from_sms(message, reporter, user.municipality_ids()) if reporter is not None else None
    if observation is None:
        raise Refused(_l("The sender is not an active member of an approved group in your municipality, so the "
                         "SMS cannot become their observation."))
    message.state, message.handled_at, message.handled_by_id = SmsReplyState.HANDLED, utcnow(), user.id
    record(actions.SMS_MADE_OBSERVATION, subject=observation, actor=user, message=message.id)
    return observation


# ---- retention and Mina uppgifter -----------------------------------------------------------------

def purge_answers(now: datetime) -> int:
    """Answers go after the same time as the SMS they answer (SMS_RETENTION_DAYS)."""
    before = now - timedelta(days=current_app.config["SMS_RETENTION_DAYS"])
    return db.session.execute(delete(SmsAnswer).where(SmsAnswer.created_at < before)
                              .execution_options(synchronize_session=False)).rowcount


@app_periodic_task(crontab(hour="3", minute="40"))
def purge_old_answers() -> None:
    purge_answers(utcnow())


@personal_data_export.connect
def export_answers(user: User, **extra) -> dict[str, list[dict]]:
    """The SMS the municipality's staff wrote to this person from the inbox (who wrote them is not theirs)."""
    answers = db.session.scalars(select(SmsAnswer).where(SmsAnswer.user_id == user.id).order_by(SmsAnswer.created_at))
    return {"sms_answers": [{"sent_at": a.created_at, "to": a.phone, "text": a.body} for a in answers]}


@account_deleting.connect
def forget_inbox_person(user: User, **extra) -> None:
    """Answers to the person go; what they did as staff stays without their name."""
    db.session.execute(delete(SmsAnswer).where(SmsAnswer.user_id == user.id))
    db.session.execute(update(SmsAnswer).where(SmsAnswer.sent_by_id == user.id).values(sent_by_id=None))
    db.session.execute(update(SmsReply).where(SmsReply.handled_by_id == user.id).values(handled_by_id=None))


@sms_filed.connect
def announce_new_sms(reply: SmsReply, **extra) -> None:
    """Coordinators hear that an SMS waits in their inbox (as they chose: each one, in the daily summary, or not)."""
    if reply.state == SmsReplyState.NEW and reply.municipality_id is not None:
        notify_coordinators_of_inbox_sms(reply.municipality_id, INBOX_PATH)

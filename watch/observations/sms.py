"""Reports by SMS: a member without a smartphone texts what they saw, and it becomes an observation.

Messaging tells us through `sms_unclaimed` of an SMS from a member's verified number that answers
no alert (watch/messaging/signals.py). It becomes an observation like one filed on the web (same
triage, privacy, retention and audit), without a category until the coordinator sets one, and the
sender gets an acknowledgement in their language that repeats 112 and 114 14. A coordinator can turn
any other SMS in the inbox into an observation the same way (watch/inbox).
"""
from flask import render_template
from flask_babel import force_locale
from sqlalchemy import select

from watch.extensions import db
from watch.messaging.optouts import is_opted_out
from watch.messaging.signals import sms_unclaimed
from watch.messaging.sms import send_system_sms
from watch.models import (
    Observation, ObservationSource, SmsReply, SmsReplyState, User, utcnow,
)
from watch.observations import services


def observation_from_sms(reply: SmsReply, reporter: User, municipality_ids: set[int] | None = None
                         ) -> Observation | None:
    """The SMS as an observation of the reporter's group (the first, if several; only groups of these
    municipalities when given); None when they have no such group."""
    groups = [g for g in services.reporting_groups(reporter)
              if municipality_ids is None or g.municipality_id in municipality_ids]
    if not groups:
        return None
    group = groups[0]
    observation = Observation(
        group=group, municipality_id=group.municipality_id, reporter=reporter, category=None,
        source=ObservationSource.SMS, observed_at=reply.received_at, observed_week=services.iso_week(reply.received_at),
        location="", postcode=services.postcode_for("", group), description=reply.body.strip(),
    )
    db.session.add(observation)
    db.session.flush()
    # The SMS is read where the observation is: the inbox of the group's municipality.
    reply.observation_id, reply.municipality_id = observation.id, observation.municipality_id
    return observation


def acknowledge(reporter: User, phone: str) -> None:
    """One SMS in the reporter's language: received, not a police report, 112 and 114 14."""
    if is_opted_out(phone):
        return
    with force_locale(reporter.locale):
        text = render_template("observations/sms/received.txt").strip()
    send_system_sms(phone, text, reporter.id)


@sms_unclaimed.connect
def report_by_sms(reply: SmsReply, **extra) -> bool:
    """A member's SMS that answers nothing becomes an observation in the coordinator's triage inbox."""
    reporter = db.session.scalar(select(User).where(User.id == reply.user_id)) if reply.user_id else None
    if reporter is None or not reply.body.strip():
        return False
    observation = observation_from_sms(reply, reporter)
    if observation is None:
        return False  # not an active member of an approved group: the SMS stays in the inbox as a message
    # The triage inbox takes it from here; the SMS inbox shows it as handled, with a link to it.
    reply.state, reply.handled_at = SmsReplyState.HANDLED, utcnow()
    acknowledge(reporter, reply.phone)
    services.notify_coordinators(observation)
    return True

"""Demo SMS: a contact person's reply to the sent alert, and a member's observation reported by SMS."""
from collections.abc import Iterator
from datetime import timedelta

from sqlalchemy import select

from watch.alerts.demo import SENT_ALERT
from watch.extensions import db
from watch.messaging.inbound import record_inbound
from watch.models import Alert, SmsReply, SmsReplyKind, User

REPLY_SID = "SMdemo" + "reply".ljust(28, "0")
REPORT_SID = "SMdemo" + "report".ljust(28, "0")
REPLY = "Tack för varningen! Vi såg en vit skåpbil utan dekaler vid förråden på Västra vägen i natt, runt kl. 02."
REPORT = "Två personer går runt och känner på bildörrar på Tallvägen just nu. Mörka jackor, en har ficklampa."


def seed() -> Iterator[str]:
    if db.session.scalar(select(SmsReply.id).where(SmsReply.provider_sid == REPLY_SID)) is None:
        yield from _reply_to_the_sent_alert()
    member = _person("boende@oxelosund.demo")
    # Received through the same path as Twilio's webhook: it becomes an observation and is acknowledged.
    if member is not None and record_inbound(REPORT_SID, member.verified_phone, REPORT) is not None:
        yield "an observation reported by SMS in Oxelösund"


def _reply_to_the_sent_alert() -> Iterator[str]:
    alert = db.session.scalar(select(Alert).where(Alert.body == SENT_ALERT))
    contact = _person("kontakt@oxelosund.demo")
    if alert is None or contact is None:
        return
    # The alert went out two days ago: the reply came in that evening, so it is stored as it was then.
    db.session.add(SmsReply(
        provider_sid=REPLY_SID, phone=contact.verified_phone, body=REPLY, kind=SmsReplyKind.MESSAGE,
        alert_id=alert.id, user_id=contact.id, municipality_id=alert.municipality_id,
        received_at=alert.sent_at + timedelta(minutes=40)))
    yield "an SMS reply to the sent alert in Oxelösund's inbox"


def _person(email: str) -> User | None:
    user = db.session.scalar(select(User).where(User.email == email))
    return user if user is not None and user.has_verified_phone else None

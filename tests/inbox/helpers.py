"""Inbound SMS for the inbox tests: signed like Twilio's webhook, and what reached which phone."""
from itertools import count

from sqlalchemy import select

from tests.alerts.test_replies import inbound, send_alert  # noqa: F401 - the signed webhook and an alert
from watch.models import OutboxMessage, SmsReply

_sids = count(1)


def text(client, app, body, phone, sid=None):
    """One SMS from `phone`, as Twilio posts it; the response must be Twilio's empty answer."""
    response = inbound(client, app, body, sid or f"SM{next(_sids):032d}", phone)
    assert response.status_code == 200 and "<Response>" in response.text, response.status_code
    return response


def last_sms(db):
    db.session.expire_all()
    return db.session.scalar(select(SmsReply).order_by(SmsReply.id.desc()))


def sms_to(db, phone) -> list[str]:
    """The SMS the portal sent to this number (the outbox backend stores each one)."""
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.recipient == phone)
                                   .order_by(OutboxMessage.id)))

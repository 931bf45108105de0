"""The development outbox: every email and SMS the portal 'sent', stored and shown on /dev/outbox."""
from sqlalchemy import select

from watch.extensions import db
from watch.models import Channel, OutboxMessage


def record_in_outbox(channel: Channel, recipient: str, body: str, *, subject: str | None = None,
                     user_id: int | None = None) -> OutboxMessage:
    message = OutboxMessage(channel=channel, recipient=recipient, subject=subject, body=body, user_id=user_id)
    db.session.add(message)
    return message


def outbox_messages(limit: int = 200) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)))

"""Inbound SMS are personal data: those from unknown numbers go after 30 days, all after SMS_RETENTION_DAYS."""
from datetime import datetime, timedelta

from flask import current_app
from huey import crontab
from sqlalchemy import delete, or_

from watch.extensions import db
from watch.jobs import app_periodic_task
from watch.models import SmsReply, utcnow


def purge_inbound_sms(now: datetime) -> int:
    """Delete what is past its time; opt-outs stay (they are kept by number). Returns how many went."""
    config = current_app.config
    unknown_before = now - timedelta(days=config["SMS_UNKNOWN_RETENTION_DAYS"])
    all_before = now - timedelta(days=config["SMS_RETENTION_DAYS"])
    result = db.session.execute(delete(SmsReply).where(or_(
        # In nobody's inbox: the sender was not a member the portal knows.
        (SmsReply.municipality_id.is_(None)) & (SmsReply.received_at < unknown_before),
        SmsReply.received_at < all_before,
    )).execution_options(synchronize_session=False))
    return result.rowcount


@app_periodic_task(crontab(hour="3", minute="35"))
def purge_old_inbound_sms() -> None:
    purge_inbound_sms(utcnow())

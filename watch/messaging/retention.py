"""Retention of what the channel layer stores about people: the SMS they send in and their phone codes.

Nightly, in batches (`watch.core.retention`). Periods in watch/config.py; the privacy notice states them.
"""
from datetime import datetime, timedelta

from flask import current_app
from huey import crontab
from sqlalchemy import or_, select

from watch.core.retention import delete_with_dependants, in_batches
from watch.jobs import app_periodic_task
from watch.models import PhoneVerification, SmsReply, utcnow


def _cutoff(setting: str, now: datetime | None) -> datetime:
    return (now or utcnow()) - timedelta(days=current_app.config[setting])


def purge_sms_replies(now: datetime | None = None) -> int:
    """Delete SMS received more than SMS_RETENTION_DAYS ago, and those from numbers in nobody's inbox (not a
    member the portal knows) after SMS_UNKNOWN_RETENTION_DAYS, with whatever other tables hold about them
    (answers, links): every table whose foreign key points at sms_reply. Returns how many SMS went.

    A STOP stays in force: the opt-out is kept by number in sms_opt_out, not as this message.
    """
    old = select(SmsReply.id).where(or_(
        SmsReply.received_at < _cutoff("SMS_RETENTION_DAYS", now),
        SmsReply.municipality_id.is_(None) & (SmsReply.received_at < _cutoff("SMS_UNKNOWN_RETENTION_DAYS", now)),
    )).order_by(SmsReply.id)
    return in_batches(old, lambda ids: delete_with_dependants(SmsReply.__table__, ids))


def purge_phone_verifications(now: datetime | None = None) -> int:
    """Delete phone verification records (number, code hash, tries) older than VERIFICATION_RETENTION_DAYS."""
    old = (select(PhoneVerification.id)
           .where(PhoneVerification.created_at < _cutoff("VERIFICATION_RETENTION_DAYS", now))
           .order_by(PhoneVerification.id))
    return in_batches(old, lambda ids: delete_with_dependants(PhoneVerification.__table__, ids))


@app_periodic_task(crontab(hour="3", minute="30"))
def purge_old_sms_replies() -> None:
    purge_sms_replies()


@app_periodic_task(crontab(hour="3", minute="30"))
def purge_old_phone_verifications() -> None:
    purge_phone_verifications()

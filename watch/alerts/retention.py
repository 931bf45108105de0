"""Retention of alerts: the numbers they went to, and their text. Nightly, in batches (`watch.core.retention`).

The alert and its deliveries stay, so its report and the lägesbild keep their counts.
"""
from datetime import datetime, timedelta

from flask import current_app
from huey import crontab
from sqlalchemy import delete, select, update

from watch.core.retention import in_batches
from watch.extensions import db
from watch.jobs import app_periodic_task
from watch.models import PENDING_STATUSES, Alert, AlertStatus, AlertVersion, Delivery, utcnow


def _cutoff(setting: str, now: datetime | None) -> datetime:
    return (now or utcnow()) - timedelta(days=current_app.config[setting])


def forget_delivery_phones(now: datetime | None = None) -> int:
    """Clear the number of each delivery of an alert sent more than DELIVERY_RETENTION_DAYS ago.

    Deliveries still queued or being sent keep it (none should be, that long after).
    """
    old = (select(Delivery.id).join(Alert, Alert.id == Delivery.alert_id)
           .where(Alert.created_at < _cutoff("DELIVERY_RETENTION_DAYS", now), Delivery.phone.is_not(None),
                  Delivery.status.not_in(PENDING_STATUSES))
           .order_by(Delivery.id))
    return in_batches(old, lambda ids: db.session.execute(
        update(Delivery).where(Delivery.id.in_(ids)).values(phone=None).execution_options(synchronize_session=False)))


def remove_alert_texts(now: datetime | None = None) -> int:
    """Empty the text of alerts sent more than ALERT_TEXT_RETENTION_DAYS ago, and delete their versions in other
    languages; pages then say it was removed.

    A draft is left alone: an alert is a draft only until the sending starts, and the sweep would send it.
    """
    old = (select(Alert.id)
           .where(Alert.created_at < _cutoff("ALERT_TEXT_RETENTION_DAYS", now), Alert.body != "",
                  Alert.status != AlertStatus.DRAFT)
           .order_by(Alert.id))

    def remove(ids):
        db.session.execute(delete(AlertVersion).where(AlertVersion.alert_id.in_(ids))
                           .execution_options(synchronize_session=False))
        db.session.execute(update(Alert).where(Alert.id.in_(ids)).values(body="")
                           .execution_options(synchronize_session=False))

    return in_batches(old, remove)


@app_periodic_task(crontab(hour="3", minute="40"))
def forget_old_delivery_phones() -> None:
    forget_delivery_phones()


@app_periodic_task(crontab(hour="3", minute="40"))
def remove_old_alert_texts() -> None:
    remove_alert_texts()

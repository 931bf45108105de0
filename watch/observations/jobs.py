"""Retention: observations older than OBSERVATION_RETENTION_DAYS are anonymised every night."""
from huey import crontab

from watch.extensions import db
from watch.jobs import app_periodic_task
from watch.models import utcnow
from watch.observations import services
from watch.core.photo_store import delete_after_commit


@app_periodic_task(crontab(hour="3", minute="15"))
def anonymise_old_observations() -> None:
    now = utcnow()
    while batch := services.expired_batch(now):
        delete_after_commit([services.anonymise(observation, now) for observation in batch])
        db.session.commit()

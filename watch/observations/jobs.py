"""Retention: observations older than OBSERVATION_RETENTION_DAYS are anonymised every night."""
from huey import crontab

from watch.extensions import db
from watch.jobs import app_periodic_task
from watch.models import utcnow
from watch.observations import services
from watch.observations.photos import delete_photo


@app_periodic_task(crontab(hour="3", minute="15"))
def anonymise_old_observations() -> None:
    now = utcnow()
    while batch := services.expired_batch(now):
        photos = [services.anonymise(observation, now) for observation in batch]
        db.session.commit()
        # Files go only after the rows no longer point at them.
        for name in filter(None, photos):
            delete_photo(name)

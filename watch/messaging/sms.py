"""SMS of the portal itself (verification codes, notices, answers): one message to one phone, by a job."""
import logging

from watch.extensions import db
from watch.jobs import app_task
from watch.messaging.sms_backends import SmsError, get_backend
from watch.messaging.sms_pacing import wait_for_send_slot

log = logging.getLogger(__name__)


@app_task(retries=3, retry_delay=20)
def send_system_sms(phone: str, body: str, user_id: int | None = None) -> None:
    """Paced like alerts, retried if the failure is temporary."""
    wait_for_send_slot()
    try:
        get_backend().send(phone, body, validity_seconds=600, user_id=user_id)
    except SmsError as error:
        if error.temporary:
            raise  # Huey tries again
        log.warning("system SMS to user %s refused: %s", user_id, error)
    db.session.commit()

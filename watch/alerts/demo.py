"""Demo data for alerts: verified phones for the contact persons and one alert already sent and delivered."""
from collections.abc import Iterator
from datetime import timedelta

from sqlalchemy import select

from watch.core.municipalities import find_municipality
from watch.alerts.services import Targeting, create_alert, write_all_deliveries
from watch.extensions import db
from watch.messaging.outbox import record_in_outbox
from watch.models import (
    Alert, AlertStatus, AlertTarget, Channel, Delivery, DeliveryChannel, DeliveryStatus, User, utcnow,
)

VERIFIED = ["kontakt@oxelosund.demo", "hamn@oxelosund.demo", "kontakt@nykoping.demo", "boende@oxelosund.demo"]
MEMBERS_WANTING_ALERTS = ["boende@oxelosund.demo"]
SENT_ALERT = ("Tre inbrott i förråd på Västra vägen i veckan. Lås in trimmers och motorer. "
              "Ser du något misstänkt, ring 112. Tips: 114 14.")


def seed() -> Iterator[str]:
    now = utcnow()
    for user in db.session.scalars(select(User).where(User.email.in_(VERIFIED))):
        if not user.has_verified_phone:
            user.verified_phone, user.phone_verified_at = user.phone, now - timedelta(days=30)
            user.member_alerts = user.email in MEMBERS_WANTING_ALERTS
            yield f"verified phone of {user.email}"
    if db.session.scalar(select(Alert.id).where(Alert.body == SENT_ALERT)) is None:
        yield from _sent_alert(now)


def _sent_alert(now) -> Iterator[str]:
    municipality = find_municipality("oxelosund")
    police = db.session.scalar(select(User).where(User.email == "polis@oxelosund.demo"))
    db.session.flush()
    alert = create_alert(police, Targeting(municipality.id, AlertTarget.MUNICIPALITY), SENT_ALERT, 4)
    write_all_deliveries(alert)
    alert.created_at = alert.sent_at = now - timedelta(days=2)
    alert.status = AlertStatus.SENT
    for number, delivery in enumerate(db.session.scalars(select(Delivery).where(
        Delivery.alert_id == alert.id, Delivery.status == DeliveryStatus.QUEUED,
        Delivery.channel == DeliveryChannel.SMS,
    ))):
        delivery.status, delivery.attempts = DeliveryStatus.DELIVERED, 1
        delivery.provider_sid = f"SMdemo{alert.id:06d}{number:020d}"
        delivery.first_attempt_at = delivery.sent_at = alert.sent_at
        record_in_outbox(Channel.SMS, delivery.phone, SENT_ALERT, user_id=delivery.user_id).created_at = alert.sent_at
    yield "created a sent alert in Oxelösund"

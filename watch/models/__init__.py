"""All models, imported here so Alembic and the app see one metadata."""
from watch.models.alert import (
    FINAL_STATUSES, PENDING_STATUSES, Alert, AlertAudience, AlertStatus, AlertTarget, Delivery, DeliveryChannel,
    DeliveryStatus, OptOutSource, PhoneVerification, SkipReason, SmsOptOut, SmsReply, SmsReplyKind, SmsSendSlot,
    alert_group,
)
from watch.models.base import Base, utcnow
from watch.models.group import Group, GroupKind, GroupPostcode, GroupStatus, Membership, MembershipRole, MembershipStatus
from watch.models.municipality import Municipality
from watch.models.outbox import Channel, OutboxMessage
from watch.models.user import AlertChannel, Role, User, police_coverage

__all__ = [
    "FINAL_STATUSES",
    "PENDING_STATUSES",
    "Alert",
    "AlertAudience",
    "AlertChannel",
    "AlertStatus",
    "AlertTarget",
    "Base",
    "Channel",
    "Delivery",
    "DeliveryChannel",
    "DeliveryStatus",
    "Group",
    "GroupKind",
    "GroupPostcode",
    "GroupStatus",
    "Membership",
    "MembershipRole",
    "MembershipStatus",
    "Municipality",
    "OptOutSource",
    "OutboxMessage",
    "PhoneVerification",
    "Role",
    "SkipReason",
    "SmsOptOut",
    "SmsReply",
    "SmsReplyKind",
    "SmsSendSlot",
    "User",
    "alert_group",
    "police_coverage",
    "utcnow",
]

"""All models, imported here so Alembic and the app see one metadata."""
from watch.models.audit import AuditEvent
from watch.models.base import Base, utcnow
from watch.models.group import Group, GroupKind, GroupPostcode, GroupStatus, Membership, MembershipRole, MembershipStatus
from watch.models.mfa import RecoveryCode
from watch.models.municipality import Municipality
from watch.models.observation import Observation, ObservationCategory, ObservationStatus
from watch.models.outbox import Channel, OutboxMessage
from watch.models.user import Role, User, police_coverage

__all__ = [
    "AuditEvent",
    "Base",
    "Channel",
    "Group",
    "GroupKind",
    "GroupPostcode",
    "GroupStatus",
    "Membership",
    "MembershipRole",
    "MembershipStatus",
    "Municipality",
    "Observation",
    "ObservationCategory",
    "ObservationStatus",
    "OutboxMessage",
    "RecoveryCode",
    "Role",
    "User",
    "police_coverage",
    "utcnow",
]

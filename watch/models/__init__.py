"""All models, imported here so Alembic and the app see one metadata."""
from watch.models.audit import AuditEvent
from watch.models.base import Base, utcnow
from watch.models.group import (
    DEFAULT_WATCH_WEEKS, BoatSiteType, Group, GroupChange, GroupKind, GroupPostcode, GroupStatus, Membership,
    MembershipRole, MembershipStatus, RosterHousehold,
)
from watch.models.lagesbild import CitizenPromise, SituationPicture
from watch.models.mfa import RecoveryCode
from watch.models.municipality import Municipality
from watch.models.observation import Observation, ObservationCategory, ObservationStatus
from watch.models.outbox import Channel, OutboxMessage
from watch.models.user import Role, User, police_coverage

__all__ = [
    "AuditEvent",
    "Base",
    "BoatSiteType",
    "Channel",
    "CitizenPromise",
    "DEFAULT_WATCH_WEEKS",
    "Group",
    "GroupChange",
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
    "RosterHousehold",
    "SituationPicture",
    "User",
    "police_coverage",
    "utcnow",
]

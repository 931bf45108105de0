"""All models, imported here so Alembic and the app see one metadata."""
from watch.models.base import Base, utcnow
from watch.models.group import (
    DEFAULT_WATCH_WEEKS, BoatSiteType, Group, GroupChange, GroupKind, GroupPostcode, GroupStatus, Membership,
    MembershipRole, MembershipStatus, RosterHousehold,
)
from watch.models.municipality import Municipality
from watch.models.outbox import Channel, OutboxMessage
from watch.models.user import Role, User, police_coverage

__all__ = [
    "Base",
    "BoatSiteType",
    "Channel",
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
    "OutboxMessage",
    "Role",
    "RosterHousehold",
    "User",
    "police_coverage",
    "utcnow",
]

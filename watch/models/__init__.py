"""All models, imported here so Alembic and the app see one metadata."""
from watch.models.base import Base, utcnow
from watch.models.group import Group, GroupKind, GroupPostcode, GroupStatus, Membership, MembershipRole, MembershipStatus
from watch.models.lagesbild import CitizenPromise, SituationPicture
from watch.models.municipality import Municipality
from watch.models.observation import Observation, ObservationCategory, ObservationStatus
from watch.models.outbox import Channel, OutboxMessage
from watch.models.user import Role, User, police_coverage

__all__ = [
    "Base",
    "Channel",
    "CitizenPromise",
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
    "Role",
    "SituationPicture",
    "User",
    "police_coverage",
    "utcnow",
]

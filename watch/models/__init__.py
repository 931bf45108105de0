"""All models, imported here so Alembic and the app see one metadata."""
from watch.models.api_key import PartnerApiKey
from watch.models.audit import AuditEvent
from watch.models.alert import (
    FINAL_STATUSES, PENDING_STATUSES, Alert, AlertAudience, AlertStatus, AlertTarget, AlertVersion, Delivery,
    DeliveryChannel, DeliveryStatus, OptOutSource, PhoneVerification, SkipReason, SmsOptOut, SmsProblem, SmsReply,
    SmsReplyKind, SmsReplyState, SmsSendSlot, alert_group,
)
from watch.models.base import Base, utcnow
from watch.models.group import (
    DEFAULT_WATCH_WEEKS, BoatSiteType, Group, GroupChange, GroupKind, GroupPostcode, GroupStatus, Membership,
    MembershipRole, MembershipStatus, RosterHousehold,
)
from watch.models.inbox import SmsAnswer
from watch.models.marked_item import ItemKind, KeptAt, MarkedItem, MarkedItemGram, MarkingScheme
from watch.models.lagesbild import OPEN_ACTION_STATUSES, ActionStatus, CitizenPromise, EstAction, SituationPicture
from watch.models.login_session import LoginSession
from watch.models.mfa import RecoveryCode
from watch.models.municipality import Municipality
from watch.models.notice import SummaryItem, SummaryItemKind
from watch.models.observation import (
    BOAT_CATEGORIES, PUBLIC_PLACE_CATEGORIES, Observation, ObservationCategory, ObservationSource, ObservationStatus,
)
from watch.models.partner import PartnerKind, PartnerOrganisation
from watch.models.outbox import Channel, OutboxMessage
from watch.models.push import PushMessage, PushStatus, PushSubscription
from watch.models.photo import StoredPhoto
from watch.models.user import AlertChannel, NoticeChoice, Role, User, police_coverage

__all__ = [
    "AuditEvent",
    "BOAT_CATEGORIES",
    "ItemKind",
    "KeptAt",
    "MarkedItem",
    "MarkedItemGram",
    "MarkingScheme",
    "FINAL_STATUSES",
    "PENDING_STATUSES",
    "Alert",
    "AlertAudience",
    "AlertChannel",
    "AlertStatus",
    "AlertTarget",
    "AlertVersion",
    "ActionStatus",
    "EstAction",
    "OPEN_ACTION_STATUSES",
    "Base",
    "BoatSiteType",
    "Channel",
    "CitizenPromise",
    "DEFAULT_WATCH_WEEKS",
    "Delivery",
    "DeliveryChannel",
    "DeliveryStatus",
    "Group",
    "GroupChange",
    "GroupKind",
    "GroupPostcode",
    "GroupStatus",
    "LoginSession",
    "Membership",
    "MembershipRole",
    "MembershipStatus",
    "Municipality",
    "NoticeChoice",
    "Observation",
    "ObservationCategory",
    "ObservationSource",
    "ObservationStatus",
    "OutboxMessage",
    "PushMessage",
    "PushStatus",
    "PushSubscription",
    "PUBLIC_PLACE_CATEGORIES",
    "PartnerApiKey",
    "PartnerKind",
    "PartnerOrganisation",
    "RecoveryCode",
    "Role",
    "RosterHousehold",
    "SituationPicture",
    "OptOutSource",
    "OutboxMessage",
    "PhoneVerification",
    "Role",
    "SkipReason",
    "SmsAnswer",
    "SmsOptOut",
    "SmsProblem",
    "SmsReply",
    "SmsReplyKind",
    "SmsReplyState",
    "SmsSendSlot",
    "StoredPhoto",
    "SummaryItem",
    "SummaryItemKind",
    "User",
    "alert_group",
    "police_coverage",
    "utcnow",
]

"""Alerts (utskick) from the police or the coordinator, and what happened to each SMS or email."""
import enum
from datetime import datetime

from sqlalchemy import Column, Float, ForeignKey, Index, String, Table, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from watch.models.base import Base, UTCDateTime, str_enum, utcnow
from watch.models.group import Group, GroupKind
from watch.models.municipality import Municipality
from watch.models.user import User


class AlertTarget(enum.StrEnum):
    MUNICIPALITY = "municipality"
    KIND = "kind"
    GROUPS = "groups"
    POSTCODES = "postcodes"


class AlertAudience(enum.StrEnum):
    CONTACTS = "contacts"  # kontaktombud only, as in Swedish practice
    MEMBERS = "members"  # contact persons and the members who opted in


class AlertStatus(enum.StrEnum):
    DRAFT = "draft"
    SENDING = "sending"
    SENT = "sent"


class DeliveryChannel(enum.StrEnum):
    SMS = "sms"
    EMAIL = "email"


class DeliveryStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"  # claimed by a worker
    SENT = "sent"  # accepted by the provider
    DELIVERED = "delivered"
    FAILED = "failed"
    UNDELIVERED = "undelivered"
    SKIPPED = "skipped"


FINAL_STATUSES = frozenset(
    {DeliveryStatus.DELIVERED, DeliveryStatus.FAILED, DeliveryStatus.UNDELIVERED, DeliveryStatus.SKIPPED}
)
PENDING_STATUSES = frozenset({DeliveryStatus.QUEUED, DeliveryStatus.SENDING})


class SkipReason(enum.StrEnum):
    NO_VERIFIED_PHONE = "no_verified_phone"
    OPTED_OUT = "opted_out"
    NO_CHANNEL = "no_channel"  # the person chose to read alerts in the portal only


# The groups an alert reached, fixed when it is sent: the feed shows it to their members.
alert_group = Table(
    "alert_group",
    Base.metadata,
    Column("alert_id", ForeignKey("alert.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("watch_group.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Alert(Base):
    __tablename__ = "alert"
    __table_args__ = (Index("ix_alert_municipality_created", "municipality_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    target: Mapped[AlertTarget] = mapped_column(str_enum(AlertTarget, "alert_target"))
    # The rest of the targeting, kept so that the dispatch job finds the groups (chosen groups are written
    # at once, to alert_group): the kind of group, or the postcodes (comma-separated, five digits each).
    target_kind: Mapped[GroupKind | None] = mapped_column(str_enum(GroupKind, "alert_target_kind"))
    target_postcodes: Mapped[str | None] = mapped_column(String(500))
    # What was chosen, in words, as the author saw it ("Båtsamverkan", "613 31, 613 32").
    target_description: Mapped[str] = mapped_column(String(500))
    audience: Mapped[AlertAudience] = mapped_column(str_enum(AlertAudience, "alert_audience"))
    status: Mapped[AlertStatus] = mapped_column(str_enum(AlertStatus, "alert_status"), default=AlertStatus.DRAFT)
    segments: Mapped[int] = mapped_column(default=1)
    validity_seconds: Mapped[int] = mapped_column(default=4 * 3600)
    # Retries stop here; Twilio drops a message still queued at this time too.
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The dispatch job writes the groups and the deliveries in batches after the compose request: it counts
    # the recipients first (so the progress bar knows the whole; NULL: the job has not started), then marks
    # the list complete.
    recipient_count: Mapped[int | None] = mapped_column()
    deliveries_written: Mapped[bool] = mapped_column(default=False, server_default=false())

    municipality: Mapped[Municipality] = relationship()
    author: Mapped[User | None] = relationship()
    groups: Mapped[list[Group]] = relationship(secondary=alert_group)
    versions: Mapped[list["AlertVersion"]] = relationship(
        back_populates="alert", cascade="all, delete-orphan", passive_deletes=True, order_by="AlertVersion.language")

    def __repr__(self) -> str:
        return f"<Alert {self.id} {self.status}>"


class AlertVersion(Base):
    """The alert in another language than Swedish (`Alert.body`), for the recipients who read that language."""

    __tablename__ = "alert_version"
    __table_args__ = (UniqueConstraint("alert_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(5))  # a User.locale other than Swedish
    body: Mapped[str] = mapped_column(Text)

    alert: Mapped[Alert] = relationship(back_populates="versions")

    def __repr__(self) -> str:
        return f"<AlertVersion {self.alert_id} {self.language}>"


class Delivery(Base):
    """One alert to one person, by SMS or email: queued → sending → sent → delivered, or failed/undelivered."""

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("alert_id", "user_id"),
        Index("ix_delivery_alert_status_due", "alert_id", "status", "next_attempt_at"),
        # Partial: a new alert's rows have neither, so writing 10,000 of them skips these two indexes.
        # The queries that use them compare the column, which implies IS NOT NULL for both databases.
        Index("ix_delivery_status_claimed", "status", "claimed_at", postgresql_where=text("claimed_at IS NOT NULL"),
              sqlite_where=text("claimed_at IS NOT NULL")),
        Index("ix_delivery_provider_sid", "provider_sid", postgresql_where=text("provider_sid IS NOT NULL"),
              sqlite_where=text("provider_sid IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    channel: Mapped[DeliveryChannel] = mapped_column(str_enum(DeliveryChannel, "delivery_channel"))
    phone: Mapped[str | None] = mapped_column(String(16), index=True)  # E.164 as it was when sent
    # The language of the text it carries: the recipient's, when the alert has a version in it; else Swedish.
    language: Mapped[str] = mapped_column(String(5), default="sv", server_default="sv")
    status: Mapped[DeliveryStatus] = mapped_column(str_enum(DeliveryStatus, "delivery_status"))
    skip_reason: Mapped[SkipReason | None] = mapped_column(str_enum(SkipReason, "skip_reason"))
    provider_sid: Mapped[str | None] = mapped_column(String(64))
    error_code: Mapped[str | None] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(default=0)
    # Set together with status SENDING: a worker owns the row from then until it records the outcome.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The previous attempt may have reached the provider (timeout, worker died): look before resending.
    outcome_unknown: Mapped[bool] = mapped_column(default=False)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    alert: Mapped[Alert] = relationship()
    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Delivery {self.id} {self.channel} {self.status}>"


class SmsReplyKind(enum.StrEnum):
    STOP = "stop"
    START = "start"
    MESSAGE = "message"


class SmsReplyState(enum.StrEnum):
    """Where an inbound SMS stands in its municipality's SMS inbox."""

    NEW = "new"
    HANDLED = "handled"


class SmsProblem(enum.StrEnum):
    """Why an inbound SMS is kept but neither answered automatically nor turned into anything."""

    EMPTY = "empty"
    TOO_LONG = "too_long"  # over 1,600 characters, which no phone sends: cut to 1,600 and kept
    UNREADABLE = "unreadable"  # binary-looking: mostly control or replacement characters
    FLOOD = "flood"  # more than SMS_INBOUND_PER_HOUR from one number within an hour


class SmsReply(Base):
    """An SMS that reached the portal's number, stored once per provider message id.

    STOP/START change the opt-out. An SMS from a verified number belongs to the sender's municipality
    (copied at receipt) and is read in that municipality's SMS inbox; a reply to an alert also on the
    alert's page. An SMS from an unknown number belongs to no municipality and is purged after 30 days.
    """

    __tablename__ = "sms_reply"
    __table_args__ = (
        # The inbox: a municipality's SMS, newest first, optionally only the new ones; and its badge.
        Index("ix_sms_reply_inbox", "municipality_id", "state", "received_at"),
        # A sender's thread, the per-number flood limit and the daily answer to unknown numbers.
        Index("ix_sms_reply_phone_received", "phone", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_sid: Mapped[str] = mapped_column(String(64), unique=True)  # duplicates and replays stop here
    phone: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    kind: Mapped[SmsReplyKind] = mapped_column(str_enum(SmsReplyKind, "sms_reply_kind"))
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alert.id", ondelete="SET NULL"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"))
    problem: Mapped[SmsProblem | None] = mapped_column(str_enum(SmsProblem, "sms_problem"))
    # The portal's one short answer a day to a number it does not know went out for this SMS.
    auto_answered: Mapped[bool] = mapped_column(default=False, server_default=false())
    state: Mapped[SmsReplyState] = mapped_column(
        str_enum(SmsReplyState, "sms_reply_state"), default=SmsReplyState.NEW, server_default=SmsReplyState.NEW.value
    )
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # The observation this SMS became (a report by SMS, or a coordinator's choice in the inbox).
    observation_id: Mapped[int | None] = mapped_column(ForeignKey("observation.id", ondelete="SET NULL"))

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    handled_by: Mapped[User | None] = relationship(foreign_keys=[handled_by_id])
    alert: Mapped[Alert | None] = relationship()
    municipality: Mapped[Municipality | None] = relationship()


class OptOutSource(enum.StrEnum):
    SMS = "sms"  # replied STOP
    WEB = "web"  # chose it in the portal
    PROVIDER = "provider"  # Twilio refused with 21610: the number had opted out with the carrier


class SmsOptOut(Base):
    """A number that must get no SMS. Kept by number, not by person: it survives account changes."""

    __tablename__ = "sms_opt_out"

    phone: Mapped[str] = mapped_column(String(20), primary_key=True)
    source: Mapped[OptOutSource] = mapped_column(str_enum(OptOutSource, "opt_out_source"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PhoneVerification(Base):
    """A one-time code sent to a number: 6 digits, valid 10 minutes, single use, at most 5 tries."""

    __tablename__ = "phone_verification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    phone: Mapped[str] = mapped_column(String(16), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SmsSendSlot(Base):
    """The next free send time shared by every worker when there is no Redis (messages per second)."""

    __tablename__ = "sms_send_slot"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    next_slot: Mapped[float] = mapped_column(Float, default=0.0)  # seconds since the epoch


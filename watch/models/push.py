"""Web Push: a browser's subscription on one device, and each message sent to it."""
import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from watch.models.base import Base, UTCDateTime, str_enum, utcnow
from watch.models.user import User


class PushSubscription(Base):
    """What a browser gave us when its owner turned push on: where to send, and the keys to encrypt with."""

    __tablename__ = "push_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    # The push service's URL for this browser; unique: a browser that subscribes again moves to its new owner.
    endpoint: Mapped[str] = mapped_column(String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(String(100))  # the browser's public key (base64url)
    auth: Mapped[str] = mapped_column(String(50))  # the shared authentication secret (base64url)
    device: Mapped[str] = mapped_column(String(100), default="")  # "Chrome on Android", for the profile page
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class PushStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"  # claimed by a worker
    SENT = "sent"  # accepted by the push service
    FAILED = "failed"
    EXPIRED = "expired"  # the push service said the subscription is gone (404/410): it was removed


class PushMessage(Base):
    """One push message to one subscription; those of an alert are counted in its report."""

    __tablename__ = "push_message"
    __table_args__ = (Index("ix_push_message_status_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alert.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("push_subscription.id", ondelete="SET NULL"), index=True)
    # Rendered in the recipient's language when queued; only what the recipient may see.
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(300))  # a path in the portal, which asks for a login
    status: Mapped[PushStatus] = mapped_column(str_enum(PushStatus, "push_status"), default=PushStatus.QUEUED)
    error_code: Mapped[str | None] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

"""The SMS inbox's own rows: what staff wrote back to a sender."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from watch.models.base import Base, UTCDateTime, utcnow
from watch.models.user import User


class SmsAnswer(Base):
    """One SMS a coordinator or police officer sent from the municipality's SMS inbox to a sender."""

    __tablename__ = "sms_answer"
    __table_args__ = (Index("ix_sms_answer_phone_created", "phone", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"))
    # The inbound SMS it answers; the thread itself is every SMS to and from the number.
    reply_id: Mapped[int | None] = mapped_column(ForeignKey("sms_reply.id", ondelete="SET NULL"))
    phone: Mapped[str] = mapped_column(String(20))  # E.164, as it was sent to
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))  # the recipient
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sent_by: Mapped[User | None] = relationship(foreign_keys=[sent_by_id])

    def __repr__(self) -> str:
        return f"<SmsAnswer {self.id}>"

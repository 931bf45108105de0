import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from watch.models.base import Base, UTCDateTime, str_enum, utcnow


class SummaryItemKind(enum.StrEnum):
    INBOX_SMS = "inbox_sms"  # an SMS arrived in the municipality's inbox


class SummaryItem(Base):
    """Something the coordinators' daily summary counts that has no table of its own here.

    Only the municipality, the kind and the time: never who sent what. Kept two days.
    """

    __tablename__ = "summary_item"
    __table_args__ = (Index("ix_summary_item_municipality_created", "municipality_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id", ondelete="CASCADE"))
    kind: Mapped[SummaryItemKind] = mapped_column(str_enum(SummaryItemKind, "summary_item_kind"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

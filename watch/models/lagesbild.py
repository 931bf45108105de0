from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from watch.models.base import Base, UTCDateTime, utcnow
from watch.models.municipality import Municipality
from watch.models.user import User


class SituationPicture(Base):
    """A published lägesbild: the coordinator's summary of a period of ISO weeks, frozen when published.

    `counts` holds the numbers as they were at publishing, so a later change to an observation
    (triage, anonymisation, deletion) never rewrites what the EST meeting was shown.
    """

    __tablename__ = "situation_picture"
    __table_args__ = (
        Index("ix_situation_picture_municipality_published", "municipality_id", "published_at"),
        CheckConstraint("first_week <= last_week", name="weeks_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"))
    # ISO weeks in Swedish time, "2026-W05", like Observation.observed_week; the period includes both.
    first_week: Mapped[str] = mapped_column(String(8))
    last_week: Mapped[str] = mapped_column(String(8))
    summary: Mapped[str] = mapped_column(Text)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    municipality: Mapped[Municipality] = relationship()
    published_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<SituationPicture {self.id} {self.first_week}..{self.last_week}>"


class CitizenPromise(Base):
    """A medborgarlöfte: what the police and the municipality publicly promise for a period."""

    __tablename__ = "citizen_promise"
    __table_args__ = (
        Index("ix_citizen_promise_municipality_period", "municipality_id", "ends_on", "starts_on"),
        CheckConstraint("starts_on <= ends_on", name="period_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # Both days included, in Swedish time.
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    # How it went: written during or after the period, shown with the promise.
    follow_up: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    municipality: Mapped[Municipality] = relationship()
    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<CitizenPromise {self.id} {self.starts_on}..{self.ends_on}>"

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from watch.models.base import Base, UTCDateTime, str_enum, utcnow
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


class ActionStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


OPEN_ACTION_STATUSES = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)


class EstAction(Base):
    """What the EST meeting decided to do on a week's lägesbild (åtgärd). An open action carries over to the
    following weeks' lägesbild until it is done or dropped."""

    __tablename__ = "est_action"
    __table_args__ = (
        Index("ix_est_action_municipality_week", "municipality_id", "decided_week"),
        CheckConstraint("closed_week IS NULL OR closed_week >= decided_week", name="closed_after_decided"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"))
    # ISO weeks like Observation.observed_week: where it was decided, and where it was done or dropped.
    decided_week: Mapped[str] = mapped_column(String(8))
    closed_week: Mapped[str | None] = mapped_column(String(8))
    what: Mapped[str] = mapped_column(String(300))
    area: Mapped[str] = mapped_column(String(120), default="")  # in words: "Ramdalen, gångvägen mot centrum"
    postcode: Mapped[str | None] = mapped_column(String(5))  # the counts before and since are for this postcode
    organisation: Mapped[str] = mapped_column(String(120), default="")  # who acts: "Oxelösundshem", "polisen"
    responsible: Mapped[str] = mapped_column(String(120), default="")
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[ActionStatus] = mapped_column(str_enum(ActionStatus, "action_status"), default=ActionStatus.PLANNED)
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)  # ObservationCategory values
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    municipality: Mapped[Municipality] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES

    def __repr__(self) -> str:
        return f"<EstAction {self.id} {self.decided_week} {self.status}>"

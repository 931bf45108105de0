from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from watch.models.base import Base, UTCDateTime, utcnow


class Municipality(Base):
    """A kommun: the tenant. Every piece of data belongs to exactly one."""

    __tablename__ = "municipality"
    __table_args__ = (CheckConstraint("length(code) = 4", name="code_four_digits"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    # SCB's kommunkod, e.g. 0481 for Oxelösund.
    code: Mapped[str] = mapped_column(String(4), unique=True)
    # The municipality is the controller of its data: where people write about the service, its data
    # protection officer, and where to report accessibility problems. None: the deployment's CONTACT_EMAIL.
    contact_email: Mapped[str | None] = mapped_column(String(254))
    dpo_email: Mapped[str | None] = mapped_column(String(254))
    accessibility_email: Mapped[str | None] = mapped_column(String(254))
    # The language of its lägesbild and CSV exports, for the EST meeting, whatever each reader chose.
    language: Mapped[str] = mapped_column(String(5), default="sv", server_default="sv")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Municipality {self.code} {self.name}>"

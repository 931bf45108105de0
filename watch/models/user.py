import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Column, ForeignKey, String, Table, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from watch.models.base import Base, UTCDateTime, str_enum, utcnow
from watch.models.municipality import Municipality


class Role(enum.StrEnum):
    RESIDENT = "resident"
    COORDINATOR = "coordinator"
    POLICE = "police"
    ADMIN = "admin"


# A police area spans several kommuner, so an officer may cover more than their home one.
police_coverage = Table(
    "police_coverage",
    Base.metadata,
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("municipality_id", ForeignKey("municipality.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, Base):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    # Stored lower-cased, which makes the unique constraint case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(String(16))  # E.164
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str] = mapped_column(String(5), default="sv")
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"), default=Role.RESIDENT, index=True)
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Observations: a coordinator's choice to get an email for each new one.
    email_new_observations: Mapped[bool] = mapped_column(default=False, server_default=false())

    municipality: Mapped[Municipality | None] = relationship()
    covered_municipalities: Mapped[list[Municipality]] = relationship(secondary=police_coverage)

    @property
    def is_active(self) -> bool:  # Flask-Login logs out deactivated users
        return self.active

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.COORDINATOR, Role.POLICE, Role.ADMIN)

    def municipality_ids(self) -> set[int]:
        """The municipalities whose data this person may see in their role."""
        ids = {m.id for m in self.covered_municipalities} if self.role == Role.POLICE else set()
        if self.municipality_id is not None:
            ids.add(self.municipality_id)
        return ids

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"

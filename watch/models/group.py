import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from watch.models.base import Base, UTCDateTime, str_enum, utcnow
from watch.models.municipality import Municipality
from watch.models.user import User


class GroupKind(enum.StrEnum):
    NEIGHBOURHOOD = "neighbourhood"  # Grannsamverkan
    BOAT = "boat"  # Båtsamverkan


class GroupStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    ARCHIVED = "archived"


class MembershipRole(enum.StrEnum):
    MEMBER = "member"
    CONTACT = "contact"  # kontaktombud / kontaktperson


class MembershipStatus(enum.StrEnum):
    REQUESTED = "requested"
    ACTIVE = "active"
    DECLINED = "declined"


class Group(Base):
    """A Grannsamverkan area or a Båtsamverkan club, marina or harbour."""

    __tablename__ = "watch_group"
    __table_args__ = (Index("ix_watch_group_municipality_status", "municipality_id", "status", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"))
    kind: Mapped[GroupKind] = mapped_column(str_enum(GroupKind, "group_kind"))
    status: Mapped[GroupStatus] = mapped_column(str_enum(GroupStatus, "group_status"), default=GroupStatus.PENDING)
    name: Mapped[str] = mapped_column(String(120))
    area_description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    municipality: Mapped[Municipality] = relationship()
    postcodes: Mapped[list["GroupPostcode"]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="GroupPostcode.postcode"
    )
    memberships: Mapped[list["Membership"]] = relationship(back_populates="group", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Group {self.id} {self.kind} {self.status}>"


class GroupPostcode(Base):
    """One Swedish postcode (five digits, no space) a group covers; drives search and targeting."""

    __tablename__ = "group_postcode"

    group_id: Mapped[int] = mapped_column(ForeignKey("watch_group.id", ondelete="CASCADE"), primary_key=True)
    postcode: Mapped[str] = mapped_column(String(5), primary_key=True, index=True)

    group: Mapped[Group] = relationship(back_populates="postcodes")


class Membership(Base):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("group_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("watch_group.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[MembershipRole] = mapped_column(str_enum(MembershipRole, "membership_role"), default=MembershipRole.MEMBER)
    status: Mapped[MembershipStatus] = mapped_column(
        str_enum(MembershipStatus, "membership_status"), default=MembershipStatus.REQUESTED
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped[Group] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()

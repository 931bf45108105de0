import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

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


class BoatSiteType(enum.StrEnum):
    CLUB = "club"  # båtklubb
    MARINA = "marina"  # marina, småbåtshamn
    HARBOUR = "harbour"  # hamn, gästhamn


class MembershipRole(enum.StrEnum):
    MEMBER = "member"
    CONTACT = "contact"  # kontaktombud / kontaktperson


class MembershipStatus(enum.StrEnum):
    REQUESTED = "requested"
    ACTIVE = "active"
    DECLINED = "declined"


# Båtsamverkan clubs usually keep night watch from early May to mid October; a club watching its boats in
# winter storage runs its season across the new year instead (from week 42 to week 17, say).
DEFAULT_WATCH_WEEKS = (18, 41)


class Group(Base):
    """A Grannsamverkan area or a Båtsamverkan club, marina or harbour."""

    __tablename__ = "watch_group"
    __table_args__ = (
        Index("ix_watch_group_municipality_status", "municipality_id", "status", "kind"),
        CheckConstraint("households IS NULL OR households > 0", name="households_positive"),
        CheckConstraint("berths IS NULL OR berths > 0", name="berths_positive"),
        CheckConstraint("watch_week_from IS NULL OR watch_week_from BETWEEN 1 AND 53", name="week_from_range"),
        CheckConstraint("watch_week_to IS NULL OR watch_week_to BETWEEN 1 AND 53", name="week_to_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"))
    kind: Mapped[GroupKind] = mapped_column(str_enum(GroupKind, "group_kind"))
    status: Mapped[GroupStatus] = mapped_column(str_enum(GroupStatus, "group_status"), default=GroupStatus.PENDING)
    name: Mapped[str] = mapped_column(String(120))
    area_description: Mapped[str] = mapped_column(Text, default="")
    # Grannsamverkan: the streets covered (one per line) and how many households live there.
    streets: Mapped[str] = mapped_column(Text, default="", server_default="")
    households: Mapped[int | None]
    # Båtsamverkan: what kind of place, where it is, how many berths, when the club keeps night watch.
    site_type: Mapped[BoatSiteType | None] = mapped_column(str_enum(BoatSiteType, "boat_site_type"))
    address: Mapped[str] = mapped_column(String(200), default="", server_default="")
    berths: Mapped[int | None]
    watch_week_from: Mapped[int | None]
    watch_week_to: Mapped[int | None]
    # An optional map point (WGS 84) for the area or the harbour.
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # The coordinator's decision; the applicant reads the reason or the requested change.
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    rejection_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Set while the coordinator waits for the applicant to change something; cleared by their edit.
    change_request: Mapped[str] = mapped_column(Text, default="", server_default="")

    municipality: Mapped[Municipality] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    postcodes: Mapped[list["GroupPostcode"]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="GroupPostcode.postcode"
    )
    memberships: Mapped[list["Membership"]] = relationship(back_populates="group", cascade="all, delete-orphan")

    # Filled by queries that ask for them (with_expression), so lists count in one statement.
    member_count: Mapped[int | None] = query_expression()
    request_count: Mapped[int | None] = query_expression()

    @property
    def postcode_list(self) -> list[str]:
        return [p.postcode for p in self.postcodes]

    @property
    def season_crosses_new_year(self) -> bool:
        """A winter-storage watch runs e.g. from week 42 to week 17 of the next year."""
        return (self.watch_week_from is not None and self.watch_week_to is not None
                and self.watch_week_from > self.watch_week_to)

    def keeps_watch_in(self, week: int) -> bool:
        """Whether ISO week number `week` lies in the club's night-watch season (both ends included)."""
        if self.watch_week_from is None or self.watch_week_to is None:
            return False
        if self.season_crosses_new_year:
            return week >= self.watch_week_from or week <= self.watch_week_to
        return self.watch_week_from <= week <= self.watch_week_to

    @property
    def awaits_applicant(self) -> bool:
        return self.status == GroupStatus.PENDING and bool(self.change_request)

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
    # A contact person's consent to show their phone number to the group's members.
    show_phone: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped[Group] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()

    @property
    def is_contact(self) -> bool:
        return self.role == MembershipRole.CONTACT and self.status == MembershipStatus.ACTIVE


class RosterHousehold(Base):
    """One household on a contact person's list; those that decline stay on it, without contact details."""

    __tablename__ = "roster_household"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("watch_group.id", ondelete="CASCADE"), index=True)
    address: Mapped[str] = mapped_column(String(200))
    takes_part: Mapped[bool] = mapped_column(default=True)
    membership_id: Mapped[int | None] = mapped_column(ForeignKey("membership.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    membership: Mapped[Membership | None] = relationship()


class GroupChange(Base):
    """One field of a group changed after registration: what, from what, to what, by whom and when."""

    __tablename__ = "group_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("watch_group.id", ondelete="CASCADE"), index=True)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str] = mapped_column(Text, default="")
    new_value: Mapped[str] = mapped_column(Text, default="")

    group: Mapped[Group] = relationship()
    changed_by: Mapped[User | None] = relationship()

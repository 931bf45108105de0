"""What the group list pages show: the queries to paginate, and member counts that run no query per row."""
from collections.abc import Iterator

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload, with_expression

from watch.core.postcodes import postcode_prefix
from watch.extensions import db
from watch.groups.rules import OPEN_STATUSES
from watch.models import (
    Group, GroupChange, GroupKind, GroupPostcode, GroupStatus, Membership, MembershipRole, MembershipStatus, User,
)


# -- counting, for lists that must not run a query per row ------------------------------------------

def _count_members(status: MembershipStatus):
    return (select(func.count(Membership.id))
            .where(Membership.group_id == Group.id, Membership.status == status)
            .correlate(Group).scalar_subquery())


def with_member_count():
    return with_expression(Group.member_count, _count_members(MembershipStatus.ACTIVE))


def with_request_count():
    return with_expression(Group.request_count, _count_members(MembershipStatus.REQUESTED))


# -- a person's groups and a group's members ----------------------------------------------------------

def my_memberships_query(user: User) -> Select:
    return (
        select(Membership).join(Membership.group).where(Membership.user_id == user.id)
        .options(contains_eager(Membership.group).options(with_request_count()))
        .order_by(Membership.created_at.desc(), Membership.id.desc())
    )


def members_query(group: Group) -> Select:
    """Requests first (they need an answer), then contact persons, then members by name."""
    return (
        select(Membership).join(Membership.user)
        .where(Membership.group_id == group.id,
               Membership.status.in_((MembershipStatus.REQUESTED, MembershipStatus.ACTIVE)))
        .options(contains_eager(Membership.user))
        .order_by(case((Membership.status == MembershipStatus.REQUESTED, 0), else_=1),
                  case((Membership.role == MembershipRole.CONTACT, 0), else_=1), User.name, Membership.id)
    )


# -- the public directory -------------------------------------------------------------------------

def _search(query: Select, text: str | None) -> Select:
    text = (text or "").strip()
    if not text:
        return query
    if (prefix := postcode_prefix(text)) is not None:
        return query.where(Group.postcodes.any(GroupPostcode.postcode.startswith(prefix)))
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return query.where(or_(Group.name.ilike(pattern, escape="\\"), Group.streets.ilike(pattern, escape="\\"),
                           Group.area_description.ilike(pattern, escape="\\")))


def directory_query(municipality_id: int, search: str | None, kind: GroupKind | None) -> Select:
    """Approved groups of a municipality as the public sees them."""
    query = (select(Group).where(Group.municipality_id == municipality_id, Group.status == GroupStatus.APPROVED)
             .options(selectinload(Group.postcodes), with_member_count()).order_by(Group.name, Group.id))
    if kind is not None:
        query = query.where(Group.kind == kind)
    return _search(query, search)


# -- the coordinator's and the police's lists ----------------------------------------------------

def staff_groups_query(municipality_ids: set[int], *, kind: GroupKind | None = None,
                       status: GroupStatus | None = None, postcode: str | None = None) -> Select:
    query = (select(Group).join(Group.municipality).where(Group.municipality_id.in_(municipality_ids))
             .options(contains_eager(Group.municipality), selectinload(Group.postcodes), with_member_count())
             .order_by(Group.name, Group.id))
    if kind is not None:
        query = query.where(Group.kind == kind)
    if status is not None:
        query = query.where(Group.status == status)
    if postcode:
        query = query.where(Group.postcodes.any(GroupPostcode.postcode.startswith(postcode)))
    return query


def pending_query(municipality_ids: set[int]) -> Select:
    """The coordinator's inbox: waiting groups, oldest first."""
    return (staff_groups_query(municipality_ids, status=GroupStatus.PENDING)
            .options(joinedload(Group.created_by)).order_by(None).order_by(Group.created_at, Group.id))


def awaiting_decision_select(municipality_ids: set[int]) -> Select:
    """How many pending groups the coordinator must act on (not those waiting for the applicant's change)."""
    return select(func.count(Group.id)).where(
        Group.municipality_id.in_(municipality_ids), Group.status == GroupStatus.PENDING, Group.change_request == "")


def change_log_query(municipality_ids: set[int], group_id: int | None = None) -> Select:
    query = (select(GroupChange).join(GroupChange.group).where(Group.municipality_id.in_(municipality_ids))
             .options(contains_eager(GroupChange.group), joinedload(GroupChange.changed_by))
             .order_by(GroupChange.changed_at.desc(), GroupChange.id.desc()))
    if group_id is not None:
        query = query.where(GroupChange.group_id == group_id)
    return query


def contact_register(municipality_ids: set[int]) -> Iterator[Membership]:
    """Every contact person of the municipality's approved and pending groups: the register it keeps."""
    return db.session.scalars(
        select(Membership).join(Membership.group).join(Membership.user)
        .where(Group.municipality_id.in_(municipality_ids), Group.status.in_(OPEN_STATUSES),
               Membership.role == MembershipRole.CONTACT, Membership.status == MembershipStatus.ACTIVE)
        .options(contains_eager(Membership.group).selectinload(Group.postcodes), contains_eager(Membership.user))
        .order_by(Group.name, Group.id, User.name)
    )

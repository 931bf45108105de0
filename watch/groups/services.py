"""Watch groups: registration, the coordinator's decisions, joining, contact persons, roster and change log.

Plain functions holding the rules; they flush but never commit. Messages for people are
lazy strings, so they render in whatever language the request (or email) uses.
"""
from collections.abc import Iterable, Iterator

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, delete, func, or_, select, update
from sqlalchemy.orm import aliased, contains_eager, joinedload, selectinload, with_expression

from watch.messaging.notify import notify
from watch.audit import actions
from watch.audit.services import record
from watch.core.errors import ExplainedError
from watch.auth.services import active_coordinators
from watch.extensions import db
from watch.core.postcodes import format_postcode, postcode_prefix
from watch.messaging.email import email_user
from watch.models import (
    Group, GroupChange, GroupKind, GroupPostcode, GroupStatus, Membership, MembershipRole, MembershipStatus,
    RosterHousehold, User, utcnow,
)
from watch.privacy.signals import account_deleting, account_deletion_blockers, personal_data_export


class GroupRuleError(ExplainedError):
    """A step the group rules do not allow."""


# What a person can edit on each kind of group, in the order forms and the change log show them.
DETAIL_FIELDS = {
    GroupKind.NEIGHBOURHOOD: ("name", "area_description", "streets", "postcodes", "households", "latitude",
                              "longitude"),
    GroupKind.BOAT: ("name", "site_type", "address", "area_description", "postcodes", "berths", "watch_week_from",
                     "watch_week_to", "latitude", "longitude"),
}
# Groups still alive: they can be edited, and a new registration may duplicate them.
OPEN_STATUSES = (GroupStatus.PENDING, GroupStatus.APPROVED)


# -- counting, for lists that must not run a query per row ------------------------------------------

def _count_members(status: MembershipStatus):
    return (select(func.count(Membership.id))
            .where(Membership.group_id == Group.id, Membership.status == status)
            .correlate(Group).scalar_subquery())


def with_member_count():
    return with_expression(Group.member_count, _count_members(MembershipStatus.ACTIVE))


def with_request_count():
    return with_expression(Group.request_count, _count_members(MembershipStatus.REQUESTED))


# -- registering and editing ---------------------------------------------------------------------

def _apply_details(group: Group, details: dict) -> None:
    for key in DETAIL_FIELDS[group.kind]:
        if key == "postcodes":
            # Keep the rows of postcodes that stay: deleting and re-adding the same key in one flush collides.
            kept = {p.postcode: p for p in group.postcodes}
            group.postcodes = [kept.get(code) or GroupPostcode(postcode=code) for code in details["postcodes"]]
        else:
            setattr(group, key, details[key])


def _snapshot(group: Group) -> dict[str, str]:
    values = {}
    for key in DETAIL_FIELDS[group.kind]:
        value = ", ".join(map(format_postcode, group.postcode_list)) if key == "postcodes" else getattr(group, key)
        values[key] = "" if value is None else str(value)
    return values


def register_group(user: User, kind: GroupKind, details: dict, *, show_phone: bool) -> Group:
    """A pending group in the applicant's municipality, with the applicant as its first contact person."""
    group = Group(municipality_id=user.municipality_id, kind=kind, status=GroupStatus.PENDING, created_by=user)
    _apply_details(group, details)
    group.memberships = [Membership(user=user, role=MembershipRole.CONTACT, status=MembershipStatus.ACTIVE,
                                    show_phone=show_phone)]
    db.session.add(group)
    db.session.flush()
    return group


def find_duplicates(municipality_id: int, kind: GroupKind, name: str, postcodes: Iterable[str],
                    exclude_id: int | None = None) -> list[Group]:
    """Open groups of the same kind in the municipality that share the name or a postcode."""
    query = (
        select(Group)
        .where(Group.municipality_id == municipality_id, Group.kind == kind, Group.status.in_(OPEN_STATUSES),
               or_(func.lower(Group.name) == name.strip().lower(),
                   Group.postcodes.any(GroupPostcode.postcode.in_(list(postcodes)))))
        .options(selectinload(Group.postcodes), with_member_count())
        .order_by(Group.name)
    )
    if exclude_id is not None:
        query = query.where(Group.id != exclude_id)
    return list(db.session.scalars(query))


def update_group(group: Group, details: dict, by: User) -> list[GroupChange]:
    """Save a contact person's edit and log each changed field; answers a coordinator's change request."""
    if group.status not in OPEN_STATUSES:
        raise GroupRuleError(_l("This group can no longer be changed."))
    before = _snapshot(group)
    _apply_details(group, details)
    after = _snapshot(group)
    changes = [GroupChange(group=group, changed_by=by, field=key, old_value=before[key], new_value=after[key])
               for key in before if before[key] != after[key]]
    db.session.add_all(changes)
    group.change_request = ""
    db.session.flush()
    return changes


# -- the coordinator's decisions -----------------------------------------------------------------

def _require_status(group: Group, *allowed: GroupStatus) -> None:
    if group.status not in allowed:
        raise GroupRuleError(_l("This group has already been decided on; reload the page to see its status."))


def _reason(text: str | None, missing_message) -> str:
    text = (text or "").strip()
    if not text:
        raise GroupRuleError(missing_message)
    return text


def _decide(group: Group, coordinator: User, status: GroupStatus) -> None:
    group.status, group.decided_at, group.decided_by = status, utcnow(), coordinator
    group.change_request = ""


def approve(group: Group, coordinator: User) -> None:
    _require_status(group, GroupStatus.PENDING)
    _decide(group, coordinator, GroupStatus.APPROVED)
    group.rejection_reason = ""
    record(actions.GROUP_APPROVED, subject=group, actor=coordinator)


def reject(group: Group, coordinator: User, reason: str) -> None:
    _require_status(group, GroupStatus.PENDING)
    reason = _reason(reason, _l("Write why the group is rejected. The applicant reads it."))
    _decide(group, coordinator, GroupStatus.REJECTED)
    group.rejection_reason = reason
    record(actions.GROUP_REJECTED, subject=group, actor=coordinator)  # the reason is free text: not in the log


def request_change(group: Group, coordinator: User, note: str) -> None:
    _require_status(group, GroupStatus.PENDING)
    group.change_request = _reason(note, _l("Write what the applicant should change."))
    record(actions.GROUP_CHANGE_REQUESTED, subject=group, actor=coordinator)


def archive(group: Group, coordinator: User) -> None:
    _require_status(group, GroupStatus.APPROVED)
    _decide(group, coordinator, GroupStatus.ARCHIVED)
    record(actions.GROUP_ARCHIVED, subject=group, actor=coordinator)


def notify_applicant(group: Group, template: str) -> None:
    """Tell the applicant (or, if they are gone, the group's contact persons) the decision: by email,
    and by SMS to those who get alerts by SMS."""
    applicant = group.created_by
    recipients = [applicant] if applicant is not None and applicant.active else \
        [m.user for m in contacts_of(group) if m.user.active]
    for person in recipients:
        notify(person, template, url_for("groups.mine"), group=group)


# -- joining and contact persons -----------------------------------------------------------------

NOT_OPEN_MESSAGES = {
    GroupStatus.PENDING: _l("This group is waiting for the municipality's approval. You can ask to join once it "
                            "is approved."),
    GroupStatus.REJECTED: _l("This group was not approved and cannot take members."),
    GroupStatus.ARCHIVED: _l("This group has stopped (archived) and takes no new members."),
}


def membership_of(user: User, group_id: int) -> Membership | None:
    return db.session.scalar(select(Membership).where(Membership.group_id == group_id,
                                                      Membership.user_id == user.id))


def request_to_join(user: User, group: Group) -> Membership:
    if group.status != GroupStatus.APPROVED:
        raise GroupRuleError(NOT_OPEN_MESSAGES[group.status])
    membership = membership_of(user, group.id)
    if membership is None:
        membership = Membership(group=group, user=user, role=MembershipRole.MEMBER)
        db.session.add(membership)
    elif membership.status == MembershipStatus.ACTIVE:
        raise GroupRuleError(_l("You are already a member of this group."))
    elif membership.status == MembershipStatus.REQUESTED:
        raise GroupRuleError(_l("You have already asked to join. A contact person will answer."))
    membership.status, membership.created_at = MembershipStatus.REQUESTED, utcnow()
    db.session.flush()
    return membership


def notify_coordinators_of_new_group(group: Group) -> None:
    """Tell the municipality's coordinators a group waits for their decision."""
    for coordinator in db.session.scalars(active_coordinators(group.municipality_id)):
        email_user(coordinator, "groups/email/new_group.txt", group=group)


def notify_join_request(membership: Membership) -> None:
    """Tell the group's contact persons someone asks to join."""
    for contact in contacts_of(membership.group):
        email_user(contact.user, "groups/email/join_request.txt", group=membership.group, applicant=membership.user)


def notify_accepted(membership: Membership) -> None:
    email_user(membership.user, "groups/email/join_accepted.txt", group=membership.group)


def _require_request(membership: Membership) -> None:
    if membership.status != MembershipStatus.REQUESTED:
        raise GroupRuleError(_l("This request has already been answered."))


def accept(membership: Membership) -> None:
    _require_request(membership)
    if membership.group.status != GroupStatus.APPROVED:
        raise GroupRuleError(NOT_OPEN_MESSAGES[membership.group.status])
    membership.status = MembershipStatus.ACTIVE


def decline(membership: Membership) -> None:
    _require_request(membership)
    membership.status = MembershipStatus.DECLINED


def make_contact(membership: Membership) -> None:
    if membership.status != MembershipStatus.ACTIVE:
        raise GroupRuleError(_l("Only a member can become a contact person."))
    if membership.role != MembershipRole.CONTACT:
        membership.role = MembershipRole.CONTACT
        record(actions.CONTACT_MADE, subject=membership.group, user=membership.user_id)


def _other_contacts(group_id, user_id) -> Select:
    """How many active contact persons a group has besides this person (group_id may be a column)."""
    others = aliased(Membership)
    return select(func.count(others.id)).where(
        others.group_id == group_id, others.user_id != user_id, others.role == MembershipRole.CONTACT,
        others.status == MembershipStatus.ACTIVE)


def _keep_a_contact(membership: Membership) -> None:
    """A live group always has a contact person: the last one hands over before leaving."""
    if not membership.is_contact or membership.group.status not in OPEN_STATUSES:
        return
    if db.session.scalar(_other_contacts(membership.group_id, membership.user_id)) == 0:
        raise GroupRuleError(_l("A group must always have a contact person. Make another member a contact "
                                "person first."))


def remove(membership: Membership) -> None:
    """A contact person removes a member, or a member leaves (or withdraws a request)."""
    _keep_a_contact(membership)
    if membership.is_contact:
        record(actions.CONTACT_REMOVED, subject=membership.group, user=membership.user_id)
    db.session.delete(membership)
    db.session.flush()


def set_show_phone(membership: Membership, show: bool) -> None:
    membership.show_phone = show


def contacts_of(group: Group) -> list[Membership]:
    return list(db.session.scalars(
        select(Membership).join(Membership.user)
        .where(Membership.group_id == group.id, Membership.role == MembershipRole.CONTACT,
               Membership.status == MembershipStatus.ACTIVE)
        .options(contains_eager(Membership.user)).order_by(User.name)))


# -- the contact person's household list (roster) ------------------------------------------------

def save_household(group: Group, household: RosterHousehold | None, *, address: str, takes_part: bool,
                   membership: Membership | None) -> RosterHousehold:
    if household is None:
        household = RosterHousehold(group_id=group.id)
        db.session.add(household)
    household.address, household.takes_part = address.strip(), takes_part
    household.membership = membership if takes_part else None
    db.session.flush()
    return household


# -- queries for the list pages (paginate these) -------------------------------------------------

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


def roster_query(group: Group) -> Select:
    return (select(RosterHousehold).where(RosterHousehold.group_id == group.id)
            .options(joinedload(RosterHousehold.membership).joinedload(Membership.user))
            .order_by(RosterHousehold.address, RosterHousehold.id))


def active_members(group: Group) -> list[Membership]:
    return list(db.session.scalars(
        select(Membership).join(Membership.user)
        .where(Membership.group_id == group.id, Membership.status == MembershipStatus.ACTIVE)
        .options(contains_eager(Membership.user)).order_by(User.name)))


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


def awaiting_decision_count(municipality_ids: set[int]) -> int:
    """Pending groups the coordinator must act on (not those waiting for the applicant's change)."""
    return db.session.scalar(select(func.count(Group.id)).where(
        Group.municipality_id.in_(municipality_ids), Group.status == GroupStatus.PENDING,
        Group.change_request == "")) or 0


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


# -- Mina uppgifter: what export and account deletion do with groups (watch/privacy/signals.py) ------

def groups_without_another_contact(user: User) -> list[Group]:
    """Live groups where this person is the only active contact person."""
    return list(db.session.scalars(
        select(Group).join(Membership, Membership.group_id == Group.id)
        .where(Membership.user_id == user.id, Membership.role == MembershipRole.CONTACT,
               Membership.status == MembershipStatus.ACTIVE, Group.status.in_(OPEN_STATUSES),
               _other_contacts(Membership.group_id, user.id).scalar_subquery() == 0)
        .order_by(Group.name)
    ))


@account_deletion_blockers.connect
def last_contact_person(user: User, **extra) -> list[str]:
    return [
        _("You are the only contact person of %(group)s. On the group's page, make another member contact person "
          "first. If the group has no other members, ask the municipality's coordinator.", group=group.name)
        for group in groups_without_another_contact(user)
    ]


@personal_data_export.connect
def export_group_data(user: User, **extra) -> dict[str, list[dict]]:
    """Their memberships, the groups they registered and the household lists that name them; no one else's data."""
    memberships = list(db.session.scalars(
        select(Membership).where(Membership.user_id == user.id).options(joinedload(Membership.group))
        .order_by(Membership.created_at)))
    registered = db.session.scalars(
        select(Group).where(Group.created_by_id == user.id).options(selectinload(Group.postcodes))
        .order_by(Group.created_at))
    households = db.session.scalars(
        select(RosterHousehold).where(RosterHousehold.membership_id.in_([m.id for m in memberships]))
        .options(joinedload(RosterHousehold.membership).joinedload(Membership.group)).order_by(RosterHousehold.id))
    return {
        "memberships": [{
            "group": m.group.name, "kind": str(m.group.kind), "role": str(m.role), "status": str(m.status),
            "since": m.created_at, "phone_shown_to_members": m.show_phone,
        } for m in memberships],
        "registered_groups": [{
            "group": g.name, "kind": str(g.kind), "status": str(g.status), "registered_at": g.created_at,
            **{key: value for key, value in _snapshot(g).items() if key in ("area_description", "streets", "address",
                                                                            "postcodes")},
        } for g in registered],
        "household_lists": [{
            "group": h.membership.group.name, "address": h.address, "takes_part": h.takes_part,
        } for h in households],
    }


@account_deleting.connect
def end_memberships(user: User, **extra) -> None:
    """Memberships end, household lists keep the address without the person, decisions and edits lose the name."""
    mine = select(Membership.id).where(Membership.user_id == user.id).scalar_subquery()
    db.session.execute(update(RosterHousehold).where(RosterHousehold.membership_id.in_(mine))
                       .values(membership_id=None))
    db.session.execute(delete(Membership).where(Membership.user_id == user.id))
    for column in (Group.created_by_id, Group.decided_by_id):
        db.session.execute(update(Group).where(column == user.id).values({column: None}))
    db.session.execute(update(GroupChange).where(GroupChange.changed_by_id == user.id).values(changed_by_id=None))

"""Registering a group, the duplicates check, and the contact person's edits with their change log."""
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from watch.auth.services import active_coordinators
from watch.core.postcodes import format_postcode
from watch.extensions import db
from watch.groups.queries import with_member_count
from watch.groups.rules import OPEN_STATUSES, GroupRuleError
from watch.messaging.email import email_user
from watch.models import (
    Group, GroupChange, GroupKind, GroupPostcode, GroupStatus, Membership, MembershipRole, MembershipStatus, User,
)

# What a person can edit on each kind of group, in the order forms and the change log show them.
DETAIL_FIELDS = {
    GroupKind.NEIGHBOURHOOD: ("name", "area_description", "streets", "postcodes", "households", "latitude",
                              "longitude"),
    GroupKind.BOAT: ("name", "site_type", "address", "area_description", "postcodes", "berths", "watch_week_from",
                     "watch_week_to", "latitude", "longitude"),
}


def _apply_details(group: Group, details: dict) -> None:
    for key in DETAIL_FIELDS[group.kind]:
        if key == "postcodes":
            # Keep the rows of postcodes that stay: deleting and re-adding the same key in one flush collides.
            kept = {p.postcode: p for p in group.postcodes}
            group.postcodes = [kept.get(code) or GroupPostcode(postcode=code) for code in details["postcodes"]]
        else:
            setattr(group, key, details[key])


def detail_texts(group: Group) -> dict[str, str]:
    """The group's details as the change log writes them: {field: text}, empty for a missing value."""
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


def notify_coordinators_of_new_group(group: Group) -> None:
    """Tell the municipality's coordinators a group waits for their decision."""
    for coordinator in db.session.scalars(active_coordinators(group.municipality_id)):
        email_user(coordinator, "groups/email/new_group.txt", group=group)


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
    before = detail_texts(group)
    _apply_details(group, details)
    after = detail_texts(group)
    changes = [GroupChange(group=group, changed_by=by, field=key, old_value=before[key], new_value=after[key])
               for key in before if before[key] != after[key]]
    db.session.add_all(changes)
    group.change_request = ""
    db.session.flush()
    return changes

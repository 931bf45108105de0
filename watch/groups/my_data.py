"""Mina uppgifter: what export and account deletion do with groups (receivers of watch/privacy/signals.py).

The receivers connect when this module is imported; watch/groups/routes.py imports it.
"""
from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.orm import joinedload, selectinload

from watch.extensions import db
from watch.groups.membership import other_contacts_count
from watch.groups.registration import detail_texts
from watch.groups.rules import OPEN_STATUSES
from watch.models import Group, GroupChange, Membership, MembershipRole, MembershipStatus, RosterHousehold, User
from watch.privacy.signals import account_deleting, account_deletion_blockers, personal_data_export


def groups_without_another_contact(user: User) -> list[Group]:
    """Live groups where this person is the only active contact person."""
    return list(db.session.scalars(
        select(Group).join(Membership, Membership.group_id == Group.id)
        .where(Membership.user_id == user.id, Membership.role == MembershipRole.CONTACT,
               Membership.status == MembershipStatus.ACTIVE, Group.status.in_(OPEN_STATUSES),
               other_contacts_count(Membership.group_id, user.id).scalar_subquery() == 0)
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
            **{key: value for key, value in detail_texts(g).items() if key in ("area_description", "streets",
                                                                               "address", "postcodes")},
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

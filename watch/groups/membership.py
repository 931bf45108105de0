"""Joining a group and the contact persons' answers: requests, members, contact persons, leaving."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased, contains_eager

from watch.audit import actions
from watch.audit.services import record
from watch.extensions import db
from watch.groups.rules import OPEN_STATUSES, GroupRuleError
from watch.messaging.email import email_user
from watch.models import Group, GroupStatus, Membership, MembershipRole, MembershipStatus, User, utcnow

NOT_OPEN_MESSAGES = {
    GroupStatus.PENDING: _l("This group is waiting for the municipality's approval. You can ask to join once it "
                            "is approved."),
    GroupStatus.REJECTED: _l("This group was not approved and cannot take members."),
    GroupStatus.ARCHIVED: _l("This group has stopped (archived) and takes no new members."),
}


def membership_of(user: User, group_id: int) -> Membership | None:
    return db.session.scalar(select(Membership).where(Membership.group_id == group_id,
                                                      Membership.user_id == user.id))


def contacts_of(group: Group) -> list[Membership]:
    return list(db.session.scalars(
        select(Membership).join(Membership.user)
        .where(Membership.group_id == group.id, Membership.role == MembershipRole.CONTACT,
               Membership.status == MembershipStatus.ACTIVE)
        .options(contains_eager(Membership.user)).order_by(User.name)))


def active_members(group: Group) -> list[Membership]:
    return list(db.session.scalars(
        select(Membership).join(Membership.user)
        .where(Membership.group_id == group.id, Membership.status == MembershipStatus.ACTIVE)
        .options(contains_eager(Membership.user)).order_by(User.name)))


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


def other_contacts_count(group_id, user_id) -> Select:
    """How many active contact persons a group has besides this person (group_id may be a column)."""
    others = aliased(Membership)
    return select(func.count(others.id)).where(
        others.group_id == group_id, others.user_id != user_id, others.role == MembershipRole.CONTACT,
        others.status == MembershipStatus.ACTIVE)


def _keep_a_contact(membership: Membership) -> None:
    """A live group always has a contact person: the last one hands over before leaving."""
    if not membership.is_contact or membership.group.status not in OPEN_STATUSES:
        return
    if db.session.scalar(other_contacts_count(membership.group_id, membership.user_id)) == 0:
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

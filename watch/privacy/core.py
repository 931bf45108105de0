"""The account itself, group memberships, messages and the audit log in my-data export and deletion."""
from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import aliased, joinedload

from watch.extensions import db
from watch.models import (
    AuditEvent, Group, GroupStatus, Membership, MembershipRole, MembershipStatus, OutboxMessage, RecoveryCode, User,
)
from watch.privacy.signals import account_deleting, account_deletion_blockers, personal_data_export

# Groups that still need a contact person; a rejected or archived group does not.
LIVE_GROUP_STATUSES = (GroupStatus.PENDING, GroupStatus.APPROVED)


@personal_data_export.connect
def export_account(user: User, **extra) -> dict[str, list[dict]]:
    memberships = db.session.scalars(
        select(Membership).where(Membership.user_id == user.id).options(joinedload(Membership.group))
        .order_by(Membership.created_at)
    )
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.user_id == user.id).order_by(OutboxMessage.created_at)
    )
    events = db.session.scalars(
        select(AuditEvent).where(or_(AuditEvent.actor_id == user.id,
                                     (AuditEvent.subject_type == "User") & (AuditEvent.subject_id == user.id)))
        .order_by(AuditEvent.created_at)
    )
    return {
        "account": [{
            "name": user.name, "email": user.email, "phone": user.phone, "language": user.locale,
            "role": str(user.role), "municipality": user.municipality.name if user.municipality else None,
            "created_at": user.created_at, "two_factor_login": user.mfa_enabled,
            "covered_municipalities": ", ".join(m.name for m in user.covered_municipalities),
        }],
        "memberships": [{
            "group": m.group.name, "kind": str(m.group.kind), "role": str(m.role), "status": str(m.status),
            "since": m.created_at,
        } for m in memberships],
        "messages": [{
            "channel": str(m.channel), "to": m.recipient, "subject": m.subject, "text": m.body, "sent_at": m.created_at,
        } for m in messages],
        "audit_log": [{"action": e.action, "at": e.created_at, "details": e.details} for e in events],
    }


def groups_without_another_contact(user: User) -> list[Group]:
    """Live groups where this person is the only active contact person."""
    others = aliased(Membership)
    other_contacts = (
        select(func.count(others.id))
        .where(others.group_id == Membership.group_id, others.user_id != user.id,
               others.role == MembershipRole.CONTACT, others.status == MembershipStatus.ACTIVE)
        .scalar_subquery()
    )
    return list(db.session.scalars(
        select(Group).join(Membership, Membership.group_id == Group.id)
        .where(Membership.user_id == user.id, Membership.role == MembershipRole.CONTACT,
               Membership.status == MembershipStatus.ACTIVE, Group.status.in_(LIVE_GROUP_STATUSES),
               other_contacts == 0)
        .order_by(Group.name)
    ))


@account_deletion_blockers.connect
def last_contact_person(user: User, **extra) -> list[str]:
    return [
        _("You are the only contact person of %(group)s. Hand over to another member first: ask the "
          "coordinator to make someone else contact person.", group=group.name)
        for group in groups_without_another_contact(user)
    ]


@account_deletion_blockers.connect
def staff_account(user: User, **extra) -> list[str]:
    if user.is_staff:
        return [_("Staff accounts are closed by the administrator, who also hands over your work.")]
    return []


@account_deleting.connect
def delete_account_rows(user: User, **extra) -> None:
    """Memberships end, stored messages and recovery codes go, the audit log keeps the role but not the person."""
    db.session.execute(delete(Membership).where(Membership.user_id == user.id))
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.user_id == user.id))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(update(AuditEvent).where(AuditEvent.actor_id == user.id).values(actor_id=None))

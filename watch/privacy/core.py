"""The account itself, messages and the audit log in my-data export and deletion.

Groups and observations take part through the same signals, from their own services modules.
"""
from flask_babel import gettext as _
from sqlalchemy import delete, or_, select, update

from watch.extensions import db
from watch.models import AuditEvent, LoginSession, OutboxMessage, RecoveryCode, User
from watch.privacy.signals import account_deleting, account_deletion_blockers, personal_data_export


@personal_data_export.connect
def export_account(user: User, **extra) -> dict[str, list[dict]]:
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.user_id == user.id).order_by(OutboxMessage.created_at)
    )
    events = db.session.scalars(
        select(AuditEvent).where(or_(AuditEvent.actor_id == user.id,
                                     (AuditEvent.subject_type == "User") & (AuditEvent.subject_id == user.id)))
        .order_by(AuditEvent.created_at)
    )
    logins = db.session.scalars(
        select(LoginSession).where(LoginSession.user_id == user.id).order_by(LoginSession.created_at)
    )
    return {
        "account": [{
            "name": user.name, "email": user.email, "phone": user.phone, "language": user.locale,
            "role": str(user.role), "municipality": user.municipality.name if user.municipality else None,
            "created_at": user.created_at, "two_factor_login": user.mfa_enabled,
            "covered_municipalities": ", ".join(m.name for m in user.covered_municipalities),
        }],
        "messages": [{
            "channel": str(m.channel), "to": m.recipient, "subject": m.subject, "text": m.body, "sent_at": m.created_at,
        } for m in messages],
        "audit_log": [{"action": e.action, "at": e.created_at, "details": e.details} for e in events],
        "logins": [{"browser": s.browser, "system": s.system, "logged_in_at": s.created_at,
                    "last_active_at": s.last_seen_at} for s in logins],
    }


@account_deletion_blockers.connect
def staff_account(user: User, **extra) -> list[str]:
    if user.is_staff:
        return [_("Staff accounts are closed by the administrator, who also hands over your work.")]
    return []


@account_deleting.connect
def delete_account_rows(user: User, **extra) -> None:
    """Stored messages, recovery codes and logins go, the audit log keeps the role but not the person."""
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.user_id == user.id))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    db.session.execute(update(AuditEvent).where(AuditEvent.actor_id == user.id).values(actor_id=None))

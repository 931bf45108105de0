"""The audit log: features call `record(...)` in their services, inside the request's transaction.

    from watch.audit import actions
    from watch.audit.services import record
    record(actions.ROLE_CHANGED, subject=user, old="resident", new="coordinator")

The actor is the logged-in person (or `actor=`); the municipality is taken from the subject when
it has one. Details must be ids, codes and counts: anything that looks like an email address or
phone number is masked before it is stored.
"""
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, has_request_context
from huey import crontab
from flask_login import current_user
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from watch.extensions import db
from watch.jobs import app_periodic_task
from watch.models import AuditEvent, Role, User, utcnow
from watch.core.redact import redact


def record(action: str, *, subject: Any = None, municipality_id: int | None = None, actor: User | None = None,
           **details: Any) -> AuditEvent:
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user._get_current_object()
    if municipality_id is None:
        municipality_id = getattr(subject, "municipality_id", None)
        if municipality_id is None and actor is not None:
            municipality_id = actor.municipality_id
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor is not None else None,
        actor_role=str(actor.role) if actor is not None else None,
        subject_type=type(subject).__name__ if subject is not None else None,
        subject_id=getattr(subject, "id", None),
        municipality_id=municipality_id,
        details={key: _scrub(value) for key, value in details.items()},
    )
    db.session.add(event)
    return event


def _scrub(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


def visible_events(viewer: User, action: str | None = None) -> Select:
    """Newest first; administrators see every municipality, coordinators their own."""
    query = select(AuditEvent).options(joinedload(AuditEvent.actor)).order_by(AuditEvent.id.desc())
    if viewer.role != Role.ADMIN:
        query = query.where(AuditEvent.municipality_id.in_(viewer.municipality_ids()))
    if action:
        query = query.where(AuditEvent.action == action)
    return query


def purge_expired(now: datetime | None = None) -> int:
    """Delete events older than AUDIT_RETENTION_DAYS, as the privacy notice promises; returns how many."""
    cutoff = (now or utcnow()) - timedelta(days=current_app.config["AUDIT_RETENTION_DAYS"])
    return db.session.execute(db.delete(AuditEvent).where(AuditEvent.created_at < cutoff)).rowcount


@app_periodic_task(crontab(hour="3", minute="15"))
def purge_expired_audit_events() -> None:
    purge_expired()

"""The audit log: features call `record(...)` in their services, inside the request's transaction.

    from watch.audit import actions
    from watch.audit.services import record
    record(actions.ROLE_CHANGED, subject=user, old="resident", new="coordinator")

The actor is the logged-in person (or `actor=`); the municipality is taken from the subject when
it has one. Details must be ids, codes and counts: anything that looks like an email address or
phone number is masked before it is stored.
"""
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, has_request_context
from huey import crontab
from flask_login import current_user
from sqlalchemy import JSON, Select, exists, insert, literal, select
from sqlalchemy.orm import joinedload

from watch.core.redact import redact
from watch.core.weeks import day_start, today
from watch.extensions import db
from watch.jobs import app_periodic_task
from watch.models import AuditEvent, Base, Role, User, utcnow
from watch.models.base import UTCDateTime


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


def record_each(action: str, model: type[Base], ids: Iterable[int], *, actor: User, once_a_day: bool = True,
                **details: Any) -> None:
    """One event per row of `model` (each with the row's municipality), in a single INSERT ... SELECT.

    For pages that show many records at once (a list of observations). With `once_a_day`, a row this
    actor already has such an event for today (Swedish time) gets no second one, as `record_view` does
    for a single observation; the check is part of the same statement, so a page costs one query.
    """
    ids = sorted(set(ids))
    if not ids:
        return
    table = model.__table__
    rows = select(
        literal(utcnow(), UTCDateTime()), literal(actor.id), literal(str(actor.role)), literal(action),
        literal(model.__name__), table.c.id, table.c.municipality_id,
        literal({key: _scrub(value) for key, value in details.items()}, JSON()),
    ).where(table.c.id.in_(ids))
    if once_a_day:
        rows = rows.where(~exists().where(
            AuditEvent.actor_id == actor.id, AuditEvent.action == action,
            AuditEvent.subject_type == model.__name__, AuditEvent.subject_id == table.c.id,
            AuditEvent.created_at >= day_start(today()),
        ))
    db.session.execute(insert(AuditEvent).from_select(
        ["created_at", "actor_id", "actor_role", "action", "subject_type", "subject_id", "municipality_id", "details"],
        rows,
    ))


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

"""Retention of household lists: the list of a group archived longer than ROSTER_RETENTION_DAYS goes.

Nightly, in batches (`watch.core.retention`). The group itself stays (archived), for the statistics.
"""
from datetime import datetime, timedelta

from flask import current_app
from huey import crontab
from sqlalchemy import func, select

from watch.core.retention import delete_with_dependants, in_batches
from watch.jobs import app_periodic_task
from watch.models import Group, GroupStatus, RosterHousehold, utcnow


def purge_archived_rosters(now: datetime | None = None) -> int:
    """Delete the households (addresses, who takes part) of groups archived more than ROSTER_RETENTION_DAYS ago.

    A group is archived by a decision, so `decided_at` is when; a group archived without one (imported
    data) counts from its creation.
    """
    cutoff = (now or utcnow()) - timedelta(days=current_app.config["ROSTER_RETENTION_DAYS"])
    old = (select(RosterHousehold.id).join(Group, Group.id == RosterHousehold.group_id)
           .where(Group.status == GroupStatus.ARCHIVED, func.coalesce(Group.decided_at, Group.created_at) < cutoff)
           .order_by(RosterHousehold.id))
    return in_batches(old, lambda ids: delete_with_dependants(RosterHousehold.__table__, ids))


@app_periodic_task(crontab(hour="3", minute="50"))
def purge_old_archived_rosters() -> None:
    purge_archived_rosters()

"""The coordinator's decisions on a group (approve, reject, ask for a change, archive) and telling the applicant."""
from flask import url_for
from flask_babel import lazy_gettext as _l

from watch.audit import actions
from watch.audit.services import record
from watch.groups.membership import contacts_of
from watch.groups.rules import GroupRuleError
from watch.messaging.notify import notify
from watch.models import Group, GroupStatus, User, utcnow


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

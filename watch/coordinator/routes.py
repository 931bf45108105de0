"""The trygghetssamordnare's pages: pending groups, decisions, all groups, the contact register, the change log.

Police officers may read the group list and a group's page for the municipalities they cover;
deciding, exporting and the change log are the coordinator's.
"""
from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from watch.coordinator import services as coordinator_services
from watch.coordinator.forms import ChangeRequestForm, GroupFilterForm, RejectForm
from watch.extensions import db
from watch.groups import services
from watch.groups.services import GroupRuleError
from watch.models import Group, Role, utcnow
from watch.pagination import paginate
from watch.security import ensure_municipality, role_required

bp = Blueprint("coordinator", __name__, url_prefix="/coordinator")

STAFF = (Role.COORDINATOR, Role.POLICE)


def pending_group_badge() -> int:
    """Pending groups awaiting a decision: counted once per request, and only where a page shows it."""
    if "pending_group_badge" not in g:
        g.pending_group_badge = services.awaiting_decision_count(current_user.municipality_ids())
    return g.pending_group_badge


bp.add_app_template_global(pending_group_badge)


def _staff_group(group_id: int) -> Group:
    group = db.session.execute(
        select(Group).where(Group.id == group_id)
        .options(joinedload(Group.postcodes), joinedload(Group.created_by), joinedload(Group.decided_by),
                 services.with_member_count())).unique().scalar_one_or_none() or abort(404)
    ensure_municipality(group.municipality_id)
    return group


@bp.get("/")
@role_required(Role.COORDINATOR)
def home():
    counts = coordinator_services.group_counts(current_user.municipality_ids())
    return render_template("coordinator/home.html", counts=counts)


@bp.get("/groups/pending")
@role_required(Role.COORDINATOR)
def inbox():
    return render_template("coordinator/inbox.html",
                           page=paginate(services.pending_query(current_user.municipality_ids())))


@bp.get("/groups")
@role_required(*STAFF)
def groups():
    form = GroupFilterForm(formdata=request.args)
    form.validate()
    page = paginate(services.staff_groups_query(current_user.municipality_ids(), **form.filters()))
    return render_template("coordinator/groups.html", form=form, page=page)


def _render_group(group: Group, reject_form: RejectForm | None = None,
                  change_form: ChangeRequestForm | None = None):
    changes = db.session.scalars(services.change_log_query({group.municipality_id}, group.id).limit(10)).all()
    return render_template(
        "coordinator/group.html", group=group, contacts=services.contacts_of(group), changes=changes,
        reject_form=reject_form or RejectForm(formdata=None), change_form=change_form or ChangeRequestForm(formdata=None),
    )


@bp.get("/groups/<int:group_id>")
@role_required(*STAFF)
def group(group_id: int):
    return _render_group(_staff_group(group_id))


def _decide(group: Group, action, email_template: str, done: str, *args):
    try:
        action(group, current_user, *args)
        db.session.commit()
    except GroupRuleError as rule:
        db.session.rollback()
        flash(rule.message, "error")
        return redirect(url_for("coordinator.group", group_id=group.id))
    services.notify_applicant(group, email_template)
    flash(done, "success")
    return redirect(url_for("coordinator.group", group_id=group.id))


@bp.post("/groups/<int:group_id>/approve")
@role_required(Role.COORDINATOR)
def approve(group_id: int):
    group = _staff_group(group_id)
    return _decide(group, services.approve, "groups/email/approved.txt",
                   _("%(name)s is approved and now appears in the public list.", name=group.name))


@bp.post("/groups/<int:group_id>/reject")
@role_required(Role.COORDINATOR)
def reject(group_id: int):
    group = _staff_group(group_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return _render_group(group, reject_form=form)
    return _decide(group, services.reject, "groups/email/rejected.txt",
                   _("%(name)s is rejected. The applicant has been told why.", name=group.name), form.reason.data)


@bp.post("/groups/<int:group_id>/request-change")
@role_required(Role.COORDINATOR)
def request_change(group_id: int):
    group = _staff_group(group_id)
    form = ChangeRequestForm()
    if not form.validate_on_submit():
        return _render_group(group, change_form=form)
    return _decide(group, services.request_change, "groups/email/change_requested.txt",
                   _("The applicant of %(name)s is asked to make the change.", name=group.name), form.note.data)


@bp.post("/groups/<int:group_id>/archive")
@role_required(Role.COORDINATOR)
def archive(group_id: int):
    group = _staff_group(group_id)
    return _decide(group, services.archive, "groups/email/archived.txt",
                   _("%(name)s is archived. It no longer appears in the public list.", name=group.name))


@bp.get("/groups/contacts.csv")
@role_required(Role.COORDINATOR)
def contacts_csv():
    """The municipality's register of contact persons (kontaktombudsregister)."""
    body = coordinator_services.contact_register_csv(services.contact_register(current_user.municipality_ids()))
    filename = f"kontaktombud-{current_user.municipality.slug}-{utcnow():%Y-%m-%d}.csv"
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/changes")
@role_required(Role.COORDINATOR)
def changes():
    group_id = request.args.get("group", type=int)
    group = _staff_group(group_id) if group_id is not None else None
    page = paginate(services.change_log_query(current_user.municipality_ids(), group_id))
    return render_template("coordinator/changes.html", page=page, group=group)

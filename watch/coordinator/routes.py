"""The trygghetssamordnare's pages: pending groups, decisions, all groups, the contact register, the change log.

Police officers may read the group list and a group's page for the municipalities they cover;
deciding, exporting and the change log are the coordinator's.
"""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from watch.coordinator import services as coordinator_services
from watch.coordinator.forms import ChangeRequestForm, GroupFilterForm, RejectForm
from watch.extensions import db
from watch.core.input_guard import id_arg
from watch.groups import decisions, membership, queries
from watch.groups.rules import GroupRuleError
from watch.models import Group, Role, utcnow
from watch.core.menu_counts import menu_count, register as register_menu_count
from watch.core.pagination import paginate
from watch.core.security import ensure_municipality, role_required

bp = Blueprint("coordinator", __name__, url_prefix="/coordinator")

STAFF = (Role.COORDINATOR, Role.POLICE)


def _groups_waiting(user):
    return queries.awaiting_decision_select(user.municipality_ids()) if user.role == Role.COORDINATOR else None


def pending_group_badge() -> int:
    """Pending groups awaiting a decision, counted with the menu's other counts (watch/core/menu_counts.py)."""
    return menu_count("groups_waiting")


register_menu_count("groups_waiting", _groups_waiting)


bp.add_app_template_global(pending_group_badge)


def _staff_group(group_id: int) -> Group:
    group = db.session.execute(
        select(Group).where(Group.id == group_id)
        .options(joinedload(Group.postcodes), joinedload(Group.created_by), joinedload(Group.decided_by),
                 queries.with_member_count())).unique().scalar_one_or_none() or abort(404)
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
                           page=paginate(queries.pending_query(current_user.municipality_ids())))


@bp.get("/groups")
@role_required(*STAFF)
def groups():
    form = GroupFilterForm(formdata=request.args)
    form.validate()
    page = paginate(queries.staff_groups_query(current_user.municipality_ids(), **form.filters()))
    return render_template("coordinator/groups.html", form=form, page=page)


def _render_group(group: Group, failed_form: RejectForm | ChangeRequestForm | None = None):
    """The group page; after a refused decision it shows that form with its errors and the typed text."""
    changes = db.session.scalars(queries.change_log_query({group.municipality_id}, group.id).limit(10)).all()
    forms = {form_class: failed_form if isinstance(failed_form, form_class) else form_class(formdata=None)
             for form_class in (RejectForm, ChangeRequestForm)}
    return render_template("coordinator/group.html", group=group, contacts=membership.contacts_of(group),
                           changes=changes, reject_form=forms[RejectForm], change_form=forms[ChangeRequestForm])


@bp.get("/groups/<int:group_id>")
@role_required(*STAFF)
def group(group_id: int):
    return _render_group(_staff_group(group_id))


# decision → (service, form with the text the applicant reads or None, email to the applicant, done message)
DECISIONS = {
    "approve": (decisions.approve, None, "groups/email/approved.txt",
                lambda name: _("%(name)s is approved and now appears in the public list.", name=name)),
    "reject": (decisions.reject, RejectForm, "groups/email/rejected.txt",
               lambda name: _("%(name)s is rejected. The applicant has been told why.", name=name)),
    "request-change": (decisions.request_change, ChangeRequestForm, "groups/email/change_requested.txt",
                       lambda name: _("The applicant of %(name)s is asked to make the change.", name=name)),
    "archive": (decisions.archive, None, "groups/email/archived.txt",
                lambda name: _("%(name)s is archived. It no longer appears in the public list.", name=name)),
}


@bp.post("/groups/<int:group_id>/<decision>")
@role_required(Role.COORDINATOR)
def decide(group_id: int, decision: str):
    action, form_class, email_template, done = DECISIONS.get(decision) or abort(404)
    group = _staff_group(group_id)
    text = []
    if form_class is not None:
        form = form_class()
        if not form.validate_on_submit():
            return _render_group(group, form)
        text = [form.text]
    try:
        action(group, current_user, *text)
    except GroupRuleError as rule:
        db.session.rollback()
        flash(rule.message, "error")
        return redirect(url_for("coordinator.group", group_id=group.id))
    decisions.notify_applicant(group, email_template)
    flash(done(group.name), "success")
    return redirect(url_for("coordinator.group", group_id=group.id))


@bp.get("/groups/contacts.csv")
@role_required(Role.COORDINATOR)
def contacts_csv():
    """The municipality's register of contact persons (kontaktombudsregister)."""
    body = coordinator_services.export_contact_register(current_user)
    filename = f"kontaktombud-{current_user.municipality.slug}-{utcnow():%Y-%m-%d}.csv"
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/changes")
@role_required(Role.COORDINATOR)
def changes():
    group_id = id_arg("group")
    group = _staff_group(group_id) if group_id is not None else None
    page = paginate(queries.change_log_query(current_user.municipality_ids(), group_id))
    return render_template("coordinator/changes.html", page=page, group=group)

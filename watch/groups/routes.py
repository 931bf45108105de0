"""The resident side of watch groups: register, my groups, the group page, joining, roster, public directory."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from watch.core.municipalities import municipality_or_404
from watch.core.page_cache import public_page
from watch.core.weeks import IsoWeek, today
from watch.extensions import db, htmx
from watch.groups import labels
from watch.groups import my_data  # noqa: F401 - connects the my-data receivers
from watch.groups.forms import (
    EditBoatForm, EditNeighbourhoodForm, HouseholdForm, RegisterBoatForm, RegisterNeighbourhoodForm,
)
from watch.groups.membership import (
    accept, active_members, contacts_of, decline, make_contact, membership_of, notify_accepted, notify_join_request,
    remove, request_to_join, set_show_phone,
)
from watch.groups.queries import directory_query, members_query, my_memberships_query, with_member_count
from watch.groups.registration import find_duplicates, notify_coordinators_of_new_group, register_group, update_group
from watch.groups import retention  # noqa: F401 - registers the nightly retention job
from watch.groups.roster import roster_query, save_household
from watch.groups.rules import OPEN_STATUSES, GroupRuleError
from watch.models import Group, GroupKind, GroupStatus, Membership, MembershipStatus, Role, \
    RosterHousehold
from watch.core.pagination import enum_arg, paginate
from watch.core.ratelimit import FORM_SUBMIT, JOIN_REQUEST, limit_posts, per_person
from watch.core.security import role_required

bp = Blueprint("groups", __name__)


@bp.app_template_global()
def this_week_number() -> int:
    """Today's ISO week number in Swedish time: whether a boat club's night-watch season is on now."""
    return IsoWeek.of_day(today()).number


REGISTER_FORMS = {GroupKind.NEIGHBOURHOOD: RegisterNeighbourhoodForm, GroupKind.BOAT: RegisterBoatForm}
EDIT_FORMS = {GroupKind.NEIGHBOURHOOD: EditNeighbourhoodForm, GroupKind.BOAT: EditBoatForm}
MEMBER_ACTIONS = {
    "accept": accept,
    "decline": decline,
    "make-contact": make_contact,
    "remove": remove,
}


# Globals, not context: macros imported from other templates see them too.
bp.add_app_template_global(labels.TEMPLATE_LABELS, "group_labels")


def _kind(value: str) -> GroupKind:
    try:
        return GroupKind(value)
    except ValueError:
        abort(404)


def _my_membership(group_id: int, *, details: bool = True) -> Membership:
    """The current person's active membership with its group loaded; 404 for anyone outside the group.

    `details` also loads the postcodes and member count, for pages that show the group itself.
    """
    query = (select(Membership).join(Membership.group)
             .where(Membership.group_id == group_id, Membership.user_id == current_user.id,
                    Membership.status == MembershipStatus.ACTIVE)
             .options(contains_eager(Membership.group)))
    if details:
        query = query.options(contains_eager(Membership.group).selectinload(Group.postcodes),
                              contains_eager(Membership.group).options(with_member_count()))
    return db.session.scalar(query) or abort(404)


def _contact_membership(group_id: int, *, details: bool = True) -> Membership:
    membership = _my_membership(group_id, details=details)
    if not membership.is_contact:
        abort(403)
    return membership


# -- my groups and registering -------------------------------------------------------------------

@bp.get("/groups/")
@login_required
def mine():
    return render_template("groups/mine.html", page=paginate(my_memberships_query(current_user)))


@bp.get("/groups/find")
@login_required
def find():
    """The nav's "Groups": the directory of the person's own municipality."""
    municipality = current_user.municipality
    return redirect(url_for("groups.directory", slug=municipality.slug) if municipality else url_for("main.index"))


@bp.get("/groups/register")
@role_required(Role.RESIDENT)
def register_choose():
    return render_template("groups/register_choose.html")


@bp.route("/groups/register/<kind>", methods=["GET", "POST"])
@role_required(Role.RESIDENT)
@limit_posts(FORM_SUBMIT, key=per_person)
def register(kind: str):
    kind = _kind(kind)
    if current_user.municipality_id is None:  # accounts made on the command line may lack one
        flash(_("Your account belongs to no municipality, so a group cannot be registered. Ask the "
                "municipality's coordinator for help."), "error")
        return redirect(url_for("groups.mine"))
    form = REGISTER_FORMS[kind]()
    duplicates = []
    if form.validate_on_submit():
        duplicates = find_duplicates(current_user.municipality_id, kind, form.name.data, form.postcodes.postcodes)
        if not duplicates or form.confirm_duplicate.data:
            group = register_group(current_user, kind, form.details(), show_phone=form.show_phone.data)
            notify_coordinators_of_new_group(group)
            flash(_("Your group is registered. The municipality's coordinator will look at it soon."), "success")
            return redirect(url_for("groups.mine"))
    return render_template("groups/register.html", form=form, kind=kind, duplicates=duplicates)


# -- the group page, for its members -------------------------------------------------------------

def _render_group(me: Membership):
    group = me.group
    members = paginate(members_query(group), per_page=50) if me.is_contact else None
    contacts = None if me.is_contact else contacts_of(group)
    return render_template("groups/group.html", group=group, me=me, members=members, contacts=contacts)


@bp.get("/groups/<int:group_id>")
@login_required
def group(group_id: int):
    return _render_group(_my_membership(group_id))


@bp.route("/groups/<int:group_id>/edit", methods=["GET", "POST"])
@login_required
def edit(group_id: int):
    group = _contact_membership(group_id).group
    if group.status not in OPEN_STATUSES:
        flash(_("This group can no longer be changed."), "error")
        return redirect(url_for("groups.group", group_id=group.id))
    form = EDIT_FORMS[group.kind]()
    if request.method == "GET":
        form.fill_from(group)
    if form.validate_on_submit():
        update_group(group, form.details(), current_user)
        flash(_("The group's details are saved."), "success")
        return redirect(url_for("groups.group", group_id=group.id))
    return render_template("groups/edit.html", form=form, group=group)


DONE_MESSAGES = {
    "accept": lambda name: _("%(name)s is now a member.", name=name),
    "decline": lambda name: _("You declined the request from %(name)s.", name=name),
    "make-contact": lambda name: _("%(name)s is now a contact person.", name=name),
    "remove": lambda name: _("%(name)s is no longer a member.", name=name),
}


@bp.post("/groups/<int:group_id>/members/<int:membership_id>/<action>")
@login_required
def member_action(group_id: int, membership_id: int, action: str):
    """A contact person answers a request or manages a member; htmx swaps just that member's row."""
    act = MEMBER_ACTIONS.get(action) or abort(404)
    me = _contact_membership(group_id, details=False)
    target = db.session.scalar(select(Membership).where(Membership.id == membership_id,
                                                        Membership.group_id == group_id)
                               .options(joinedload(Membership.user))) or abort(404)
    name, error = target.user.name, None
    try:
        act(target)
    except GroupRuleError as rule:
        db.session.rollback()
        error = rule.message
    else:
        if action == "accept":
            notify_accepted(target)
    message = error or DONE_MESSAGES[action](name)
    if htmx:
        gone = error is None and action in ("decline", "remove")
        return render_template("groups/_member_response.html", membership=None if gone else target, me=me,
                               group=me.group, message=message, is_error=error is not None)
    flash(message, "error" if error else "success")
    return redirect(url_for("groups.group", group_id=group_id))


@bp.post("/groups/<int:group_id>/phone")
@login_required
def show_phone(group_id: int):
    me = _contact_membership(group_id, details=False)
    set_show_phone(me, request.form.get("show") == "1")
    if htmx:
        return render_template("groups/_my_phone_response.html", me=me, group=me.group, saved=True)
    return redirect(url_for("groups.group", group_id=group_id))


@bp.post("/groups/<int:group_id>/leave")
@login_required
def leave(group_id: int):
    """Leave a group, or take back a request to join."""
    me = membership_of(current_user, group_id) or abort(404)
    name = me.group.name
    try:
        remove(me)
    except GroupRuleError as rule:
        db.session.rollback()
        flash(rule.message, "error")
        return redirect(url_for("groups.group", group_id=group_id))
    flash(_("You are no longer in %(name)s.", name=name), "success")
    return redirect(url_for("groups.mine"))


# -- joining, from the public directory ----------------------------------------------------------

@bp.post("/groups/<int:group_id>/join")
@role_required(Role.RESIDENT)
@limit_posts(JOIN_REQUEST, key=per_person)
def join(group_id: int):
    group = db.get_or_404(Group, group_id)
    try:
        membership = request_to_join(current_user, group)
    except GroupRuleError as rule:
        db.session.rollback()
        flash(rule.message, "error")
        return redirect(url_for("groups.directory", slug=group.municipality.slug))
    notify_join_request(membership)
    flash(_("Your request to join %(name)s is sent. A contact person will answer.", name=group.name), "success")
    return redirect(url_for("groups.mine"))


@bp.get("/m/<slug>/groups")
@public_page
def directory(slug: str):
    municipality = municipality_or_404(slug)
    search = request.args.get("q", "").strip()[:100]
    kind = enum_arg(GroupKind, "kind")
    page = paginate(directory_query(municipality.id, search, kind))
    return render_template("groups/directory.html", municipality=municipality, page=page, search=search,
                           kind=kind)


@bp.get("/m/<slug>/groups/<int:group_id>")
@public_page
def directory_group(slug: str, group_id: int):
    municipality = municipality_or_404(slug)
    group = db.session.scalar(
        select(Group).where(Group.id == group_id, Group.municipality_id == municipality.id,
                            Group.status == GroupStatus.APPROVED)
        .options(selectinload(Group.postcodes), with_member_count())) or abort(404)
    mine = membership_of(current_user, group.id) if current_user.is_authenticated else None
    return render_template("groups/directory_group.html", municipality=municipality, group=group, mine=mine)


# -- the contact person's household list ---------------------------------------------------------

def _household_form(group: Group) -> tuple[HouseholdForm, dict[int, Membership]]:
    members = active_members(group)
    return HouseholdForm(members), {m.id: m for m in members}


@bp.route("/groups/<int:group_id>/roster", methods=["GET", "POST"])
@login_required
def roster(group_id: int):
    group = _contact_membership(group_id, details=False).group
    form, members = _household_form(group)
    if form.validate_on_submit():
        save_household(group, None, address=form.address.data, takes_part=form.takes_part.data,
                       membership=members.get(form.membership.data))
        flash(_("The household %(address)s is on the list.", address=form.address.data.strip()), "success")
        return redirect(url_for("groups.roster", group_id=group.id))
    households = paginate(roster_query(group), per_page=50)
    return render_template("groups/roster.html", group=group, form=form, households=households)


def _household(group: Group, household_id: int) -> RosterHousehold:
    return db.session.scalar(select(RosterHousehold).where(RosterHousehold.id == household_id,
                                                           RosterHousehold.group_id == group.id)) or abort(404)


@bp.route("/groups/<int:group_id>/roster/<int:household_id>", methods=["GET", "POST"])
@login_required
def household(group_id: int, household_id: int):
    group = _contact_membership(group_id, details=False).group
    entry = _household(group, household_id)
    form, members = _household_form(group)
    if request.method == "GET":
        form.address.data, form.takes_part.data, form.membership.data = \
            entry.address, entry.takes_part, entry.membership_id
    if form.validate_on_submit():
        save_household(group, entry, address=form.address.data, takes_part=form.takes_part.data,
                       membership=members.get(form.membership.data))
        flash(_("The household %(address)s is saved.", address=entry.address), "success")
        return redirect(url_for("groups.roster", group_id=group.id))
    return render_template("groups/household.html", group=group, form=form, household=entry)


@bp.post("/groups/<int:group_id>/roster/<int:household_id>/delete")
@login_required
def delete_household(group_id: int, household_id: int):
    group = _contact_membership(group_id, details=False).group
    entry = _household(group, household_id)
    address = entry.address
    db.session.delete(entry)
    flash(_("The household %(address)s is removed from the list.", address=address), "success")
    return redirect(url_for("groups.roster", group_id=group.id))

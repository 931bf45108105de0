"""The boat register: owners record their boats and engines, contact persons see their group's, police search."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from watch.boats import services
from watch.boats.forms import ItemForm, NotifyOwnerForm, SearchForm, StolenForm
from watch.core.input_guard import accepts_files
from watch.core.pagination import paginate
from watch.core.ratelimit import FORM_SUBMIT, limit_posts, per_person
from watch.core.security import role_required
from watch.extensions import db
from watch.models import Group, Role
from watch.observations.forms import ButtonForm
from watch.core.photo_store import photo_response, stored_photo

bp = Blueprint("boats", __name__)

bp.add_app_template_global(services.KIND_LABELS.get, "item_kind_label")
bp.add_app_template_global(services.SCHEME_LABELS.get, "marking_label")
bp.add_app_template_global(services.KEPT_LABELS.get, "kept_label")


def _own_or_404(item_id: int):
    return services.owned_item(current_user, item_id) or abort(404)


@bp.get("/boats/")
@role_required(Role.RESIDENT)
def mine():
    return render_template("boats/mine.html", page=paginate(services.owned_select(current_user)),
                           stolen_form=StolenForm(), button=ButtonForm())


def _save(item, template: str):
    groups = services.boat_groups(current_user)
    form = ItemForm(groups)
    if request.method == "GET":
        if item is not None:
            form.fill_from(item)
        elif groups:
            form.group.data = str(groups[0].id)
    if form.validate_on_submit():
        try:
            with stored_photo(form.photo_jpeg) as photo_name:
                saved = services.save_item(current_user, item, group=form.chosen_group, photo_path=photo_name,
                                           **form.details())
        except services.RegisterError as error:
            form.serial.errors.append(error.message)
        else:
            flash(_("Saved: %(kind)s %(make)s.", kind=services.KIND_LABELS[saved.kind], make=saved.make), "success")
            if services.others_with_serial(current_user, saved.serial_key):
                flash(_("Another owner has registered the same serial number. Check that you typed it right; the "
                        "police see both entries."), "warning")
            return redirect(url_for(".mine"))
    return render_template(template, form=form, item=item)


@bp.route("/boats/new", methods=["GET", "POST"])
@accepts_files("photo")
@role_required(Role.RESIDENT)
@limit_posts(FORM_SUBMIT, key=per_person)
def new():
    return _save(None, "boats/edit.html")


@bp.route("/boats/<int:item_id>/edit", methods=["GET", "POST"])
@accepts_files("photo")
@role_required(Role.RESIDENT)
@limit_posts(FORM_SUBMIT, key=per_person)
def edit(item_id: int):
    return _save(_own_or_404(item_id), "boats/edit.html")


@bp.post("/boats/<int:item_id>/stolen")
@role_required(Role.RESIDENT)
def stolen(item_id: int):
    item = _own_or_404(item_id)
    form = StolenForm()
    if form.validate_on_submit():
        services.report_stolen(item, form.stolen_on.data)
        flash(_("Reported stolen. The police of the municipality can see it; also report the theft to the police "
                "on 114 14 or polisen.se."), "success")
    else:
        flash(" ".join(str(e) for e in form.stolen_on.errors) or _("The form had expired. Send it again."), "error")
    return redirect(url_for(".mine"))


@bp.post("/boats/<int:item_id>/recovered")
@role_required(Role.RESIDENT)
def recovered(item_id: int):
    item = _own_or_404(item_id)
    if ButtonForm().validate_on_submit():
        services.report_recovered(item)
        flash(_("Good news! It is no longer marked as stolen."), "success")
    return redirect(url_for(".mine"))


@bp.post("/boats/<int:item_id>/delete")
@role_required(Role.RESIDENT)
def delete(item_id: int):
    item = _own_or_404(item_id)
    if ButtonForm().validate_on_submit():
        services.delete_item(item)
        flash(_("Removed from the register."), "success")
    return redirect(url_for(".mine"))


@bp.get("/boats/<int:item_id>/photo")
@login_required
def photo(item_id: int):
    """The owner's, and the police's of the municipality; contact persons do not see photos."""
    item = services.owned_item(current_user, item_id)
    if item is None and current_user.role == Role.POLICE:
        item = services.police_item(current_user, item_id)
    return photo_response(item.photo_path if item else None)


@bp.get("/groups/<int:group_id>/boats")
@role_required(Role.RESIDENT)
def group_items(group_id: int):
    """The group's boats and engines for its contact persons: make, model and place, no serial numbers."""
    group = db.session.get(Group, group_id)
    if group is None or not services.is_contact(current_user, group.id):
        abort(404)
    return render_template("boats/group.html", group=group, items=services.group_items(group))


@bp.route("/police/register", methods=["GET", "POST"])
@role_required(Role.POLICE)
@limit_posts(FORM_SUBMIT, key=per_person)
def search():
    form = SearchForm()
    hits = None
    if form.validate_on_submit():
        try:
            hits = services.search(current_user, form.query.data, form.reason.data)
        except services.RegisterError as error:
            form.query.errors.append(error.message)
    return render_template("boats/search.html", form=form, hits=hits)


@bp.route("/police/register/<int:item_id>/notify", methods=["GET", "POST"])
@role_required(Role.POLICE)
@limit_posts(FORM_SUBMIT, key=per_person)
def notify_owner(item_id: int):
    item = services.police_item(current_user, item_id) or abort(404)
    form = NotifyOwnerForm()
    if form.validate_on_submit():
        services.notify_owner(current_user, item, form.call.data, form.reason.data)
        flash(_("The owner has been told, by their usual channel and in their language."), "success")
        return redirect(url_for(".search"))
    return render_template("boats/notify.html", form=form, item=item)


@bp.get("/police/register/stolen")
@role_required(Role.POLICE)
def stolen_list():
    page = paginate(services.stolen_select(current_user.municipality_ids()))
    mentions = services.stolen_listed(current_user, page.items)
    return render_template("boats/stolen.html", page=page, mentions=mentions)

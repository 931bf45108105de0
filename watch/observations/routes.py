from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from watch.extensions import htmx
from watch.core.input_guard import accepts_files
from watch.models import NoticeChoice, ObservationStatus, Role, utcnow
from watch.observations import jobs, notices, services, sms  # noqa: F401 - jobs: retention; sms: reports by SMS
from watch.observations.forms import (
    BOAT_CATEGORY_VALUES, NOTICE_CHOICES, ButtonForm, InboxFilterForm, NoticeForm, ObservationForm, TriageForm,
)
from watch.core.photo_store import photo_response, stored_photo
from watch.core.menu_counts import menu_count, register as register_menu_count
from watch.core.pagination import paginate
from watch.core.ratelimit import FORM_SUBMIT, limit_posts, per_person
from watch.core.security import role_required

bp = Blueprint("observations", __name__)
PER_PAGE = 25


# Globals rather than a context processor: the shared macros in observations/_macros.html need them too.
bp.add_app_template_global(services.category_label, "category_label")
bp.add_app_template_global(services.STATUS_LABELS.get, "status_label")
bp.add_app_template_global(services.TRIAGE_ACTIONS.get, "triage_action")
bp.add_app_template_filter(services.display_registration, "registration")
bp.add_app_template_global(lambda observation: services.NEXT_STATUSES[observation.status], "next_statuses")
bp.add_app_template_global(NOTICE_CHOICES.get, "notice_label")


@bp.app_template_global()
def new_observations_badge() -> int:
    """How many observations wait for this coordinator, counted with the menu's other counts."""
    return menu_count("new_observations")


register_menu_count("new_observations", lambda user: services.new_count_select(user.municipality_ids())
                    if user.role == Role.COORDINATOR else None)


def _page(query):
    return paginate(query, per_page=PER_PAGE)


@bp.route("/observations/new", methods=["GET", "POST"])
@accepts_files("photo")
@login_required
@limit_posts(FORM_SUBMIT, key=per_person)
def new():
    organisation = services.reporting_organisation(current_user)
    groups = [] if organisation is not None else services.reporting_groups(current_user)
    if not groups and organisation is None:
        return render_template("observations/new.html", form=None)
    form = ObservationForm(groups, for_partner=organisation is not None)
    if request.method == "POST" and (earlier := services.filed_before(current_user, form.client_id.data)):
        return _filed(earlier)  # a form queued offline and sent again: it is stored already
    if request.method == "GET":
        form.observed_at.data = utcnow().replace(second=0, microsecond=0)
        if groups:
            first = form.groups.get(request.args.get("group", type=int)) or groups[0]
            form.group.data = first.id
            form.location.data = first.area_description[:300]
    if form.validate_on_submit():
        latitude, longitude = form.coordinates or (None, None)
        try:
            with stored_photo(form.photo_jpeg) as photo_name:
                observation = services.file_observation(
                    current_user, form.chosen_group, organisation=organisation, category=form.category.data,
                    observed_at=form.observed_at.data, location=form.location.data, latitude=latitude, longitude=longitude,
                    vehicle_registration=form.vehicle_registration.data, vehicle_colour=form.vehicle_colour.data,
                    vehicle_make=form.vehicle_make.data, description=form.description.data, photo_path=photo_name,
                    client_id=form.client_id.data, **form.boat_details(),
                )
        except services.AlreadyFiled as filed:  # the same form, sent twice at once
            return _filed(filed.observation)
        services.notify_coordinators(observation)
        return _filed(observation)
    return render_template("observations/new.html", form=form, boat_categories=BOAT_CATEGORY_VALUES,
                           organisation=organisation)


def _filed(observation):
    """The same answer however often the form was sent; the header names the observation it filed."""
    flash(_("Thank you! Your observation has been sent to the municipality's coordinator."), "success")
    response = redirect(url_for(".mine"))
    response.headers["X-Observation"] = url_for(".detail", observation_id=observation.id)
    return response


@bp.get("/observations/mine")
@login_required
def mine():
    return render_template("observations/mine.html", page=_page(services.reporter_select(current_user)))


def _visible_or_404(observation_id: int):
    return services.visible_observation(current_user, observation_id) or abort(404)


def _viewed_or_404(observation_id: int):
    """The observation for reading; staff reading it is audited (the reporter's own reading is not)."""
    observation = _visible_or_404(observation_id)
    services.record_view(current_user, observation)
    return observation


@bp.get("/observations/<int:observation_id>")
@login_required
def detail(observation_id: int):
    observation = _viewed_or_404(observation_id)
    triage = TriageForm()
    triage.category.data = observation.category
    return render_template("observations/detail.html", observation=observation, triage=triage,
                           can_triage=services.can_triage(current_user, observation))


@bp.get("/observations/<int:observation_id>/photo")
@login_required
def photo(observation_id: int):
    return photo_response(_viewed_or_404(observation_id).photo_path)


def _triaged_or_404(observation_id: int):
    observation = _visible_or_404(observation_id)
    if not services.can_triage(current_user, observation):
        abort(404)
    return observation


@bp.post("/observations/<int:observation_id>/status")
@role_required(Role.COORDINATOR)
def change_status(observation_id: int):
    observation = _triaged_or_404(observation_id)
    form = TriageForm()
    saved = only_category = False
    if form.validate_on_submit():
        status, category = ObservationStatus(form.status.data), form.chosen_category
        only_category = (status == observation.status and not (form.note.data or "").strip()
                         and category is not None and category != observation.category)
        try:
            if not only_category:
                services.change_status(observation, status, form.note.data, current_user)
        except services.TransitionError:
            form.status.errors.append(_("That step is not possible from the observation's current status."))
        else:
            services.set_category(observation, category)
            saved = True
            form.note.data = ""
    if htmx:
        return render_template("observations/_triage_response.html", observation=observation, triage=form,
                               saved=saved, only_category=only_category)
    if saved and only_category:
        flash(_("The category is now: %(category)s.", category=services.category_label(observation.category)),
              "success")
    elif saved:
        flash(_("The observation is now: %(status)s.", status=services.STATUS_LABELS[observation.status]), "success")
    else:
        flash(" ".join(str(error) for error in form.status.errors + form.note.errors + form.category.errors), "error")
    return redirect(url_for(".detail", observation_id=observation.id))


@bp.post("/observations/<int:observation_id>/notable")
@role_required(Role.COORDINATOR)
def toggle_notable(observation_id: int):
    observation = _triaged_or_404(observation_id)
    if ButtonForm().validate_on_submit():
        observation.notable = request.form.get("notable") == "1"
    if htmx:
        return render_template("observations/_notable_response.html", observation=observation)
    return redirect(url_for(".detail", observation_id=observation.id))


@bp.get("/coordinator/observations")
@role_required(Role.COORDINATOR)
def inbox():
    municipality_ids = current_user.municipality_ids()
    form = InboxFilterForm(services.municipality_groups(municipality_ids), formdata=request.args)
    form.validate()
    page = _page(services.inbox_select(municipality_ids, **form.filters()))
    services.record_listed(current_user, page.items, "inbox")
    return render_template("observations/inbox.html", form=form, page=page,
                           notice_form=NoticeForm(notices=current_user.coordinator_notices.value))


@bp.post("/coordinator/observations/email")
@role_required(Role.COORDINATOR)
def email_preference():
    """Each new observation and SMS, a daily summary, or nothing (watch/observations/notices.py)."""
    form = NoticeForm()
    saved = form.validate_on_submit()
    if saved:
        notices.set_notice_choice(current_user, NoticeChoice(form.notices.data))
    if htmx:
        return render_template("observations/_email_preference_response.html", form=form,
                               current=current_user.coordinator_notices, saved=saved)
    if saved:
        flash(_("Saved: %(choice)s.", choice=NOTICE_CHOICES[current_user.coordinator_notices]), "success")
    else:
        flash(" ".join(str(error) for error in form.notices.errors) or _("The form had expired. Send it again."),
              "error")
    return redirect(url_for(".inbox"))


@bp.get("/police/observations")
@role_required(Role.POLICE)
def police_inbox():
    page = _page(services.police_select(current_user.municipality_ids()))
    services.record_listed(current_user, page.items, "police")
    return render_template("observations/police.html", page=page)

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, format_decimal, gettext as _
from flask_login import current_user

from watch.core.municipalities import municipality_or_404
from watch.core.page_cache import public_page
from watch.core.pagination import paginate
from watch.extensions import db
from watch.lagesbild import services, year as yearly
from watch.lagesbild.chart import category_chart
from watch.lagesbild.forms import ActionForm, ActionStatusForm, PeriodForm, PromiseForm, PublishForm
from watch.core.weeks import IsoWeek, Period
from watch.models import ActionStatus, CitizenPromise, Municipality, Role
from watch.observations.services import record_listed
from watch.core.security import ensure_municipality, role_required

bp = Blueprint("lagesbild", __name__)
PER_PAGE = 10
LATEST_ON_PAGE = 3
STAFF = (Role.COORDINATOR, Role.POLICE)

bp.add_app_template_filter(format_decimal, "decimal")
bp.add_app_template_global(services.reported_by_label, "reported_by_label")
bp.add_app_template_global(services.ACTION_STATUS_LABELS.get, "action_status_label")


@bp.app_template_global()
def week_label(week: str | IsoWeek) -> str:
    week = IsoWeek.parse(week) if isinstance(week, str) else week
    return _("week %(number)d, %(year)d", number=week.number, year=week.year)


@bp.app_template_global()
def period_label(first: str | IsoWeek, last: str | IsoWeek) -> str:
    if str(first) == str(last):
        return week_label(first)
    return _("%(first)s to %(last)s", first=week_label(first), last=week_label(last))


def _municipality(slug: str) -> Municipality:
    """A municipality the current staff member serves; 404 for the others."""
    municipality = municipality_or_404(slug)
    ensure_municipality(municipality.id)
    return municipality


def _week_or_404(year: int, number: int) -> IsoWeek:
    try:
        return IsoWeek(year, number)
    except ValueError:
        abort(404)


@bp.app_template_global("lagesbild_url")
def week_url(municipality: Municipality, period: Period, endpoint: str = "lagesbild.week") -> str:
    extra = {} if period.is_single_week else {"last": period.last.key}
    return url_for(endpoint, slug=municipality.slug, year=period.first.year, week=period.first.number, **extra)


def _period_from_url(year: int, number: int) -> Period:
    """The week in the path, or the weeks up to ?last=; an address we never build is not found."""
    first = _week_or_404(year, number)
    last = IsoWeek.parse(request.args["last"]) if "last" in request.args else first
    if last is None or last < first or first.weeks_until(last) > services.MAX_PERIOD_WEEKS:
        abort(404)
    return Period(first, last)


def _render_week(municipality: Municipality, period: Period, *, period_form: PeriodForm | None = None,
                 publish_form: PublishForm | None = None, action_form: ActionForm | None = None):
    counts = services.counts(municipality.id, period)
    summary = services.published_for_period(municipality.id, period)
    notable = services.notable_observations(current_user, municipality.id, period)
    record_listed(current_user, notable.shown, "lagesbild")
    if period_form is None:
        period_form = PeriodForm(formdata=None, data={"first": period.first.key, "last": period.last.key})
    if publish_form is None and current_user.role == Role.COORDINATOR:
        # A correction starts from what was published last for the same weeks.
        publish_form = PublishForm(formdata=None, data={"first_week": period.first.key, "last_week": period.last.key,
                                                        "summary": summary.summary if summary else ""})
    if action_form is None and current_user.role == Role.COORDINATOR:
        action_form = ActionForm(formdata=None, data={"week": period.last.key})
    return render_template(
        "lagesbild/week.html",
        actions=services.actions_on(municipality.id, period), action_form=action_form,
        action_status_form=ActionStatusForm(formdata=None),
        municipality=municipality, period=period, counts=counts, chart=category_chart(counts["categories"]),
        summary=summary,
        notable=notable,
        alerts=services.alerts_sent(municipality.id, period),
        published=services.latest_published(municipality.id, LATEST_ON_PAGE),
        period_form=period_form, publish_form=publish_form, this_week=services.this_week(),
        previous_period=period.shift(-period.length), next_period=period.shift(period.length),
        other_municipalities=_other_municipalities(municipality),
    )


def _other_municipalities(shown: Municipality) -> list[Municipality]:
    """A police area spans several municipalities: the officer's others, to switch between."""
    if current_user.role != Role.POLICE:
        return []
    served = [current_user.municipality, *current_user.covered_municipalities]
    return sorted((m for m in served if m is not None and m.id != shown.id), key=lambda m: m.name)


@bp.get("/lagesbild")
@role_required(*STAFF)
def home():
    if current_user.municipality is None:
        abort(404)
    return redirect(url_for(".this_week", slug=current_user.municipality.slug))


@bp.get("/lagesbild/<slug>")
@role_required(*STAFF)
def this_week(slug: str):
    municipality = _municipality(slug)
    return redirect(week_url(municipality, services.this_week_period()))


@bp.get("/lagesbild/<slug>/<int:year>/<int:week>")
@role_required(*STAFF)
def week(slug: str, year: int, week: int):
    municipality = _municipality(slug)
    return _render_week(municipality, _period_from_url(year, week))


@bp.get("/lagesbild/<slug>/period")
@role_required(*STAFF)
def period(slug: str):
    municipality = _municipality(slug)
    form = PeriodForm(formdata=request.args)
    if form.validate():
        return redirect(week_url(municipality, form.period))
    return _render_week(municipality, services.this_week_period(), period_form=form)


@bp.get("/lagesbild/<slug>/<int:year>/<int:week>/counts.csv")
@role_required(*STAFF)
def export_csv(slug: str, year: int, week: int):
    municipality = _municipality(slug)
    period = _period_from_url(year, week)
    name = f"lagesbild-{municipality.slug}-{period.first.key}" + ("" if period.is_single_week else f"-{period.last.key}")
    counts, actions = services.counts(municipality.id, period), services.actions_on(municipality.id, period)
    with force_locale(municipality.language):  # for the EST meeting, whatever language the reader chose
        text = services.counts_csv(counts, actions)
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


@bp.post("/lagesbild/<slug>/publish")
@role_required(Role.COORDINATOR)
def publish(slug: str):
    municipality = _municipality(slug)
    form = PublishForm()
    if form.validate_on_submit():
        picture = services.publish(municipality, form.period, form.summary.data, current_user)
        flash(_("The lägesbild for %(period)s is published.",
                period=period_label(picture.first_week, picture.last_week)), "success")
        return redirect(week_url(municipality, form.period) + "#published")
    return _render_week(municipality, form.period or services.this_week_period(), publish_form=form)


@bp.post("/lagesbild/<slug>/actions")
@role_required(Role.COORDINATOR)
def add_action(slug: str):
    """An action the EST meeting decided, recorded on the lägesbild of the week in the form."""
    municipality = _municipality(slug)
    form = ActionForm()
    if form.validate_on_submit():
        week = form.chosen_week
        services.add_action(municipality, week, current_user, what=form.what.data, area=form.area.data,
                            postcode=form.chosen_postcode, organisation=form.organisation.data,
                            responsible=form.responsible.data, due_on=form.due_on.data,
                            categories=form.categories.data or [])
        flash(_("The action is added to the lägesbild of %(week)s.", week=week_label(week)), "success")
        return redirect(week_url(municipality, Period(week, week)) + "#actions")
    week = IsoWeek.parse(form.week.data or "") or services.this_week()
    return _render_week(municipality, Period(week, week), action_form=form)


@bp.post("/lagesbild/<slug>/actions/<int:action_id>/status")
@role_required(Role.COORDINATOR)
def action_status(slug: str, action_id: int):
    municipality = _municipality(slug)
    action = services.action_in(municipality.id, action_id) or abort(404)
    form = ActionStatusForm()
    if form.validate_on_submit():
        services.set_action_status(action, ActionStatus(form.status.data))
        flash(_("“%(what)s” is now: %(status)s.", what=action.what,
                status=services.ACTION_STATUS_LABELS[action.status]), "success")
    else:
        flash(_("Choose a status."), "error")
    week = IsoWeek.parse(form.week.data or "") or IsoWeek.parse(action.decided_week)
    return redirect(week_url(municipality, Period(week, week)) + "#actions")


@bp.get("/lagesbild/<slug>/published")
@role_required(*STAFF)
def published(slug: str):
    municipality = _municipality(slug)
    return render_template("lagesbild/published.html", municipality=municipality,
                           page=paginate(services.published_select(municipality.id), PER_PAGE))


# ---- the yearly follow-up ------------------------------------------------------------------------

def _year_or_404(year: int) -> int:
    if not yearly.FIRST_YEAR <= year <= services.this_week().year + 1:
        abort(404)
    return year


def _render_year(municipality: Municipality, year: int, public: bool):
    with force_locale(municipality.language):  # the document's labels: in_language renders it in that language
        labels = yearly.year_labels()
    return render_template("lagesbild/year.html", municipality=municipality, public=public,
                           report=yearly.year_report(municipality.id, _year_or_404(year)),
                           labels=labels, postcode_label=yearly.postcode_label,
                           quarter_label=yearly.quarter_label)


def _year_csv(municipality: Municipality, year: int, public: bool) -> Response:
    report = yearly.year_report(municipality.id, _year_or_404(year))
    with force_locale(municipality.language):  # for the EST meeting, whatever language the reader chose
        text = yearly.year_csv(report, public)
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="uppfoljning-{municipality.slug}-{year}.csv"'})


@bp.get("/lagesbild/<slug>/year/<int:year>")
@role_required(*STAFF)
def year(slug: str, year: int):
    return _render_year(_municipality(slug), year, public=False)


@bp.get("/lagesbild/<slug>/year/<int:year>.csv")
@role_required(*STAFF)
def year_csv(slug: str, year: int):
    return _year_csv(_municipality(slug), year, public=False)


@bp.get("/m/<slug>/year/<int:year>")
def public_year(slug: str, year: int):
    """Public: the same figures as counts only, without the medborgarlöften's titles."""
    return _render_year(municipality_or_404(slug), year, public=True)


@bp.get("/m/<slug>/year/<int:year>.csv")
def public_year_csv(slug: str, year: int):
    return _year_csv(municipality_or_404(slug), year, public=True)


# ---- medborgarlöfte -------------------------------------------------------------------------------

@bp.get("/lagesbild/<slug>/promises")
@role_required(*STAFF)
def promises(slug: str):
    municipality = _municipality(slug)
    return render_template("lagesbild/promises.html", municipality=municipality,
                           page=paginate(services.promises_select(municipality.id), PER_PAGE), today=services.today(),
                           promise_state=services.promise_state)


def _save_promise(municipality: Municipality, promise: CitizenPromise | None):
    form = PromiseForm(obj=promise)
    if request.method == "GET" and promise is None:
        form.starts_on.data, form.ends_on.data = services.default_promise_period(services.today())
    if form.validate_on_submit():
        services.save_promise(promise, municipality, current_user, title=form.title.data, body=form.body.data,
                              starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                              follow_up=form.follow_up.data)
        flash(_("The medborgarlöfte is saved."), "success")
        return redirect(url_for(".promises", slug=municipality.slug))
    return render_template("lagesbild/promise_form.html", municipality=municipality, form=form, promise=promise)


@bp.route("/lagesbild/<slug>/promises/new", methods=["GET", "POST"])
@role_required(*STAFF)
def new_promise(slug: str):
    return _save_promise(_municipality(slug), None)


@bp.route("/lagesbild/<slug>/promises/<int:promise_id>/edit", methods=["GET", "POST"])
@role_required(*STAFF)
def edit_promise(slug: str, promise_id: int):
    municipality = _municipality(slug)
    promise = db.session.get(CitizenPromise, promise_id)
    if promise is None or promise.municipality_id != municipality.id:
        abort(404)
    return _save_promise(municipality, promise)


@bp.get("/m/<slug>/promises")
@public_page
def promise_archive(slug: str):
    """Public: the municipality's earlier medborgarlöften with their follow-up."""
    municipality = municipality_or_404(slug)
    return render_template("lagesbild/promise_archive.html", municipality=municipality,
                           page=paginate(services.earlier_promises_select(municipality.id, services.today()), PER_PAGE))

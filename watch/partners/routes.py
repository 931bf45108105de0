from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from watch.auth import sessions
from watch.auth.services import EmailTakenError, email_taken, normalise_email
from watch.core import ratelimit
from watch.core.pagination import paginate
from watch.core.ratelimit import limit_posts
from watch.core.security import role_required
from watch.messaging.email import email_address
from watch.models import PartnerKind, PartnerOrganisation, Role
from watch.partners import services
from watch.observations.forms import ButtonForm
from watch.partners.forms import AcceptInvitationForm, InviteForm, OrganisationForm, SuspendForm

bp = Blueprint("partners", __name__)

bp.add_app_template_global(services.KIND_LABELS.get, "partner_kind_label")


def _organisation_or_404(organisation_id: int) -> PartnerOrganisation:
    return services.organisation_in(current_user.municipality_ids(), organisation_id) or abort(404)


def _render_list(form: OrganisationForm):
    page = paginate(services.organisations_select(current_user.municipality_ids()))
    return render_template("partners/index.html", page=page, form=form,
                           reporters=services.reporter_counts(page.items))


@bp.route("/coordinator/partners", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def index():
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            organisation = services.add_organisation(current_user.municipality_id, form.name.data,
                                                     PartnerKind(form.kind.data))
        except services.NameTakenError:
            form.name.errors.append(_("There is already an organisation with this name."))
        else:
            flash(_("%(name)s is added. Invite its reporters below.", name=organisation.name), "success")
            return redirect(url_for(".organisation", organisation_id=organisation.id))
    return _render_list(form)


def _render_organisation(organisation: PartnerOrganisation, invite_form: InviteForm | None = None,
                         new_key: str | None = None):
    return render_template("partners/organisation.html", organisation=organisation,
                           reporters=services.reporters_of(organisation), api_keys=services.api_keys_of(organisation),
                           invite_form=invite_form or InviteForm(formdata=None, data={"locale": "sv"}),
                           new_key=new_key)


@bp.get("/coordinator/partners/<int:organisation_id>")
@role_required(Role.COORDINATOR)
def organisation(organisation_id: int):
    return _render_organisation(_organisation_or_404(organisation_id))


@bp.post("/coordinator/partners/<int:organisation_id>/invite")
@role_required(Role.COORDINATOR)
@limit_posts(ratelimit.FORM_SUBMIT, key=ratelimit.per_person)
def invite(organisation_id: int):
    organisation = _organisation_or_404(organisation_id)
    form = InviteForm()
    if form.validate_on_submit():
        if organisation.suspended:
            form.email.errors.append(_("The organisation is suspended. Resume it before inviting reporters."))
        elif email_taken(form.email.data):
            form.email.errors.append(_("This address already has an account in the portal. Use another address."))
        else:
            token = services.invite(organisation, name=form.name.data, email=form.email.data, locale=form.locale.data)
            link = current_app.config["PUBLIC_URL"].rstrip("/") + url_for(".accept", token=token)
            email_address(normalise_email(form.email.data), form.locale.data, "partners/email/invitation.txt", name=form.name.data,
                          organisation=organisation.name, link=link, days=services.INVITATION_DAYS)
            flash(_("The invitation is sent to %(email)s.", email=normalise_email(form.email.data)), "success")
            return redirect(url_for(".organisation", organisation_id=organisation.id))
    return _render_organisation(organisation, form)


@bp.post("/coordinator/partners/<int:organisation_id>/suspend")
@role_required(Role.COORDINATOR)
def suspend_organisation(organisation_id: int):
    organisation = _organisation_or_404(organisation_id)
    form = SuspendForm()
    if form.validate_on_submit():
        services.set_organisation_suspended(organisation, form.suspend.data == "1")
        flash(_("%(name)s is suspended: its reporters cannot log in and its API keys do not work.",
                name=organisation.name) if organisation.suspended
              else _("%(name)s is active again.", name=organisation.name), "success")
    return redirect(url_for(".organisation", organisation_id=organisation.id))


@bp.post("/coordinator/partners/<int:organisation_id>/reporters/<int:user_id>/suspend")
@role_required(Role.COORDINATOR)
def suspend_reporter(organisation_id: int, user_id: int):
    organisation = _organisation_or_404(organisation_id)
    reporter = services.reporter_of(organisation, user_id) or abort(404)
    form = SuspendForm()
    if form.validate_on_submit():
        services.set_reporter_suspended(reporter, form.suspend.data == "1")
        flash(_("%(name)s is suspended and cannot log in.", name=reporter.name) if not reporter.active
              else _("%(name)s can log in again.", name=reporter.name), "success")
    return redirect(url_for(".organisation", organisation_id=organisation.id))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@limit_posts(ratelimit.REGISTRATION)
def accept(token: str):
    """The link in a reporter's invitation: they choose a password and are logged in."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    found = services.invitation_from_token(token)
    if found is None or email_taken(found[0].email):
        return render_template("partners/accept.html", invitation=None, form=None,
                                   invitation_days=services.INVITATION_DAYS)
    invitation, organisation = found
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            user = services.accept(invitation, organisation, form.password.data)
        except EmailTakenError:
            return render_template("partners/accept.html", invitation=None, form=None,
                                   invitation_days=services.INVITATION_DAYS)
        sessions.log_in(user)
        flash(_("Welcome, %(name)s! You can report for %(organisation)s now.", name=user.name,
                organisation=organisation.name), "success")
        return redirect(url_for("observations.new"))
    return render_template("partners/accept.html", invitation=invitation, organisation=organisation, form=form)


@bp.post("/coordinator/partners/<int:organisation_id>/keys")
@role_required(Role.COORDINATOR)
@limit_posts(ratelimit.FORM_SUBMIT, key=ratelimit.per_person)
def create_key(organisation_id: int):
    """A key for the organisation's system, shown on this one answer only (never stored or sent elsewhere)."""
    organisation = _organisation_or_404(organisation_id)
    if not ButtonForm().validate_on_submit():
        flash(_("The form had expired. Send it again."), "error")
        return redirect(url_for(".organisation", organisation_id=organisation.id))
    if organisation.suspended:
        flash(_("The organisation is suspended. Resume it before creating API keys."), "error")
        return redirect(url_for(".organisation", organisation_id=organisation.id))
    response = make_response(_render_organisation(organisation, new_key=services.create_api_key(organisation,
                                                                                                current_user)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/coordinator/partners/<int:organisation_id>/keys/<int:key_id>/revoke")
@role_required(Role.COORDINATOR)
def revoke_key(organisation_id: int, key_id: int):
    organisation = _organisation_or_404(organisation_id)
    key = services.api_key_of(organisation, key_id) or abort(404)
    if ButtonForm().validate_on_submit():
        services.revoke_api_key(key)
        flash(_("The API key %(prefix)s… is revoked and no longer works.", prefix=key.prefix), "success")
    return redirect(url_for(".organisation", organisation_id=organisation.id))

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from watch.alerts import retention  # noqa: F401 - registers the nightly retention jobs
from watch.alerts import services
from watch.messaging import verification
from watch.alerts.forms import ComposeForm, ConfirmCodeForm, PreferencesForm, SendCodeForm
from watch.messaging.optouts import opt_in_from_web, opt_out, opt_out_of
from watch.alerts.sending import dispatch_alert, send_alert_sms
from watch.extensions import db, htmx, limiter
from watch.models import AlertChannel, Municipality, OptOutSource, Role
from watch.core.languages import LANGUAGE_NAMES
from watch.core.pagination import paginate
from watch.core.phone import PhoneNumberError, normalise_phone
from watch.core.security import ensure_municipality, role_required
from watch.messaging.sms_encoding import count as count_sms
from watch.messaging.sms_encoding import replace_non_gsm

bp = Blueprint("alerts", __name__, url_prefix="/alerts")

SENDERS = (Role.POLICE, Role.COORDINATOR)


@bp.app_template_filter("delivery_details")
def delivery_details_filter(delivery) -> str:
    return services.delivery_details(delivery)


@bp.app_template_filter("visible_char")
def visible_char(char: str) -> str:
    """Spaces and invisible characters shown by their code point, so the sender sees what is meant."""
    return char if char.isprintable() and not char.isspace() else f"U+{ord(char):04X}"


def _user_key() -> str:
    return f"user:{current_user.id}"  # the person, whichever of their logins (get_id is one login)


def _number_key() -> str:
    """Rate-limit key for the number a code is sent to, however it was typed."""
    try:
        return "phone:" + normalise_phone(request.form.get("phone", ""))
    except PhoneNumberError:
        return "phone:invalid"


def _compose_form(among_groups: list[int] | None = None) -> ComposeForm:
    ids = current_user.municipality_ids()
    municipalities = db.session.query(Municipality).filter(Municipality.id.in_(ids)).order_by(Municipality.name)
    return ComposeForm(list(municipalities), services.approved_groups(ids, among_groups))


# ---- composing -----------------------------------------------------------------------------

@bp.route("/new", methods=["GET", "POST"])
@role_required(*SENDERS)
@limiter.limit("20 per hour", methods=["POST"], key_func=_user_key,
               deduct_when=lambda response: response.status_code == 302)
def compose():
    """Write → review (recipients and skips) → send. Sending stores the alert and returns at once."""
    action = request.form.get("action", "review")
    sending = request.method == "POST" and action == "send"
    # Sending checks the chosen groups only, so it costs the same in a municipality of 10 groups or 5,000;
    # the whole list is loaded when the form is shown again.
    form = _compose_form(request.form.getlist("groups", type=int) if sending else None)
    if request.method == "GET":
        form.municipality.data = current_user.municipality_id
    if request.method == "POST" and action == "replace":
        form.body.raw_data = [replace_non_gsm(form.body.data or "")]
        form.body.data = form.body.raw_data[0]
        flash(_("Characters that need UCS-2 were replaced. Check the message before you send it."), "info")
    elif request.method == "POST" and action != "edit" and (form.validate() or _only_version_errors(form)):
        targeting = form.targeting()
        # A version with an error, or in a language nobody reached reads, takes the sender back to the
        # confirm step, where the versions are written.
        if action == "send" and not form.errors and _versions_are_read(form, targeting):
            if services.anyone_reached(targeting):
                alert = services.create_alert(current_user, targeting, form.body.data, form.validity.data,
                                              form.versions())
                dispatch_alert(alert.id)
                flash(_("The alert is on its way."), "success")
                return redirect(url_for("alerts.detail", alert_id=alert.id))
        else:
            reach = services.reach(targeting)
            if reach.reached:
                return render_template("alerts/confirm.html", form=form, reach=reach, sms=count_sms(form.body.data),
                                       description=services.describe_targeting(targeting),
                                       languages=services.sms_by_language(reach, form.body.data, form.versions()),
                                       language_names=LANGUAGE_NAMES)
        form.target.errors = [_("Nobody would get this alert: the chosen groups have no one to send to.")]
    if sending:
        form.offer_groups(services.approved_groups(current_user.municipality_ids()))
    return render_template("alerts/compose.html", form=form, summary=_summary(form))


def _only_version_errors(form: ComposeForm) -> bool:
    return bool(form.errors) and set(form.errors) <= {f.name for f in form.version_fields().values()}


def _versions_are_read(form: ComposeForm, targeting: services.Targeting) -> bool:
    """Whether someone the alert reaches reads each language a version was written in; marks the others."""
    versions = form.versions()
    if not versions:
        return True
    unread = set(versions) - services.languages_read(targeting, versions)
    for code in unread:
        form.version_fields()[code].errors = [
            _("Nobody who gets this alert reads %(language)s. Remove this version.", language=LANGUAGE_NAMES[code])]
    return not unread


@bp.post("/new/summary")
@role_required(*SENDERS)
def summary():
    """htmx: characters, encoding, segments and recipients while the message is written; on the confirm step
    (?part=languages), the SMS of the Swedish text and of each version as they are written."""
    form = _compose_form()
    if request.args.get("part") == "languages":
        targeting = form.targeting_if_valid()
        reach = services.reach(targeting) if targeting else services.Reach()
        return render_template("alerts/_languages_response.html", language_names=LANGUAGE_NAMES,
                               languages=services.sms_by_language(reach, form.body.data or "", form.versions()))
    return render_template("alerts/_summary_response.html", summary=_summary(form))


def _summary(form: ComposeForm) -> dict:
    targeting = form.targeting_if_valid()
    return {"sms": count_sms(form.body.data or ""), "reach": services.reach(targeting) if targeting else None}


# ---- the alerts and their delivery ------------------------------------------------------------

@bp.get("")
@role_required(*SENDERS)
def index():
    page = paginate(services.alerts_for_staff_query(current_user.municipality_ids()), services.PAGE_SIZE)
    return render_template("alerts/index.html", page=page)


def _staff_alert(alert_id: int):
    alert = services.alert_with_context(alert_id) or abort(404)
    ensure_municipality(alert.municipality_id)
    return alert


@bp.get("/<int:alert_id>")
@role_required(*SENDERS)
def detail(alert_id: int):
    alert = _staff_alert(alert_id)
    recipients = paginate(services.recipients_query(alert), services.RECIPIENTS_PAGE_SIZE)
    if htmx and request.args.get("fragment") == "recipients":
        return render_template("alerts/_recipients_response.html", alert=alert, recipients=recipients)
    progress = services.progress(alert)
    return render_template(
        "alerts/detail.html", alert=alert, progress=progress, recipients=recipients,
        retryable=services.retryable_count(alert) if progress.done else 0,
        replies=services.replies_for(alert), language_names=LANGUAGE_NAMES,
    )


@bp.get("/<int:alert_id>/progress")
@role_required(*SENDERS)
def progress(alert_id: int):
    """htmx polls this while the alert is sending; the fragment stops the polling once it is done."""
    alert = _staff_alert(alert_id)
    progress = services.progress(alert)
    # The last poll also tells the recipient table to reload with the final statuses.
    headers = {} if progress.keep_polling else {"HX-Trigger": "deliveries-settled"}
    retryable = services.retryable_count(alert) if progress.done else 0
    body = render_template("alerts/_progress_response.html", alert=alert, progress=progress, retryable=retryable)
    return body, 200, headers


@bp.post("/<int:alert_id>/retry")
@role_required(*SENDERS)
def retry(alert_id: int):
    alert = _staff_alert(alert_id)
    queued = services.retry_failed(alert)
    if queued:
        send_alert_sms(alert.id)
        flash(_("%(count)d messages are being sent again.", count=queued), "success")
    else:
        flash(_("There was nothing to send again."), "info")
    return redirect(url_for("alerts.detail", alert_id=alert.id))


# ---- for contact persons and members ---------------------------------------------------------

@bp.get("/feed")
@login_required
def feed():
    page = paginate(services.alert_feed_query(current_user), services.PAGE_SIZE)
    versions = services.feed_texts(page.items, current_user.locale)  # the reader's language, where written
    return render_template("alerts/feed.html", page=page, versions=versions)


@bp.route("/phone", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"])
@limiter.limit("3 per 10 minutes;8 per day", methods=["POST"], key_func=_number_key)
def phone():
    """Send a code to the number; it counts as verified once the code comes back."""
    form = SendCodeForm()
    if request.method == "GET" and current_user.phone:
        form.phone.data = current_user.phone
    if form.validate_on_submit():
        code = verification.start_verification(current_user, form.phone.data)
        verification.send_code(current_user, form.phone.data, code)
        flash(_("We sent a code to %(phone)s. It is valid for 10 minutes.", phone=form.phone.data), "success")
        return redirect(url_for("alerts.phone"))
    return _phone_page(form, ConfirmCodeForm(formdata=None))


def _phone_page(send_form, confirm_form):
    return render_template("alerts/phone.html", send_form=send_form, confirm_form=confirm_form,
                           pending=verification.pending_verification(current_user))


CHECK_MESSAGES = {
    verification.CodeCheck.EXPIRED: lambda r: _("The code has expired. Send a new one."),
    verification.CodeCheck.TOO_MANY_TRIES: lambda r: _("Too many wrong tries. Send a new code."),
    verification.CodeCheck.NO_CODE: lambda r: _("Send a code to your number first."),
    verification.CodeCheck.WRONG: lambda r: _("Wrong code. %(left)d tries left.", left=r.tries_left),
}


@bp.post("/phone/confirm")
@login_required
@limiter.limit("20 per hour")
def confirm_phone():
    form = ConfirmCodeForm()
    if form.validate_on_submit():
        result = verification.check_code(current_user, form.code.data)
        if result.outcome == verification.CodeCheck.VERIFIED:
            flash(_("Your number is verified. Alerts can now reach you by SMS."), "success")
            return redirect(url_for("alerts.preferences"))
        form.code.errors.append(CHECK_MESSAGES[result.outcome](result))
    return _phone_page(SendCodeForm(formdata=None, data={"phone": current_user.phone}), form)


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    form = PreferencesForm(data={"channel": current_user.alert_channel.value,
                                 "member_alerts": current_user.member_alerts})
    if form.validate_on_submit():
        current_user.alert_channel = AlertChannel(form.channel.data)
        current_user.member_alerts = form.member_alerts.data
        flash(_("Your choices are saved."), "success")
        return redirect(url_for("alerts.preferences"))
    return render_template("alerts/preferences.html", form=form, opt_out=_own_opt_out())


def _own_opt_out():
    """The stop on the person's own, verified number; another number's stop is not theirs to see."""
    return opt_out_of(current_user.phone) if current_user.has_verified_phone else None


@bp.post("/preferences/sms")
@login_required
def sms_opt_out():
    """Stop (or allow again) every SMS to one's own verified number, as replying STOP (or START) does."""
    if not current_user.has_verified_phone:
        flash(_("Verify your mobile number first: only the number's owner can stop or allow SMS to it."), "error")
        return redirect(url_for("alerts.preferences"))
    if request.form.get("allow") == "1":
        if opt_in_from_web(current_user.phone):
            flash(_("SMS to your number are allowed again."), "success")
        else:
            flash(_("You stopped SMS by replying STOP. Send START by SMS to allow them again, "
                    "or verify your number again."), "info")
    else:
        opt_out(current_user.phone, OptOutSource.WEB)
        flash(_("No more SMS will be sent to your number."), "success")
    return redirect(url_for("alerts.preferences"))

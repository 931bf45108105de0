from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from watch import ratelimit
from watch.auth.routes import log_in
from watch.auth.services import check_password
from watch.extensions import db
from watch.mfa import services
from watch.mfa.forms import EnrolForm, PasswordConfirmForm, VerifyCodeForm
from watch.models import User
from watch.ratelimit import limit_posts

bp = Blueprint("mfa", __name__)

# Every step that checks a one-time code shares one counter per person.
limit_codes = limit_posts(ratelimit.ONE_TIME_CODE, key=ratelimit.per_person, scope="one-time-code")


def _pending_or_restart() -> User:
    user = services.pending_user()
    if user is None:
        flash(_("Log in again: the login took too long or was interrupted."), "info")
        abort(redirect(url_for("auth.login")))
    return user


@bp.route("/login/code", methods=["GET", "POST"])
@limit_codes
def verify():
    user = _pending_or_restart()
    if not user.mfa_enabled:
        return redirect(url_for("mfa.enrol"))
    form = VerifyCodeForm()
    if form.validate_on_submit():
        accepted = services.verify_second_factor(user, form.code.data)
        db.session.commit()
        if accepted:
            return redirect(log_in(user))
        form.code.errors.append(_("That code is not right. Codes change every 30 seconds: try the one shown now."))
    return render_template("mfa/verify.html", form=form)


def _enrolment(user: User, form: EnrolForm, *, heading):
    """The scan-and-confirm step; returns the recovery codes once the code from the app was right."""
    services.start_enrolment(user)
    db.session.commit()
    if form.validate_on_submit():
        codes = services.confirm_enrolment(user, form.code.data)
        if codes:
            return codes, None
        form.code.errors.append(_("That code is not right. Check that the app shows the Grannsamverkan account and "
                                  "type the six digits shown now."))
    page = render_template(
        "mfa/enrol.html", form=form, heading=heading, qr_code=services.qr_code_data_uri(user),
        secret=services.grouped_secret(user.totp_secret), required=user.mfa_required,
    )
    return None, page


@bp.route("/login/enrol", methods=["GET", "POST"])
@limit_codes
def enrol():
    user = _pending_or_restart()
    if user.mfa_enabled:
        return redirect(url_for("mfa.verify"))
    codes, page = _enrolment(user, EnrolForm(), heading=_l("Set up two-factor login"))
    if codes is None:
        return page
    target = log_in(user)
    return render_template("mfa/recovery_codes.html", codes=codes, next_url=target)


def _codes_form() -> PasswordConfirmForm:
    return PasswordConfirmForm(_l("Create new recovery codes"), prefix="codes")


def _disable_form() -> PasswordConfirmForm:
    return PasswordConfirmForm(_l("Turn off two-factor login"), prefix="disable")


def _settings_page(codes_form: PasswordConfirmForm | None = None, disable_form: PasswordConfirmForm | None = None):
    return render_template(
        "mfa/settings.html",
        remaining=services.remaining_recovery_codes(current_user) if current_user.mfa_enabled else 0,
        codes_form=codes_form or _codes_form(),
        disable_form=disable_form or _disable_form(),
    )


@bp.get("/profile/two-factor")
@login_required
def settings():
    return _settings_page()


@bp.route("/profile/two-factor/setup", methods=["GET", "POST"])
@login_required
@limit_codes
def setup():
    if current_user.mfa_enabled:
        return redirect(url_for("mfa.settings"))
    codes, page = _enrolment(current_user, EnrolForm(), heading=_l("Turn on two-factor login"))
    if codes is None:
        return page
    db.session.commit()
    return render_template("mfa/recovery_codes.html", codes=codes, next_url=url_for("mfa.settings"))


def _confirmed(form: PasswordConfirmForm) -> bool:
    if not form.validate_on_submit():
        return False
    if not check_password(current_user, form.password.data):
        form.password.errors.append(_("That is not your current password."))
        return False
    return True


@bp.post("/profile/two-factor/recovery-codes")
@login_required
@limit_codes
def new_codes():
    if not current_user.mfa_enabled:
        return redirect(url_for("mfa.settings"))
    form = _codes_form()
    if _confirmed(form):
        codes = services.new_recovery_codes(current_user)
        db.session.commit()
        return render_template("mfa/recovery_codes.html", codes=codes, next_url=url_for("mfa.settings"))
    return _settings_page(codes_form=form)


@bp.post("/profile/two-factor/disable")
@login_required
@limit_codes
def disable():
    if current_user.mfa_required:
        abort(403)
    form = _disable_form()
    if _confirmed(form):
        services.disable(current_user)
        db.session.commit()
        flash(_("Two-factor login is turned off."), "info")
        return redirect(url_for("mfa.settings"))
    return _settings_page(disable_form=form)

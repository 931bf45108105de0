from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user

from watch.core import ratelimit
from watch.auth import mfa, services, sessions
from watch.auth.forms import (
    ConfirmRegistrationForm, EndSessionForm, EnrolForm, ForgotPasswordForm, LoginForm, LogOutEverywhereForm,
    PasswordChangeForm, PasswordConfirmForm, ProfileForm, RegistrationForm, ResetPasswordForm, VerifyCodeForm,
)
from watch.messaging.email import email_address, email_user
from watch.models import User
from watch.core.phone import display_phone
from watch.core.ratelimit import limit_posts
from watch.core.security import is_safe_redirect

bp = Blueprint("auth", __name__)
# The second factor of a login and its settings (TOTP, recovery codes).
mfa_bp = Blueprint("mfa", __name__)


def log_in(user: User) -> str:
    """Complete a login (after the second factor where one is needed); returns where to go next."""
    target = mfa.finish_pending_login()
    services.logged_in(user)
    sessions.log_in(user)
    return target if is_safe_redirect(target) else url_for("main.index")


def _public_url(endpoint: str, **values) -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/") + url_for(endpoint, **values)


@bp.route("/register", methods=["GET", "POST"])
@limit_posts(ratelimit.REGISTRATION)
@limit_posts(ratelimit.REGISTRATION_PER_EMAIL, key=ratelimit.per_email_field)
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    municipalities = services.municipalities()
    form = RegistrationForm(municipalities)
    if request.method == "GET":
        form.municipality.data = request.args.get("municipality", type=int)
        form.locale.data = str(get_locale())  # the page's language: the visitor's choice, else their browser's
    if form.validate_on_submit():
        registration, existing = services.start_registration(
            name=form.name.data,
            email=form.email.data,
            password=form.password.data,
            municipality=next(m for m in municipalities if m.id == form.municipality.data),
            locale=form.locale.data,
            phone=form.phone.data,
        )
        # The same answer whether or not the address has an account: only its owner learns which, by email.
        if existing is None:
            link = _public_url("auth.confirm_registration", token=services.registration_token(registration))
            email_address(registration.email, registration.locale, "messaging/email/registration_confirm.txt",
                          name=registration.name, link=link)
        elif existing.active:
            email_user(existing, "messaging/email/registration_attempt.txt", login_link=_public_url("auth.login"),
                       reset_link=_public_url("auth.forgot_password"))
        flash(_("Almost done: we have sent an email to %(email)s. Open the link in it within 24 hours to finish "
                "creating your account.", email=registration.email), "info")
        return redirect(url_for("main.index"))
    return render_template("auth/register.html", form=form)


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
@limit_posts(ratelimit.REGISTRATION)
def confirm_registration(token: str):
    """The link from the registration email: a button (mail scanners open links) that makes the account."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    registration = services.registration_from_token(token)
    municipality = registration and services.registration_municipality(registration)
    if registration is None or municipality is None:
        return render_template("auth/confirm_registration.html", registration=None, form=None)
    if services.email_taken(registration.email):
        flash(_("There is already an account with this address. Log in, or choose a new password if you have "
                "forgotten it."), "info")
        return redirect(url_for("auth.login"))
    form = ConfirmRegistrationForm()
    if form.validate_on_submit():
        try:
            user = services.finish_registration(registration)
        except (services.EmailTakenError, LookupError):
            return render_template("auth/confirm_registration.html", registration=None, form=None)
        sessions.log_in(user)
        flash(_("Welcome, %(name)s! Your account is ready.", name=user.name), "success")
        return redirect(url_for("main.index"))
    return render_template("auth/confirm_registration.html", registration=registration, form=form,
                           municipality=municipality)


@bp.route("/login", methods=["GET", "POST"])
@limit_posts(ratelimit.LOGIN)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("Wrong email or password."))
        else:
            mfa.begin_pending_login(user, request.args.get("next"))
            if user.mfa_enabled or user.mfa_required:
                # The password was right, but this is not a login yet: the second factor comes first.
                return redirect(url_for("mfa.verify" if user.mfa_enabled else "mfa.enrol"))
            return redirect(log_in(user))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    sessions.log_out()
    mfa.finish_pending_login()
    flash(_("You are logged out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if request.method == "GET":
        form.phone.data = display_phone(current_user.phone)
    if form.validate_on_submit():
        services.update_profile(current_user, name=form.name.data, phone=form.phone.data, locale=form.locale.data)
        flash(_("Your details are saved."), "success")
        return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form, sessions_form=LogOutEverywhereForm(),
                           logins=sessions.active_logins(current_user), end_form=EndSessionForm(formdata=None))


@bp.route("/profile/password", methods=["GET", "POST"])
@login_required
@limit_posts(ratelimit.LOGIN, key=ratelimit.per_person)
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if not services.check_password(current_user, form.current_password.data):
            form.current_password.errors.append(_("That is not your current password."))
        else:
            services.change_password(current_user._get_current_object(), form.new_password.data)
            flash(_("Your password is changed. You are logged out on every other device."), "success")
            return redirect(url_for("auth.profile"))
    return render_template("auth/change_password.html", form=form)


@bp.post("/profile/log-out-everywhere")
@login_required
def log_out_everywhere():
    if LogOutEverywhereForm().validate_on_submit():
        services.log_out_everywhere(current_user)
        logout_user()
        flash(_("You are logged out on every device, this one included."), "info")
        return redirect(url_for("auth.login"))
    return redirect(url_for("auth.profile"))


@bp.post("/profile/sessions/end")
@login_required
def end_session():
    """End one of the person's other logins, listed on the profile page."""
    form = EndSessionForm()
    if form.validate_on_submit() and sessions.end_other_login(current_user, form.session.data):
        flash(_("That device is logged out."), "success")
    else:
        flash(_("That login had already ended."), "info")
    return redirect(url_for("auth.profile"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limit_posts(ratelimit.PASSWORD_RESET)
@limit_posts(ratelimit.PASSWORD_RESET_PER_EMAIL, key=ratelimit.per_email_field)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        if user := services.user_for_reset_request(form.email.data):
            link = current_app.config["PUBLIC_URL"].rstrip("/") + url_for(
                "auth.reset_password", token=services.password_reset_token(user)
            )
            email_user(user, "messaging/email/password_reset.txt", link=link)
        # The same answer whether or not the address has an account: no one learns who is registered.
        flash(_("If there is an account with that address, we have sent it a link to choose a new password. "
                "The link works for one hour."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limit_posts(ratelimit.PASSWORD_RESET)
def reset_password(token: str):
    user = services.user_for_reset_token(token)
    if user is None:
        return render_template("auth/reset_password.html", form=None)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(user, form.new_password.data)
        logout_user()
        flash(_("Your password is changed. Log in with it now."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


# -- second factor -------------------------------------------------------------------------------

# Every step that checks a one-time code shares one counter per person.
limit_codes = limit_posts(ratelimit.ONE_TIME_CODE, key=ratelimit.per_person, scope="one-time-code")


def _pending_or_restart() -> User:
    user = mfa.pending_user()
    if user is None:
        flash(_("Log in again: the login took too long or was interrupted."), "info")
        abort(redirect(url_for("auth.login")))
    return user


@mfa_bp.route("/login/code", methods=["GET", "POST"])
@limit_codes
def verify():
    user = _pending_or_restart()
    if not user.mfa_enabled:
        return redirect(url_for("mfa.enrol"))
    if user.mfa_locked:  # no code is accepted, not even the right one
        return render_template("auth/mfa/verify.html", form=None)
    form = VerifyCodeForm()
    if form.validate_on_submit():
        accepted = mfa.verify_second_factor(user, form.code.data)
        if accepted:
            return redirect(log_in(user))
        if user.mfa_locked:  # that was the last wrong code allowed
            return render_template("auth/mfa/verify.html", form=None)
        form.code.errors.append(_("That code is not right. Codes change every 30 seconds: try the one shown now."))
    return render_template("auth/mfa/verify.html", form=form)


def _enrolment(user: User, form: EnrolForm, *, heading):
    """The scan-and-confirm step; returns the recovery codes once the code from the app was right."""
    mfa.start_enrolment(user)
    if form.validate_on_submit():
        codes = mfa.confirm_enrolment(user, form.code.data)
        if codes:
            return codes, None
        form.code.errors.append(_("That code is not right. Check that the app shows the Grannsamverkan account and "
                                  "type the six digits shown now."))
    page = render_template(
        "auth/mfa/enrol.html", form=form, heading=heading, qr_code=mfa.qr_code_data_uri(user),
        secret=mfa.grouped_secret(user.totp_secret), required=user.mfa_required,
    )
    return None, page


@mfa_bp.route("/login/enrol", methods=["GET", "POST"])
@limit_codes
def enrol():
    user = _pending_or_restart()
    if user.mfa_enabled:
        return redirect(url_for("mfa.verify"))
    codes, page = _enrolment(user, EnrolForm(), heading=_l("Set up two-factor login"))
    if codes is None:
        return page
    target = log_in(user)
    return render_template("auth/mfa/recovery_codes.html", codes=codes, next_url=target)


def _codes_form() -> PasswordConfirmForm:
    return PasswordConfirmForm(_l("Create new recovery codes"), prefix="codes")


def _disable_form() -> PasswordConfirmForm:
    return PasswordConfirmForm(_l("Turn off two-factor login"), prefix="disable")


def _settings_page(codes_form: PasswordConfirmForm | None = None, disable_form: PasswordConfirmForm | None = None):
    return render_template(
        "auth/mfa/settings.html",
        remaining=mfa.remaining_recovery_codes(current_user) if current_user.mfa_enabled else 0,
        codes_form=codes_form or _codes_form(),
        disable_form=disable_form or _disable_form(),
    )


@mfa_bp.get("/profile/two-factor")
@login_required
def settings():
    return _settings_page()


@mfa_bp.route("/profile/two-factor/setup", methods=["GET", "POST"])
@login_required
@limit_codes
def setup():
    if current_user.mfa_enabled:
        return redirect(url_for("mfa.settings"))
    codes, page = _enrolment(current_user, EnrolForm(), heading=_l("Turn on two-factor login"))
    if codes is None:
        return page
    return render_template("auth/mfa/recovery_codes.html", codes=codes, next_url=url_for("mfa.settings"))


def _confirmed(form: PasswordConfirmForm) -> bool:
    if not form.validate_on_submit():
        return False
    if not services.check_password(current_user, form.password.data):
        form.password.errors.append(_("That is not your current password."))
        return False
    return True


@mfa_bp.post("/profile/two-factor/recovery-codes")
@login_required
@limit_codes
def new_codes():
    if not current_user.mfa_enabled:
        return redirect(url_for("mfa.settings"))
    form = _codes_form()
    if _confirmed(form):
        codes = mfa.new_recovery_codes(current_user)
        return render_template("auth/mfa/recovery_codes.html", codes=codes, next_url=url_for("mfa.settings"))
    return _settings_page(codes_form=form)


@mfa_bp.post("/profile/two-factor/disable")
@login_required
@limit_codes
def disable():
    if current_user.mfa_required:
        abort(403)
    form = _disable_form()
    if _confirmed(form):
        mfa.disable(current_user)
        flash(_("Two-factor login is turned off."), "info")
        return redirect(url_for("mfa.settings"))
    return _settings_page(disable_form=form)

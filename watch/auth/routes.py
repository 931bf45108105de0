from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from watch.auth import services
from watch.auth.forms import LoginForm, ProfileForm, RegistrationForm
from watch.extensions import db, limiter
from watch.i18n import LANGUAGE_COOKIE
from watch.phone import display_phone
from watch.security import is_safe_redirect

bp = Blueprint("auth", __name__)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    municipalities = services.municipalities()
    form = RegistrationForm(municipalities)
    if request.method == "GET":
        form.municipality.data = request.args.get("municipality", type=int)
        form.locale.data = request.cookies.get(LANGUAGE_COOKIE) or "sv"
    if form.validate_on_submit():
        if services.email_taken(form.email.data):
            form.email.errors.append(_("An account with this email already exists. Log in instead."))
        else:
            user = services.create_user(
                name=form.name.data,
                email=form.email.data,
                password=form.password.data,
                municipality=next(m for m in municipalities if m.id == form.municipality.data),
                locale=form.locale.data,
                phone=form.phone.data,
            )
            db.session.commit()
            login_user(user)
            flash(_("Welcome, %(name)s! Your account is ready.", name=user.name), "success")
            return redirect(url_for("main.index"))
    return render_template("auth/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        db.session.commit()
        if user is None:
            form.password.errors.append(_("Wrong email or password."))
        else:
            login_user(user)
            target = request.args.get("next")
            return redirect(target if is_safe_redirect(target) else url_for("main.index"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    logout_user()
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
        db.session.commit()
        flash(_("Your details are saved."), "success")
        return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form)

from flask import Blueprint, current_app, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select, text

from watch.core.errors import render_error
from watch.core.municipalities import municipality_or_404
from watch.core.page_cache import public_page
from watch.extensions import csrf, db
from watch.core.i18n import LANGUAGE_COOKIE
from watch.lagesbild import services as lagesbild
from watch.models import Municipality
from watch.core.security import is_safe_redirect

bp = Blueprint("main", __name__)


@bp.get("/")
@public_page
def index():
    municipalities = db.session.scalars(select(Municipality).order_by(Municipality.name)).all()
    return render_template("main/index.html", municipalities=municipalities)


@bp.get("/m/<slug>")
@public_page
def municipality(slug: str):
    found = municipality_or_404(slug)
    return render_template("main/municipality.html", municipality=found, public=lagesbild.public_summary(found.id))


@bp.post("/language")
@csrf.exempt
def set_language():
    """Remember an explicit language choice: on the account when logged in, in a cookie either way.

    No CSRF token: the form is on cached public pages, which carry none. A forged post can only
    change the language; the session cookie is SameSite=Lax, so a cross-site post is not logged in
    and cannot touch the account's setting."""
    lang = request.form.get("lang")
    if lang not in current_app.config["LANGUAGES"]:
        return render_error(400, _("The portal is not available in that language. Choose one from the language menu."))
    if current_user.is_authenticated:
        current_user.locale = lang
    target = request.form.get("next")
    response = make_response(redirect(target if is_safe_redirect(target) else url_for("main.index")))
    response.set_cookie(LANGUAGE_COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        current_app.logger.exception("health check failed")
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")

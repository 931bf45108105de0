from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from watch.core import ratelimit
from watch.auth.services import check_password, municipalities
from watch.core.municipalities import municipality_or_404
from watch.core.page_cache import public_page
from watch.extensions import db
from watch.privacy import services
from watch.models import Municipality
from watch.privacy.controllers import contacts_for, own_municipality
from watch.privacy.forms import DeleteAccountForm
from watch.core.ratelimit import limit_posts

bp = Blueprint("privacy", __name__)


def _my_data_page(form: DeleteAccountForm, blockers: list[str] | None = None):
    blockers = services.deletion_blockers(current_user) if blockers is None else blockers
    return render_template("privacy/my_data.html", form=form, blockers=blockers)


@bp.get("/my-data")
@login_required
def my_data():
    return _my_data_page(DeleteAccountForm())


@bp.get("/my-data/export.<any(json, csv):export_format>")
@login_required
def export(export_format: str):
    data = services.personal_data(current_user, export_format)
    if export_format == "json":
        body, mimetype = services.as_json(data), "application/json"
    else:
        # The byte-order mark makes spreadsheet programs read å, ä and ö correctly.
        body, mimetype = "\ufeff" + services.as_csv(data), "text/csv"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f"attachment; filename=mina-uppgifter.{export_format}",
    })


@bp.post("/my-data/delete")
@login_required
@limit_posts(ratelimit.LOGIN, key=ratelimit.per_person)
def delete_account():
    form = DeleteAccountForm()
    if not form.validate_on_submit():
        return _my_data_page(form)
    if not check_password(current_user, form.password.data):
        form.password.errors.append(_("That is not your current password."))
        return _my_data_page(form)
    try:
        services.delete_account(current_user._get_current_object())
    except services.AccountDeletionRefused as refused:
        db.session.rollback()
        return _my_data_page(form, refused.reasons)
    logout_user()
    flash(_("Your account and your data are deleted. Thank you for keeping watch with us."), "success")
    return redirect(url_for("main.index"))


def _in_language(page: str) -> list[str]:
    """Legal texts are written whole in each language rather than sentence by sentence: the reader's
    language where that text exists, else English (render_template takes the first that exists)."""
    return [f"privacy/{page}.{get_locale()}.html", f"privacy/{page}.en.html"]


def _legal_page(page: str, municipality: Municipality | None):
    """A legal page of one municipality (its name and addresses), or of all of them, each linked to its own."""
    return render_template(_in_language(page), contacts=contacts_for(municipality),
                           municipalities=[] if municipality else municipalities())


@bp.get("/privacy")
@public_page
def notice():
    return _legal_page("notice", own_municipality())


@bp.get("/m/<slug>/privacy")
@public_page
def municipality_notice(slug: str):
    return _legal_page("notice", municipality_or_404(slug))


@bp.get("/accessibility")
@public_page
def accessibility():
    return _legal_page("accessibility", own_municipality())


@bp.get("/m/<slug>/accessibility")
@public_page
def municipality_accessibility(slug: str):
    return _legal_page("accessibility", municipality_or_404(slug))


@bp.get("/cookies")
@public_page
def cookies():
    return render_template(_in_language("cookies"))

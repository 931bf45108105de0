"""/open311/v2/: GeoReport v2 in JSON and XML. No session, no CSRF: the open data is public and a partner
system proves itself with its api_key."""
import hashlib
import json

from flask import Blueprint, Response, abort, request, url_for
from flask_babel import force_locale, gettext as _
from werkzeug.exceptions import TooManyRequests

from watch.core.ratelimit import limit_posts
from watch.extensions import csrf
from watch.open311 import services
from watch.open311.services import Open311Error
from watch.partners.services import organisation_for_key

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
csrf.exempt(bp)

FORMATS = ("json", "xml")
# Per key: a partner system sends what its staff report, not a flood.
POST_LIMIT = "120 per hour;20 per minute"


def per_api_key() -> str:
    return "open311:" + hashlib.sha256((request.form.get("api_key") or "").encode("utf-8", "surrogatepass")).hexdigest()


def _answer(fmt: str, root: str, item: str, rows: list[dict], status: int = 200, headers=None) -> Response:
    if fmt == "xml":
        return Response(services.to_xml(root, item, rows), status, mimetype="text/xml", headers=headers)
    return Response(json.dumps(rows, ensure_ascii=False), status, mimetype="application/json", headers=headers)


def _format(fmt: str) -> str:
    return fmt if fmt in FORMATS else abort(404)


@bp.errorhandler(Open311Error)
def open311_error(error: Open311Error):
    fmt = request.view_args.get("fmt") if request.view_args else None
    return _answer(fmt if fmt in FORMATS else "json", "errors", "error",
                   [{"code": error.status, "description": error.description}], error.status)


@bp.errorhandler(TooManyRequests)
def too_many(error):
    return open311_error(Open311Error(429, "too many requests with this api_key: wait and try again"))


@bp.get("/services.<fmt>")
def service_list(fmt: str):
    fmt = _format(fmt)
    services.jurisdiction(request.args.get("jurisdiction_id"))
    return _answer(fmt, "services", "service", services.services_list())


@bp.get("/requests.<fmt>")
def request_list(fmt: str):
    fmt = _format(fmt)
    municipality = services.jurisdiction(request.args.get("jurisdiction_id"))
    page = services.requests_page(municipality, request.args)
    # Paging beyond the specification: `page`, and a Link header to the next page while there is one.
    headers = {}
    if page.has_more:
        following = {**request.args.to_dict(), "page": page.page + 1}
        following.pop("fmt", None)
        headers["Link"] = f'<{url_for(".request_list", fmt=fmt, _external=True, **following)}>; rel="next"'
    return _answer(fmt, "service_requests", "request", page.rows, headers=headers)


@bp.get("/requests/<int:request_id>.<fmt>")
def one_request(request_id: int, fmt: str):
    fmt = _format(fmt)
    municipality = services.jurisdiction(request.args.get("jurisdiction_id"))
    return _answer(fmt, "service_requests", "request", [services.one_request(municipality, request_id)])


@bp.post("/requests.<fmt>")
@limit_posts(POST_LIMIT, key=per_api_key)
def create_request(fmt: str):
    fmt = _format(fmt)
    municipality = services.jurisdiction(request.form.get("jurisdiction_id"))
    organisation = organisation_for_key(request.form.get("api_key") or "")
    if organisation is None:
        raise Open311Error(403, "invalid api_key: ask the municipality's coordinator for a key")
    observation = services.create_request(municipality, organisation, request.form)
    with force_locale("sv"):
        notice = _("Thank you! The report has reached the municipality's coordinator.")
    return _answer(fmt, "service_requests", "request", [{
        "service_request_id": str(observation.id), "service_notice": notice, "account_id": None}])

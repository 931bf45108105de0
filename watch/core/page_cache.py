"""Whole public pages cached for visitors who are not logged in, per page, language and htmx request.

A page decorated with `public_page` is rendered once and then served from the cache (Redis when
REDIS_URL is set, shared by every instance; otherwise this process's memory) to anyone who is not
logged in and has no message waiting in their session. Such a page carries no per-visitor token:
the base template leaves out the htmx CSRF header (nothing on these pages posts with htmx) and the
language switch needs none. It is sent with `Cache-Control: public` and an `ETag`, so browsers and a
proxy may keep it for PUBLIC_PAGE_MAX_AGE seconds, and a repeated request is answered 304.

Invalidation: every committed change to a table these pages show (PUBLIC_TABLES) moves a generation
number; a stored page keeps the number it was rendered under and is rendered afresh once that is not
the current one. Both are read in one round trip. Logged-in
people's pages never come from, nor go into, this cache.

Visitors with no cookie but the language one (the usual first visit, a crawler, a link from a
newspaper) are answered before Flask: `PublicPageHits` keeps the whole response as the app sent it
(status, every header but the request id, body) and replays it, or a 304, without a request
context, hooks or SQL. Anyone else, and every miss, goes through the app as before.
"""
import functools
import hashlib
from collections.abc import Callable, Iterable

from flask import Flask, current_app, g, has_app_context, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user
from redis.exceptions import RedisError
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header, parse_cookie, parse_etags, remove_entity_headers

from watch.core.i18n import LANGUAGE_COOKIE, visitor_locale
from watch.core.logs import REQUEST_ID_HEADER, request_id
from watch.core.security import PENDING_KEY
from watch.extensions import cache

PUBLIC_TABLES = frozenset({"municipality", "watch_group", "group_postcode", "membership", "situation_picture",
                           "citizen_promise"})
GENERATION_KEY = "public-pages:generation"
_CHANGED = "public_pages_changed"
_PENDING_KEYS = ("_flashes", PENDING_KEY)  # a message to show, a login half-way through two-factor
_SERVED_UNDER = "watch.public_page_generation"  # environ: the app answered with a cached public page


def init_app(app: Flask) -> None:
    redis_url = app.config.get("REDIS_URL")
    app.config.setdefault("CACHE_TYPE", "RedisCache" if redis_url else "SimpleCache")
    if redis_url:
        app.config.setdefault("CACHE_REDIS_URL", redis_url)
    app.config.setdefault("CACHE_KEY_PREFIX", "watch:")
    app.config.setdefault("CACHE_DEFAULT_TIMEOUT", app.config["PUBLIC_PAGE_CACHE_SECONDS"])
    cache.init_app(app)
    app.wsgi_app = PublicPageHits(app.wsgi_app, app.config, app.extensions["cache"][cache], app.static_url_path)

    @app.context_processor
    def public_page_flag():
        return {"public_page": g.get("public_page", False)}


def _cacheable() -> bool:
    if request.method not in ("GET", "HEAD") or not current_app.config["PUBLIC_PAGE_CACHE"]:
        return False
    if any(key in session for key in _PENDING_KEYS):
        return False
    return not current_user.is_authenticated


def public_page(view):
    """Serve this view's page to visitors who are not logged in from the cache (see the module)."""

    @functools.wraps(view)
    def cached_view(*args, **kwargs):
        if not _cacheable():
            return view(*args, **kwargs)
        g.public_page = True
        key = ":".join(("page", str(get_locale()), request.headers.get("HX-Request", ""), request.full_path))
        generation, stored = cache.get_many(GENERATION_KEY, key)
        generation = generation or 0
        if stored is None or stored[0] != generation:
            response = make_response(view(*args, **kwargs))
            if response.status_code != 200 or session.modified or response.direct_passthrough:
                return response
            body = response.get_data()
            stored = (generation, body, response.mimetype, hashlib.sha256(body).hexdigest()[:32])
            cache.set(key, stored)
        _, body, mimetype, etag = stored
        response = make_response(body)
        response.mimetype = mimetype
        response.set_etag(etag)
        response.cache_control.public = True
        response.cache_control.max_age = current_app.config["PUBLIC_PAGE_MAX_AGE"]
        request.environ[_SERVED_UNDER] = generation
        return response.make_conditional(request)

    return cached_view


class PublicPageHits:
    """WSGI middleware: a cached public page for a visitor with no cookie but the language one.

    On a miss the app answers as ever; if it answered with a cached public page (200, no cookie
    set), the response is kept with the generation it was rendered under, under the same key parts
    as the page (language as the app would choose it, HX-Request, path and query).
    """

    def __init__(self, wsgi_app: Callable, config: dict, backend, static_url_path: str) -> None:
        self.wsgi_app, self.config, self.backend = wsgi_app, config, backend
        self.static_prefix = static_url_path + "/"  # no public page there: no cache round trip

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        key = self._key(environ)
        if key is None:
            return self.wsgi_app(environ, start_response)
        try:
            generation, stored = self.backend.get_many(GENERATION_KEY, key)
        except RedisError:  # the app answers, with its own error page if it cannot do without Redis either
            return self.wsgi_app(environ, start_response)
        if stored is not None and stored[0] == (generation or 0):
            return self._replay(environ, start_response, *stored[1:])
        if environ["REQUEST_METHOD"] != "GET":
            return self.wsgi_app(environ, start_response)
        return self._keep(environ, start_response, key)

    def _key(self, environ: dict) -> str | None:
        path = environ.get("PATH_INFO", "")
        if environ["REQUEST_METHOD"] not in ("GET", "HEAD") or "HTTP_IF_MATCH" in environ \
                or path.startswith(self.static_prefix) or not self.config["PUBLIC_PAGE_CACHE"]:
            return None
        cookies = parse_cookie(environ)
        if not set(cookies) <= {LANGUAGE_COOKIE}:
            return None  # a session or remember cookie: perhaps someone logged in, or a message waiting
        languages = parse_accept_header(environ.get("HTTP_ACCEPT_LANGUAGE"), LanguageAccept)
        return ":".join(("response", visitor_locale(cookies, languages, self.config),
                         environ.get("HTTP_HX_REQUEST", ""), path, environ.get("QUERY_STRING", "")))

    def _replay(self, environ: dict, start_response: Callable, headers: list, body: bytes) -> Iterable[bytes]:
        headers = [*headers, (REQUEST_ID_HEADER, request_id(environ.get("HTTP_X_REQUEST_ID", ""),
                                                             self.config["TRUSTED_PROXY_HOPS"]))]
        etag = next(value for name, value in headers if name == "ETag")
        if parse_etags(environ.get("HTTP_IF_NONE_MATCH")).contains_weak(etag.strip('"')):
            remove_entity_headers(headers)  # as werkzeug answers a 304
            start_response("304 NOT MODIFIED", headers)
            return []
        start_response("200 OK", headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]

    def _keep(self, environ: dict, start_response: Callable, key: str) -> Iterable[bytes]:
        sent = []

        def keeping_start_response(status, headers, exc_info=None):
            sent[:] = [status, headers]
            return start_response(status, headers, exc_info)

        answer = self.wsgi_app(environ, keeping_start_response)
        generation = environ.get(_SERVED_UNDER)
        if generation is None or not sent or not sent[0].startswith("200 ") or \
                any(name in ("Set-Cookie", "Content-Encoding") for name, _ in sent[1]):
            return answer
        try:
            body = b"".join(answer)
        finally:
            if hasattr(answer, "close"):
                answer.close()
        headers = [(name, value) for name, value in sent[1] if name != REQUEST_ID_HEADER]
        self.backend.set(key, (generation, headers, body))
        return [body]


def _changes_public_table(table_names) -> bool:
    return not PUBLIC_TABLES.isdisjoint(table_names)


@event.listens_for(Session, "after_flush")
def _note_flushed_changes(session: Session, flush_context) -> None:
    changed = (obj.__table__.name for obj in (*session.new, *session.dirty, *session.deleted)
               if hasattr(obj, "__table__"))
    if _changes_public_table(changed):
        session.info[_CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _note_statement_changes(state) -> None:
    if (state.is_insert or state.is_update or state.is_delete) and \
            _changes_public_table([getattr(state.statement.table, "name", "")]):
        state.session.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _new_generation(session: Session) -> None:
    if session.info.pop(_CHANGED, False) and has_app_context():
        cache.cache.inc(GENERATION_KEY)


@event.listens_for(Session, "after_rollback")
def _forget_changes(session: Session) -> None:
    session.info.pop(_CHANGED, None)

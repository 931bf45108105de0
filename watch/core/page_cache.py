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
"""
import functools
import hashlib

from flask import Flask, current_app, g, has_app_context, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session

from watch.core.security import PENDING_KEY
from watch.extensions import cache

PUBLIC_TABLES = frozenset({"municipality", "watch_group", "group_postcode", "membership", "situation_picture",
                           "citizen_promise"})
GENERATION_KEY = "public-pages:generation"
_CHANGED = "public_pages_changed"
_PENDING_KEYS = ("_flashes", PENDING_KEY)  # a message to show, a login half-way through two-factor


def init_app(app: Flask) -> None:
    redis_url = app.config.get("REDIS_URL")
    app.config.setdefault("CACHE_TYPE", "RedisCache" if redis_url else "SimpleCache")
    if redis_url:
        app.config.setdefault("CACHE_REDIS_URL", redis_url)
    app.config.setdefault("CACHE_KEY_PREFIX", "watch:")
    app.config.setdefault("CACHE_DEFAULT_TIMEOUT", app.config["PUBLIC_PAGE_CACHE_SECONDS"])
    cache.init_app(app)

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
        return response.make_conditional(request)

    return cached_view


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

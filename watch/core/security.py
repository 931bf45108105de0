"""Who may see what: login loading, role checks and municipality scoping; security headers."""
import unicodedata
from datetime import datetime, timedelta
from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import joinedload

from watch.extensions import db, login_manager
from watch.models import LoginSession, Role, User, utcnow
from watch.core.static_files import is_static_request

# The session key of a login whose password was right but whose second factor is still due (watch.auth).
PENDING_KEY = "mfa_pending"


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see that page.")
    login_manager.login_message_category = "info"

    login_manager.user_loader(load_user)

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "geolocation=(self), camera=(), microphone=()")
        if hsts := app.config.get("STRICT_TRANSPORT_SECURITY"):
            headers.setdefault("Strict-Transport-Security", hsts)
        if not is_static_request() and (current_user and current_user.is_authenticated or PENDING_KEY in session):
            # Pages for a logged-in person carry personal data (and enrolment shows a TOTP key):
            # no shared or back-button caches.
            headers["Cache-Control"] = "no-store"
        return response


# A login's last_seen_at moves forward at most this often: idle expiry needs no write on every request.
LAST_SEEN_STEP = timedelta(minutes=1)


def load_user(token: str) -> User | None:
    """The person a session or remember cookie belongs to, while that login (LoginSession) lasts.

    The cookie holds the login's random token (User.get_id); one read by primary key, with the person
    joined, finds its row. No row (logged out, "log out everywhere", password changed or reset, role
    changed, two-factor login reset, purged), or a row past its idle time or lifetime: not logged in.
    Staff without two-factor login get no session at all.
    """
    if not isinstance(token, str) or not token:
        return None
    login = db.session.get(LoginSession, LoginSession.key_for(token), options=[joinedload(LoginSession.user)])
    if login is None:
        return None
    user, now = login.user, utcnow()
    if login_expired(login, user, now):
        return None
    if user.mfa_required and not user.mfa_enabled:
        return None
    if now - login.last_seen_at >= LAST_SEEN_STEP:
        login.last_seen_at = now  # written by the request's commit (watch.core.transaction)
    user.login_token = token
    return user


def session_limits(user: User) -> tuple[timedelta, timedelta | None]:
    """How long a login of this person may sit idle, and how long it may last in all (None: no limit)."""
    config = current_app.config
    if user.is_staff:
        return config["STAFF_SESSION_IDLE"], config["STAFF_SESSION_LIFETIME"]
    return config["RESIDENT_SESSION_IDLE"], config["RESIDENT_SESSION_LIFETIME"]


def login_expired(login: LoginSession, user: User, now: datetime) -> bool:
    idle, lifetime = session_limits(user)
    return now - login.last_seen_at > idle or (lifetime is not None and now - login.created_at > lifetime)


# No inline script or style anywhere: templates use classes, and htmx is told not to inject styles.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
])


def role_required(*roles: Role):
    """Let only logged-in users with one of these roles in; others get a 403 page, not a redirect loop."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def ensure_municipality(municipality_id: int) -> None:
    """404 for data of a municipality the current user does not serve: its existence is not theirs to know."""
    if municipality_id not in current_user.municipality_ids():
        abort(404)


def is_safe_redirect(target: str | None) -> bool:
    """Only same-site paths, so ?next= cannot send people elsewhere (nor break the Location header)."""
    if not target or any(unicodedata.category(ch) == "Cc" for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") \
        and "\\" not in target

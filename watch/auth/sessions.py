"""Logins as server-side records: one LoginSession row per login on a device.

A login starts here (`log_in`), never with Flask-Login's `login_user` alone: the row comes first and its
random token becomes what the session cookie (and a remember cookie) carries. Every request looks the
row up (watch.core.security.load_user); without it nobody is logged in. Rows go on logout, when every
login of a person ends (watch.auth.services.end_all_sessions: password change or reset, "log out
everywhere", role change, two-factor reset), when the person ends one from their profile, and when they
expire (idle time and lifetime by role, watch.config), purged by a periodic job.
"""
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, request
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from huey import crontab
from sqlalchemy import delete, or_, select

from watch.audit import actions
from watch.audit.services import record
from watch.core.security import login_expired
from watch.extensions import db
from watch.jobs import app_periodic_task
from watch.models import LoginSession, User, utcnow
from watch.models.user import STAFF_ROLES


def log_in(user: User, *, remember: bool = False) -> None:
    """Record a new login of this person on this device and log them in with it."""
    token = secrets.token_urlsafe(32)
    browser, system = device(request.headers.get("User-Agent", ""))
    db.session.add(LoginSession(id=LoginSession.key_for(token), user_id=user.id, browser=browser, system=system))
    db.session.flush()
    user.login_token = token
    login_user(user, remember=remember)


def current_key(user: User) -> str | None:
    """The key of the login this request runs under."""
    return LoginSession.key_for(user.login_token) if user.login_token else None


def log_out() -> None:
    """End this device's login: its row goes, so a copy of the cookie no longer works either."""
    if current_user.is_authenticated and (key := current_key(current_user)):
        db.session.execute(delete(LoginSession).where(LoginSession.id == key))
    logout_user()


def end_logins(user: User, *, keep_current: bool = False) -> None:
    """Every login of this person ends now; with keep_current, all but the one of this request."""
    query = delete(LoginSession).where(LoginSession.user_id == user.id)
    if keep_current and (key := current_key(user)):
        query = query.where(LoginSession.id != key)
    db.session.execute(query)


def end_other_login(user: User, key: str) -> bool:
    """End one of the person's other logins (from the list on the profile page); False if it had ended."""
    current = current_key(user)
    ended = db.session.execute(
        delete(LoginSession).where(LoginSession.id == key, LoginSession.user_id == user.id, LoginSession.id != current)
    ).rowcount
    if ended:
        record(actions.SESSION_ENDED, subject=user, actor=user)
    return bool(ended)


@dataclass(frozen=True)
class ActiveLogin:
    key: str
    device: str
    created_at: datetime
    last_seen_at: datetime
    idle: timedelta  # negative: how long ago, for `timedeltaformat(add_direction=True)`
    current: bool


def active_logins(user: User) -> list[ActiveLogin]:
    """The person's logins that still work, this device's first, then the most recently used."""
    now, current = utcnow(), current_key(user)
    rows = db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id))
    logins = [ActiveLogin(row.id, device_label(row.browser, row.system), row.created_at, row.last_seen_at,
                          min(row.last_seen_at - now, timedelta(0)), row.id == current)
              for row in rows if not login_expired(row, user, now)]
    return sorted(logins, key=lambda login: (not login.current, -login.last_seen_at.timestamp()))


def purge_expired(now: datetime | None = None) -> int:
    """Delete the rows of logins past their idle time or lifetime; returns how many."""
    now, config = now or utcnow(), current_app.config
    staff = select(User.id).where(User.role.in_(STAFF_ROLES))

    def expired(idle: timedelta, lifetime: timedelta | None):
        return or_(LoginSession.last_seen_at < now - idle,
                   *([LoginSession.created_at < now - lifetime] if lifetime is not None else []))

    staff_rows = LoginSession.user_id.in_(staff) & expired(config["STAFF_SESSION_IDLE"],
                                                            config["STAFF_SESSION_LIFETIME"])
    resident_rows = LoginSession.user_id.not_in(staff) & expired(config["RESIDENT_SESSION_IDLE"],
                                                                  config["RESIDENT_SESSION_LIFETIME"])
    return db.session.execute(delete(LoginSession).where(staff_rows | resident_rows)).rowcount


@app_periodic_task(crontab(minute="40"))
def purge_expired_logins() -> None:
    purge_expired()


# -- the device, from the User-Agent --------------------------------------------------------------

# First match wins: Edge, Opera and Samsung Internet also say "Chrome", and Chrome also says "Safari".
BROWSERS = [
    (re.compile(r"\bEdg(?:e|A|iOS)?/"), "Edge"),
    (re.compile(r"\bOPR/|\bOpera\b"), "Opera"),
    (re.compile(r"\bSamsungBrowser/"), "Samsung Internet"),
    (re.compile(r"\bFirefox/|\bFxiOS/"), "Firefox"),
    (re.compile(r"(?:\b|Headless)Chrom(?:e|ium)/|\bCriOS/"), "Chrome"),
    (re.compile(r"\bVersion/[\d.]+.*\bSafari/"), "Safari"),
]
SYSTEMS = [
    (re.compile(r"\bAndroid\b"), "Android"),
    (re.compile(r"\biPhone\b"), "iPhone"),
    (re.compile(r"\biPad\b"), "iPad"),
    (re.compile(r"\bCrOS\b"), "ChromeOS"),
    (re.compile(r"\bWindows\b"), "Windows"),
    (re.compile(r"\bMacintosh\b|\bMac OS X\b"), "macOS"),
    (re.compile(r"\bLinux\b"), "Linux"),
]


def device(user_agent: str) -> tuple[str, str]:
    """("Chrome", "Android") from a User-Agent; "" for what it does not tell."""
    user_agent = user_agent[:1000]

    def first(patterns):
        return next((name for pattern, name in patterns if pattern.search(user_agent)), "")

    return first(BROWSERS), first(SYSTEMS)


def device_label(browser: str, system: str) -> str:
    """Short and readable: "Chrome on Android"."""
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    if system:
        return _("A web browser on %(system)s", system=system)
    return browser or _("An unknown device")

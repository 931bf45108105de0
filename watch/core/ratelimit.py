"""Rate limits: shared limit strings, key functions and one decorator for every feature.

    from watch.core.ratelimit import FORM_SUBMIT, limit_posts, per_person

    @bp.route("/observations/new", methods=["GET", "POST"])
    @limit_posts(FORM_SUBMIT, key=per_person)
    def new_observation(): ...

Only POSTs are counted, so reading a form never uses up attempts. A breach answers 429 with the
translated "Too many attempts" page (watch/errors.py). Counters live in Redis when REDIS_URL is
set (shared by every instance), in memory otherwise; TestingConfig switches limiting off.
"""
from flask import request, session
from flask_limiter.util import get_remote_address
from flask_login import current_user

from watch.core.security import PENDING_KEY
from watch.extensions import limiter

# Password guessing from one address; slow enough to make guessing pointless, loose enough for an office NAT.
LOGIN = "10 per minute;30 per hour"
REGISTRATION = "10 per hour"
# Each registration emails the address typed (a link, or "you already have an account"): no mail bombing.
REGISTRATION_PER_EMAIL = "3 per hour"
# Reset emails: per address of the requester and per email asked for (no mail bombing of one person).
PASSWORD_RESET = "10 per hour"
PASSWORD_RESET_PER_EMAIL = "3 per hour"
# A six-digit code has a million values: five tries a minute per person makes guessing hopeless.
ONE_TIME_CODE = "5 per minute;20 per hour"
# Ordinary forms that create records (observations, group registrations) per person.
FORM_SUBMIT = "30 per hour"
# Each request to join a group emails its contact persons: asking, withdrawing and asking again must not spam them.
JOIN_REQUEST = "10 per hour"
# Things that cost money or reach many phones (alerts, SMS verification codes) per person.
SMS_SEND = "20 per hour"

per_ip = get_remote_address


def per_person() -> str:
    """The logged-in person, or the person half-way through a two-factor login, or else the address."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    if pending := session.get(PENDING_KEY):
        return f"user:{pending['user']}"
    return f"ip:{get_remote_address()}"


def per_email_field() -> str:
    return "email:" + (request.form.get("email") or "").strip().lower()


def limit_posts(limit_value: str, *, key=per_ip, scope: str | None = None):
    """Limit POSTs to a view; stack several for several keys (see PASSWORD_RESET).

    Views given the same `scope` share one counter (the code steps of a two-factor login do).
    """
    if scope:
        return limiter.shared_limit(limit_value, scope=scope, methods=["POST"], key_func=key)
    return limiter.limit(limit_value, methods=["POST"], key_func=key)

"""Two-factor login: TOTP from an authenticator app, and ten single-use recovery codes.

A login that needs a second factor is *pending*: the password was right, but Flask-Login's
`login_user` is called only after the code (both steps in watch.auth.routes).
"""
import hashlib
import hmac
import secrets
import time
import unicodedata
from datetime import timedelta

import pyotp
import segno
from flask import current_app, session

from watch.audit import actions
from watch.audit.services import record
from watch.auth.services import end_all_sessions
from watch.core.security import PENDING_KEY
from watch.extensions import db
from watch.messaging.email import email_user
from watch.models import AuditEvent, RecoveryCode, User, utcnow

ISSUER = "Grannsamverkan"
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
PENDING_LIFETIME = timedelta(minutes=10)
# Wrong codes at login: this many within the window locks the second factor until an administrator resets it.
# Only someone with the right password gets to the code step, so a lock means the password is known.
MAX_CODE_FAILURES = 10
FAILURE_WINDOW = timedelta(hours=24)


# -- pending logins -------------------------------------------------------------------------------

def begin_pending_login(user: User, next_url: str | None) -> None:
    """Remember, in the signed session, whose password was right; not a login yet."""
    session[PENDING_KEY] = {"user": user.id, "token": user.session_token, "next": next_url, "at": int(time.time())}


def pending_user() -> User | None:
    """The person half-way through logging in, if the password step was recent and still valid."""
    pending = session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > PENDING_LIFETIME.total_seconds():
        return None
    user = db.session.get(User, pending["user"])
    if user is None or not user.active or not hmac.compare_digest(user.session_token, pending["token"]):
        return None
    return user


def finish_pending_login() -> str | None:
    """Forget the pending state; returns where the person was going."""
    return (session.pop(PENDING_KEY, None) or {}).get("next")


# -- TOTP -----------------------------------------------------------------------------------------

def start_enrolment(user: User) -> str:
    """A secret to scan. It stays the same until confirmed, so reloading the page does not invalidate a scan."""
    if user.totp_secret is None:
        user.totp_secret = pyotp.random_base32()
    return user.totp_secret


def provisioning_uri(user: User) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code_data_uri(user: User) -> str:
    """The otpauth:// URI as an SVG image in a data: URI (the CSP allows data: images, not inline SVG styles)."""
    return segno.make(provisioning_uri(user), error="m").svg_data_uri(scale=5, border=4, dark="#000", light="#fff")


def grouped_secret(secret: str) -> str:
    """For typing into an app by hand: ABCD EFGH IJKL ..."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def enrol_with_known_secret(user: User, secret: str) -> None:
    """Two-factor login with a secret decided elsewhere: the demo's documented one, and test fixtures."""
    user.totp_secret = secret
    user.mfa_enrolled_at = utcnow()


def _accept_totp(user: User, code: str) -> bool:
    """A current code (one step of clock drift either way) that was not used before."""
    if not user.totp_secret or not (code.isdigit() and len(code) == 6):
        return False
    totp = pyotp.TOTP(user.totp_secret)
    current_step = int(time.time() // totp.interval)
    for step in (current_step - 1, current_step, current_step + 1):
        if user.totp_last_step is not None and step <= user.totp_last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            user.totp_last_step = step
            return True
    return False


def confirm_enrolment(user: User, code: str) -> list[str] | None:
    """Turn two-factor login on if the code from the app is right; returns the new recovery codes."""
    if user.mfa_enabled or not _accept_totp(user, normalise_code(code)):
        return None
    user.mfa_enrolled_at = utcnow()
    record(actions.MFA_ENROLLED, subject=user, actor=user)
    return new_recovery_codes(user)


def verify_second_factor(user: User, code: str) -> bool:
    """A TOTP code or an unused recovery code; a recovery code is spent by using it.

    Nothing is accepted while the second factor is locked. Each wrong code is an audit event, and the
    MAX_CODE_FAILURES-th within FAILURE_WINDOW locks it and tells the person by email.
    """
    if user.mfa_locked:
        return False
    code = normalise_code(code)
    if _accept_totp(user, code):
        return True
    recovery = db.session.scalar(
        db.select(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash_code(code), RecoveryCode.used_at.is_(None)
        )
    )
    if recovery is None:
        _count_failure(user)
        return False
    recovery.used_at = utcnow()
    db.session.flush()
    record(actions.MFA_RECOVERY_CODE_USED, subject=user, actor=user, remaining=remaining_recovery_codes(user))
    return True


def recent_failures(user: User) -> int:
    """Wrong codes at login within FAILURE_WINDOW, counted from the audit log; none from before (re-)enrolment."""
    since = utcnow() - FAILURE_WINDOW
    if user.mfa_enrolled_at is not None:
        since = max(since, user.mfa_enrolled_at)
    return db.session.scalar(
        db.select(db.func.count(AuditEvent.id)).where(
            AuditEvent.action == actions.MFA_CODE_FAILED, AuditEvent.subject_type == "User",
            AuditEvent.subject_id == user.id, AuditEvent.created_at >= since,
        )
    )


def _count_failure(user: User) -> None:
    record(actions.MFA_CODE_FAILED, subject=user, actor=None)
    db.session.flush()
    failures = recent_failures(user)
    if failures >= MAX_CODE_FAILURES:
        user.mfa_locked_at = utcnow()
        record(actions.MFA_LOCKED, subject=user, actor=None, failures=failures)
        email_user(user, "messaging/email/mfa_locked.txt", failures=failures)


def normalise_code(code: str) -> str:
    """People type spaces and dashes from what they read; recovery codes are stored without them.

    Digits of other scripts (a phone set to Arabic types ١٢٣) count as the digits they are.
    """
    text = unicodedata.normalize("NFKC", code or "").lower()
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch
                   for ch in text if ch.isdecimal() or (ch.isascii() and ch.isalnum()))


# -- recovery codes -------------------------------------------------------------------------------

def _hash_code(code: str) -> str:
    # Keyed with SECRET_KEY: a copy of the database alone does not allow guessing codes offline.
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()


def new_recovery_codes(user: User) -> list[str]:
    """Replace all recovery codes; returns them in readable form, to be shown exactly once."""
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash_code(code)) for code in codes)
    db.session.flush()
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def remaining_recovery_codes(user: User) -> int:
    return db.session.scalar(
        db.select(db.func.count(RecoveryCode.id)).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


# -- turning off --------------------------------------------------------------------------------

def _clear(user: User) -> None:
    user.totp_secret = None
    user.mfa_enrolled_at = None
    user.totp_last_step = None
    user.mfa_locked_at = None
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def disable(user: User) -> None:
    """A resident turns two-factor login off. Staff cannot: it is required for them."""
    if user.mfa_required:
        raise ValueError("two-factor login is required for staff")
    _clear(user)
    record(actions.MFA_DISABLED, subject=user, actor=user)


def reencrypt_secrets() -> int:
    """Write every stored TOTP secret again with the first key of TOTP_ENCRYPTION_KEYS; returns how many.

    After a new key was put first, this lets the old one be removed from the setting.
    """
    rows = db.session.execute(db.select(User.id, User.totp_secret).where(User.totp_secret.is_not(None))).all()
    for user_id, secret in rows:
        db.session.execute(db.update(User).where(User.id == user_id).values(totp_secret=secret))
    db.session.flush()
    return len(rows)


def reset(user: User) -> None:
    """An administrator's reset for a lost phone or a lock: every session ends, enrolment starts again at next login."""
    _clear(user)
    end_all_sessions(user)
    record(actions.MFA_RESET, subject=user)

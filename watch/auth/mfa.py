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
from watch.models import RecoveryCode, User, utcnow

ISSUER = "Grannsamverkan"
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
PENDING_LIFETIME = timedelta(minutes=10)


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
    """A TOTP code or an unused recovery code; a recovery code is spent by using it."""
    code = normalise_code(code)
    if _accept_totp(user, code):
        return True
    recovery = db.session.scalar(
        db.select(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash_code(code), RecoveryCode.used_at.is_(None)
        )
    )
    if recovery is None:
        return False
    recovery.used_at = utcnow()
    db.session.flush()
    record(actions.MFA_RECOVERY_CODE_USED, subject=user, actor=user, remaining=remaining_recovery_codes(user))
    return True


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
    """An administrator's reset for a lost phone: every session ends, enrolment starts again at next login."""
    _clear(user)
    end_all_sessions(user)
    record(actions.MFA_RESET, subject=user)

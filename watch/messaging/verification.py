"""Phone verification: a number gets alert SMS only after its owner typed the code we sent to it.

Codes are 6 digits, valid 10 minutes, single use, with at most 5 tries; only their HMAC is
stored. Sending is rate limited per number and per IP in the routes (Flask-Limiter), and
only allowed country codes pass `normalise_phone`, which keeps SMS pumping out.
"""
import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select, update

from watch.extensions import db
from watch.messaging.optouts import opt_in
from watch.messaging.sms import send_system_sms
from watch.models import PhoneVerification, User, utcnow

CODE_LIFETIME = timedelta(minutes=10)
MAX_TRIES = 5


class CodeCheck(enum.Enum):
    VERIFIED = "verified"
    WRONG = "wrong"
    EXPIRED = "expired"
    TOO_MANY_TRIES = "too_many_tries"
    NO_CODE = "no_code"


@dataclass
class CheckResult:
    outcome: CodeCheck
    tries_left: int = 0


def _digest(verification_phone: str, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{verification_phone}:{code}".encode(), hashlib.sha256).hexdigest()


def start_verification(user: User, phone: str) -> str:
    """A new code for this number (earlier unused codes stop working). Returns the code to send."""
    now = utcnow()
    db.session.execute(
        update(PhoneVerification)
        .where(PhoneVerification.user_id == user.id, PhoneVerification.used_at.is_(None))
        .values(expires_at=now).execution_options(synchronize_session=False)
    )
    code = f"{secrets.randbelow(10 ** 6):06d}"
    db.session.add(PhoneVerification(user_id=user.id, phone=phone, code_hash=_digest(phone, code),
                                     created_at=now, expires_at=now + CODE_LIFETIME))
    db.session.flush()
    return code


def send_code(user: User, phone: str, code: str) -> None:
    """Queue the code SMS, written in the person's language; it leaves when the transaction commits."""
    with force_locale(user.locale):
        body = render_template("messaging/sms/verification_code.txt", code=code,
                               minutes=int(CODE_LIFETIME.total_seconds() // 60)).strip()
    send_system_sms(phone, body, user.id)


def pending_verification(user: User) -> PhoneVerification | None:
    return db.session.scalar(
        select(PhoneVerification)
        .where(PhoneVerification.user_id == user.id, PhoneVerification.used_at.is_(None))
        .order_by(PhoneVerification.id.desc()).limit(1)
    )


def check_code(user: User, code: str) -> CheckResult:
    verification = pending_verification(user)
    if verification is None:
        return CheckResult(CodeCheck.NO_CODE)
    if utcnow() >= verification.expires_at:
        return CheckResult(CodeCheck.EXPIRED)
    # Count the try atomically first, so parallel guesses cannot get past the limit.
    tries = db.session.execute(
        update(PhoneVerification)
        .where(PhoneVerification.id == verification.id, PhoneVerification.attempts < MAX_TRIES)
        .values(attempts=PhoneVerification.attempts + 1)
        .returning(PhoneVerification.attempts).execution_options(synchronize_session=False)
    ).scalar()
    if tries is None:
        return CheckResult(CodeCheck.TOO_MANY_TRIES)
    if not hmac.compare_digest(_digest(verification.phone, code), verification.code_hash):
        left = MAX_TRIES - tries
        return CheckResult(CodeCheck.WRONG if left else CodeCheck.TOO_MANY_TRIES, left)
    now = utcnow()
    verification.used_at = now
    user.phone = user.verified_phone = verification.phone
    user.phone_verified_at = now
    opt_in(verification.phone)  # the owner proved the number is theirs: an earlier STOP of it ends
    return CheckResult(CodeCheck.VERIFIED)

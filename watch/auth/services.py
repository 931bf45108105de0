"""Accounts: creating, authenticating and editing people; passwords and sessions."""
import base64
import hashlib
import json
from dataclasses import asdict, dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import Select, select

from watch.audit import actions
from watch.audit.services import record
from watch.auth import sessions
from watch.extensions import db
from watch.models import Municipality, Role, User
from watch.models.user import new_session_token

PASSWORD_RESET_MAX_AGE = 3600  # seconds
REGISTRATION_MAX_AGE = 24 * 3600  # seconds a link to finish registering works


class EmailTakenError(ValueError):
    pass


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"], memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_taken(email: str) -> bool:
    return db.session.scalar(select(User.id).where(User.email == normalise_email(email))) is not None


def create_user(
    *,
    name: str,
    email: str,
    password: str | None,
    municipality: Municipality | None,
    role: Role = Role.RESIDENT,
    locale: str = "sv",
    phone: str | None = None,
    password_hash: str | None = None,
) -> User:
    """A new account; `password_hash` instead of `password` when the password was hashed earlier (registration)."""
    if email_taken(email):
        raise EmailTakenError(email)
    user = User(
        name=name.strip(),
        email=normalise_email(email),
        password_hash=password_hash or hash_password(password),
        municipality=municipality,
        role=role,
        locale=locale,
        phone=phone,
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None. Upgrades old hashes on the way."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    hasher = _hasher()
    if user is None:
        # Spend the same time as a real check so response time does not reveal which emails exist.
        hasher.hash(password)
        return None
    if not _password_matches(user, password):
        if user.is_staff:
            record(actions.LOGIN_FAILED, subject=user, actor=None)
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return user if user.active else None


def _password_matches(user: User, password: str) -> bool:
    try:
        return _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password(user: User, password: str) -> bool:
    """For confirming a sensitive step (new password, deleting the account) with the current password."""
    return _password_matches(user, password or "")


def logged_in(user: User) -> None:
    """Called when a login is complete (after the second factor where one is needed)."""
    if user.is_staff:
        record(actions.LOGIN, subject=user, actor=user)


def end_all_sessions(user: User, *, keep_current: bool = False) -> None:
    """Every login of this person ends now (with keep_current, all but this request's), and so does a
    login half-way through its second factor; their cookies no longer work, copies included."""
    user.session_token = new_session_token()
    sessions.end_logins(user, keep_current=keep_current)


def log_out_everywhere(user: User) -> None:
    end_all_sessions(user)
    record(actions.SESSIONS_REVOKED, subject=user, actor=user)


def change_password(user: User, new_password: str) -> None:
    """A new password ends every other login of the person; this device stays logged in."""
    user.password_hash = hash_password(new_password)
    end_all_sessions(user, keep_current=True)
    record(actions.PASSWORD_CHANGED, subject=user, actor=user)


# -- password reset by email ----------------------------------------------------------------------

def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _password_fingerprint(user: User) -> str:
    # Changes whenever the password does (argon2 salts every hash), so a used token stops working.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def user_for_reset_request(email: str) -> User | None:
    """The active account a reset email should go to, or None; the page says the same either way."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    return user if user is not None and user.active else None


def password_reset_token(user: User) -> str:
    return _reset_serializer().dumps({"user": user.id, "password": _password_fingerprint(user)})


def user_for_reset_token(token: str) -> User | None:
    """The person a reset link was made for, while it is less than an hour old and not yet used."""
    try:
        data = _reset_serializer().loads(token, max_age=PASSWORD_RESET_MAX_AGE)
    except BadSignature:  # also SignatureExpired
        return None
    user = db.session.get(User, data.get("user")) if isinstance(data, dict) else None
    if user is None or not user.active or data.get("password") != _password_fingerprint(user):
        return None
    return user


def reset_password(user: User, new_password: str) -> None:
    user.password_hash = hash_password(new_password)
    end_all_sessions(user)
    record(actions.PASSWORD_RESET, subject=user, actor=user)


# -- registration confirmed by email --------------------------------------------------------------

@dataclass(frozen=True)
class Registration:
    """What a person typed to register, kept in the link emailed to them until they open it."""

    name: str
    email: str
    password_hash: str
    municipality_id: int
    locale: str
    phone: str | None


def _registration_cipher() -> Fernet:
    # Encrypted, not only signed: the link carries the password's hash. A key of its own, made from SECRET_KEY.
    key = hashlib.sha256(b"grannsamverkan registration link:" + current_app.config["SECRET_KEY"].encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def existing_account(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def start_registration(*, name: str, email: str, password: str, municipality: Municipality, locale: str,
                       phone: str | None) -> tuple[Registration, User | None]:
    """Hash the password and pack the registration; with the account that already has this address, if any.

    The password is hashed either way, so the time taken does not tell whether the address has an account.
    """
    registration = Registration(name=name.strip(), email=normalise_email(email), password_hash=hash_password(password),
                                municipality_id=municipality.id, locale=locale, phone=phone)
    return registration, existing_account(email)


def registration_token(registration: Registration) -> str:
    return _registration_cipher().encrypt(json.dumps(asdict(registration)).encode()).decode("ascii")


def registration_from_token(token: str) -> Registration | None:
    """The registration a link carries while it is less than REGISTRATION_MAX_AGE old; None for anything else."""
    try:
        data = json.loads(_registration_cipher().decrypt(token.encode("ascii"), ttl=REGISTRATION_MAX_AGE))
        return Registration(**data)
    except (InvalidToken, UnicodeError, ValueError, TypeError):
        return None


def registration_municipality(registration: Registration) -> Municipality | None:
    return db.session.get(Municipality, registration.municipality_id)


def finish_registration(registration: Registration) -> User:
    """The account, made when its owner opened the link; EmailTakenError if the address has one by now."""
    municipality = registration_municipality(registration)
    if municipality is None:
        raise LookupError("the municipality is gone")
    return create_user(name=registration.name, email=registration.email, password=None,
                       password_hash=registration.password_hash, municipality=municipality,
                       locale=registration.locale, phone=registration.phone)


def update_profile(user: User, *, name: str, phone: str | None, locale: str) -> None:
    user.name = name.strip()
    user.phone = phone
    user.locale = locale


def municipalities() -> list[Municipality]:
    return list(db.session.scalars(select(Municipality).order_by(Municipality.name)))


def active_coordinators(municipality_id: int) -> Select:
    """The municipality's coordinators whose accounts are open: whom its groups and observations reach."""
    return select(User).where(User.role == Role.COORDINATOR, User.municipality_id == municipality_id,
                              User.active.is_(True))

"""Accounts: creating, authenticating and editing people."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import select

from watch.extensions import db
from watch.models import Municipality, Role, User


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
    password: str,
    municipality: Municipality | None,
    role: Role = Role.RESIDENT,
    locale: str = "sv",
    phone: str | None = None,
) -> User:
    if email_taken(email):
        raise EmailTakenError(email)
    user = User(
        name=name.strip(),
        email=normalise_email(email),
        password_hash=hash_password(password),
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
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return user if user.active else None


def update_profile(user: User, *, name: str, phone: str | None, locale: str) -> None:
    user.name = name.strip()
    user.phone = phone
    user.locale = locale


def municipalities() -> list[Municipality]:
    return list(db.session.scalars(select(Municipality).order_by(Municipality.name)))

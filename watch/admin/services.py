"""What the administrator (systemförvaltare) sets up: municipalities and staff accounts."""
import re
import unicodedata

from email_validator import validate_email
from sqlalchemy import select

from watch.audit import actions
from watch.audit.services import record
from watch.auth.services import create_user, end_all_sessions, normalise_email
from watch.core.municipalities import find_municipality
from watch.extensions import db
from watch.models import Municipality, Role, User


def slugify(name: str) -> str:
    """Oxelösund → oxelosund: URL-safe, readable."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def create_municipality(name: str, code: str, slug: str | None = None) -> Municipality:
    if not re.fullmatch(r"\d{4}", code):
        raise ValueError(f"kommunkod must be four digits, got {code!r}")
    municipality = Municipality(name=name.strip(), code=code, slug=slug or slugify(name))
    for key in (municipality.name, municipality.code, municipality.slug):
        if find_municipality(key) is not None:
            raise ValueError(f"a municipality with {key!r} exists already")
    db.session.add(municipality)
    db.session.flush()
    return municipality


CONTACT_FIELDS = ("contact_email", "dpo_email", "accessibility_email")


def set_contacts(municipality: Municipality, **addresses: str | None) -> None:
    """The municipality's own addresses as controller (CONTACT_FIELDS). None leaves one as it is; an empty
    string clears it, and the privacy notice and accessibility statement then show CONTACT_EMAIL.

    Raises ValueError (email_validator's error) for an address that is not one.
    """
    for name, value in addresses.items():
        if name not in CONTACT_FIELDS:
            raise ValueError(f"unknown contact {name!r}")
        if value is None:
            continue
        value = value.strip()
        if value:
            value = validate_email(value, check_deliverability=False).normalized
            if len(value) > 254:
                raise ValueError(f"{value!r} is longer than 254 characters")
        setattr(municipality, name, value or None)
    db.session.flush()


def create_staff(
    *, name: str, email: str, password: str, role: Role, municipality: Municipality | None,
    covers: list[Municipality] = (), phone: str | None = None, locale: str = "sv",
) -> User:
    if role in (Role.COORDINATOR, Role.POLICE) and municipality is None:
        raise ValueError("coordinators and police belong to a municipality")
    if role == Role.REPORTER:
        raise ValueError("partner reporters are invited by a coordinator, for their organisation")
    user = create_user(
        name=name, email=email, password=password, municipality=municipality, role=role, phone=phone, locale=locale
    )
    if role == Role.POLICE:
        user.covered_municipalities = [m for m in covers if m is not municipality]
    return user


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def change_role(user: User, role: Role, municipality: Municipality | None = None) -> None:
    """A new role (and home municipality) takes effect at the next login: every session ends now."""
    municipality = municipality or user.municipality
    if role in (Role.COORDINATOR, Role.POLICE) and municipality is None:
        raise ValueError("coordinators and police belong to a municipality")
    if role == Role.REPORTER or user.role == Role.REPORTER:
        raise ValueError("partner reporters are invited by a coordinator, for their organisation")
    old = user.role
    user.role, user.municipality = role, municipality
    if role != Role.POLICE:
        user.covered_municipalities = []
    end_all_sessions(user)
    db.session.flush()
    record(actions.ROLE_CHANGED, subject=user, old=str(old), new=str(role), via="cli")

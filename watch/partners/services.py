"""Partner organisations of a municipality, the invitations of their reporters, and suspending either."""
import hashlib
import secrets
from dataclasses import asdict, dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import Select, func, select

from watch.audit import actions
from watch.audit.services import record
from watch.auth.services import create_user, normalise_email
from watch.extensions import db
from watch.models import PartnerApiKey, PartnerKind, PartnerOrganisation, Role, User, utcnow

KIND_LABELS = {
    PartnerKind.SCHOOL: _l("School"),
    PartnerKind.HOUSING: _l("Housing company"),
    PartnerKind.SECURITY: _l("Security company"),
    PartnerKind.YOUTH_CENTRE: _l("Youth centre"),
    PartnerKind.SOCIAL_SERVICES: _l("Social services"),
    PartnerKind.POLICE: _l("Police"),
    PartnerKind.OTHER: _l("Other organisation"),
}

INVITATION_DAYS = 7


class NameTakenError(ValueError):
    pass


# ---- organisations --------------------------------------------------------------------------------

def organisations_select(municipality_ids: set[int]) -> Select:
    return (select(PartnerOrganisation)
            .where(PartnerOrganisation.municipality_id.in_(municipality_ids))
            .order_by(PartnerOrganisation.name, PartnerOrganisation.id))


def reporter_counts(organisations: list[PartnerOrganisation]) -> dict[int, int]:
    """How many reporters each of these organisations has, in one query."""
    return dict(db.session.execute(
        select(User.partner_organisation_id, func.count(User.id))
        .where(User.partner_organisation_id.in_([o.id for o in organisations]))
        .group_by(User.partner_organisation_id)).all())


def organisation_in(municipality_ids: set[int], organisation_id: int) -> PartnerOrganisation | None:
    organisation = db.session.get(PartnerOrganisation, organisation_id)
    return organisation if organisation is not None and organisation.municipality_id in municipality_ids else None


def add_organisation(municipality_id: int, name: str, kind: PartnerKind) -> PartnerOrganisation:
    name = " ".join(name.split())
    taken = db.session.scalar(select(PartnerOrganisation.id).where(
        PartnerOrganisation.municipality_id == municipality_id,
        func.lower(PartnerOrganisation.name) == name.lower()))
    if taken is not None:
        raise NameTakenError(name)
    organisation = PartnerOrganisation(municipality_id=municipality_id, name=name, kind=PartnerKind(kind))
    db.session.add(organisation)
    db.session.flush()
    record(actions.PARTNER_ADDED, subject=organisation, kind=str(organisation.kind))
    return organisation


def set_organisation_suspended(organisation: PartnerOrganisation, suspended: bool) -> None:
    """A suspended organisation's reporters are logged out and cannot log in; its API keys stop working."""
    if suspended == organisation.suspended:
        return
    organisation.suspended_at = utcnow() if suspended else None
    record(actions.PARTNER_SUSPENDED if suspended else actions.PARTNER_RESUMED, subject=organisation)


def reporters_of(organisation: PartnerOrganisation) -> list[User]:
    return list(db.session.scalars(select(User).where(User.partner_organisation_id == organisation.id)
                                   .order_by(User.name, User.id)))


def reporter_of(organisation: PartnerOrganisation, user_id: int) -> User | None:
    user = db.session.get(User, user_id)
    return user if user is not None and user.partner_organisation_id == organisation.id else None


def set_reporter_suspended(reporter: User, suspended: bool) -> None:
    if suspended == (not reporter.active):
        return
    reporter.active = not suspended
    record(actions.REPORTER_SUSPENDED if suspended else actions.REPORTER_RESUMED, subject=reporter,
           municipality_id=reporter.municipality_id)


# ---- invitations ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Invitation:
    """What an invitation link carries; signed, and good for INVITATION_DAYS."""

    organisation_id: int
    name: str
    email: str
    locale: str


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="partner-reporter-invitation")


def invite(organisation: PartnerOrganisation, *, name: str, email: str, locale: str) -> str:
    """The invitation's token, for the link the coordinator's email carries."""
    invitation = Invitation(organisation.id, " ".join(name.split()), normalise_email(email), locale)
    record(actions.REPORTER_INVITED, subject=organisation)
    return _serializer().dumps(asdict(invitation))


def invitation_from_token(token: str) -> tuple[Invitation, PartnerOrganisation] | None:
    """The invitation and its organisation while the link is fresh and the organisation is not suspended."""
    try:
        invitation = Invitation(**_serializer().loads(token, max_age=INVITATION_DAYS * 24 * 3600))
    except (BadSignature, TypeError, ValueError):
        return None
    organisation = db.session.get(PartnerOrganisation, invitation.organisation_id)
    if organisation is None or organisation.suspended:
        return None
    return invitation, organisation


def accept(invitation: Invitation, organisation: PartnerOrganisation, password: str) -> User:
    """The reporter's account; auth's EmailTakenError once the address has one (a link works once)."""
    user = create_user(name=invitation.name, email=invitation.email, password=password,
                       municipality=organisation.municipality, role=Role.REPORTER, locale=invitation.locale)
    user.partner_organisation = organisation
    record(actions.REPORTER_JOINED, subject=organisation, actor=user)
    return user



# ---- API keys for the Open311 API (watch/open311) ---------------------------------------------------

def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def create_api_key(organisation: PartnerOrganisation, by: User | None, key: str | None = None) -> str:
    """A new key for the organisation's system; returned once, only its hash is kept.

    `key` is for the demo only, whose key is published like its passwords.
    """
    key = key or secrets.token_urlsafe(32)
    db.session.add(PartnerApiKey(organisation=organisation, key_hash=_key_hash(key), prefix=key[:8], created_by=by))
    db.session.flush()
    record(actions.API_KEY_CREATED, subject=organisation, actor=by)
    return key


def api_keys_of(organisation: PartnerOrganisation) -> list[PartnerApiKey]:
    return list(db.session.scalars(select(PartnerApiKey).where(PartnerApiKey.organisation_id == organisation.id)
                                   .order_by(PartnerApiKey.created_at.desc(), PartnerApiKey.id.desc())))


def api_key_of(organisation: PartnerOrganisation, key_id: int) -> PartnerApiKey | None:
    key = db.session.get(PartnerApiKey, key_id)
    return key if key is not None and key.organisation_id == organisation.id else None


def revoke_api_key(key: PartnerApiKey) -> None:
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        record(actions.API_KEY_REVOKED, subject=key.organisation)


def organisation_for_key(key: str) -> PartnerOrganisation | None:
    """The organisation a presented key files for: None if unknown, revoked, or the organisation is suspended."""
    if not key:
        return None
    found = db.session.scalar(select(PartnerApiKey).where(PartnerApiKey.key_hash == _key_hash(key)))
    if found is None or found.revoked_at is not None or found.organisation.suspended:
        return None
    found.last_used_at = utcnow()
    return found.organisation

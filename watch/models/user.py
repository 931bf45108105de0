import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Column, ForeignKey, String, Table, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from watch.models.base import Base, UTCDateTime, str_enum, utcnow
from watch.models.encryption import EncryptedString
from watch.models.municipality import Municipality
from watch.models.partner import PartnerOrganisation


class AlertChannel(enum.StrEnum):
    SMS = "sms"
    EMAIL = "email"
    NONE = "none"  # read alerts in the portal only


class NoticeChoice(enum.StrEnum):
    """How a coordinator hears of new observations and new SMS in the inbox."""
    EACH = "each"  # one message for each
    DAILY = "daily"  # one summary every morning
    OFF = "off"


class Role(enum.StrEnum):
    RESIDENT = "resident"
    COORDINATOR = "coordinator"
    POLICE = "police"
    ADMIN = "admin"
    REPORTER = "reporter"  # staff of a partner organisation (school, housing company, ...): files observations


# A police area spans several kommuner, so an officer may cover more than their home one.
police_coverage = Table(
    "police_coverage",
    Base.metadata,
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("municipality_id", ForeignKey("municipality.id", ondelete="CASCADE"), primary_key=True),
)


# Roles that see other people's data: two-factor login, short sessions.
STAFF_ROLES = (Role.COORDINATOR, Role.POLICE, Role.ADMIN)


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(UserMixin, Base):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    # Stored lower-cased, which makes the unique constraint case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(String(16))  # E.164
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str] = mapped_column(String(5), default="sv")
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"), default=Role.RESIDENT, index=True)
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"), index=True)
    # Reporters only: the partner organisation they report for (in their municipality).
    partner_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("partner_organisation.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Changes whenever every login of the person ends (watch.auth.services.end_all_sessions), so that a
    # login half-way through (password right, second factor still due: watch.auth.mfa) ends too.
    session_token: Mapped[str] = mapped_column(String(43), default=new_session_token)
    # TOTP (authenticator app). The secret is kept from the first scan; enrolled once a code was confirmed.
    # Encrypted at rest with TOTP_ENCRYPTION_KEYS: a copy of the database alone gives no one the codes.
    totp_secret: Mapped[str | None] = mapped_column(EncryptedString(255, "TOTP_ENCRYPTION_KEYS"))
    mfa_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last accepted TOTP time step: a code is never accepted twice (RFC 6238, section 5.2).
    totp_last_step: Mapped[int | None]
    # Coordinators: how they hear of new observations and inbox SMS (their channel: see alert_channel), and
    # when their last daily summary went (so that several workers send it once).
    coordinator_notices: Mapped[NoticeChoice] = mapped_column(
        str_enum(NoticeChoice, "notice_choice"), default=NoticeChoice.EACH, server_default=NoticeChoice.EACH.value
    )
    daily_summary_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set after too many wrong codes (watch/auth/mfa.py): no login until an administrator resets two-factor login.
    mfa_locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Alerts: SMS only reach a number its owner verified with a code; the channel is their choice,
    # and members (not contact persons) get alerts sent to them only if they opted in.
    verified_phone: Mapped[str | None] = mapped_column(String(16), index=True)  # inbound SMS find their sender
    phone_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    alert_channel: Mapped[AlertChannel] = mapped_column(
        str_enum(AlertChannel, "alert_channel"), default=AlertChannel.SMS, server_default=AlertChannel.SMS.value
    )
    member_alerts: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Alerts by push on this person's devices instead of SMS, while they have a device with push turned on.
    push_instead_of_sms: Mapped[bool] = mapped_column(default=False, server_default=false())

    municipality: Mapped[Municipality | None] = relationship()
    partner_organisation: Mapped[PartnerOrganisation | None] = relationship()
    covered_municipalities: Mapped[list[Municipality]] = relationship(secondary=police_coverage)

    # The token of the login (LoginSession) this request runs under: set by watch.core.security.load_user
    # and watch.auth.sessions.log_in. Not a column; None outside a logged-in request.
    login_token = None

    @property
    def is_active(self) -> bool:  # Flask-Login logs out deactivated users and the reporters of a suspended partner
        return self.active and not (self.partner_organisation is not None and self.partner_organisation.suspended)

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and remember cookie: the login's token, not the person's id.

        Logging in goes through watch.auth.sessions.log_in, which makes the LoginSession row first.
        """
        if self.login_token is None:
            raise RuntimeError("log people in with watch.auth.sessions.log_in, which records the login")
        return self.login_token

    # UserMixin compares get_id(), which is a login rather than a person: compare people by id.
    __hash__ = object.__hash__

    def __eq__(self, other):
        if isinstance(other, User):
            return self is other or (self.id is not None and self.id == other.id)
        return NotImplemented

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def mfa_enabled(self) -> bool:
        return self.mfa_enrolled_at is not None

    @property
    def mfa_locked(self) -> bool:
        return self.mfa_locked_at is not None

    @property
    def mfa_required(self) -> bool:
        """Staff see other people's data: they cannot log in on a password alone."""
        return self.is_staff

    @property
    def has_verified_phone(self) -> bool:
        """Verification belongs to a number: changing the number in the profile undoes it."""
        return self.phone is not None and self.verified_phone == self.phone

    def municipality_ids(self) -> set[int]:
        """The municipalities whose data this person may see in their role."""
        ids = {m.id for m in self.covered_municipalities} if self.role == Role.POLICE else set()
        if self.municipality_id is not None:
            ids.add(self.municipality_id)
        return ids

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from watch.models.base import Base, UTCDateTime, str_enum, utcnow
from watch.models.municipality import Municipality


class PartnerKind(enum.StrEnum):
    """What kind of organisation a partner is: the lägesbild counts by it."""
    SCHOOL = "school"
    HOUSING = "housing"  # a housing company (bostadsbolag)
    SECURITY = "security"  # a security company (väktare, ordningsvakter)
    YOUTH_CENTRE = "youth_centre"  # fritidsgård
    SOCIAL_SERVICES = "social_services"
    POLICE = "police"
    OTHER = "other"


class PartnerOrganisation(Base):
    """An organisation of the municipality whose staff (Role.REPORTER) report incidents in public places."""

    __tablename__ = "partner_organisation"
    __table_args__ = (Index("ix_partner_organisation_municipality_name", "municipality_id", "name", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"))
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[PartnerKind] = mapped_column(str_enum(PartnerKind, "partner_kind"))
    # A suspended organisation's reporters cannot log in and its API keys stop working.
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    municipality: Mapped[Municipality] = relationship()

    @property
    def suspended(self) -> bool:
        return self.suspended_at is not None

    def __repr__(self) -> str:
        return f"<PartnerOrganisation {self.id} {self.kind}>"


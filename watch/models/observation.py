import enum
from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from watch.models.base import Base, UTCDateTime, str_enum, utcnow
from watch.models.group import Group
from watch.models.municipality import Municipality
from watch.models.partner import PartnerOrganisation
from watch.models.user import User


class ObservationCategory(enum.StrEnum):
    SUSPICIOUS_PERSON = "suspicious_person"
    SUSPICIOUS_VEHICLE = "suspicious_vehicle"
    BURGLARY = "burglary"  # or an attempt
    BOAT_THEFT = "boat_theft"  # theft from a boat or of an outboard engine
    # Båtsamverkan (issue 18): the categories about boats are BOAT_CATEGORIES below.
    FUEL_THEFT = "fuel_theft"  # drivmedelsstöld
    STORAGE_THEFT = "storage_theft"  # theft from a boat in winter storage
    VANDALISM = "vandalism"
    FIRE_HAZARD = "fire_hazard"
    OTHER = "other"
    # Public places, reported by partner organisations' reporters (PUBLIC_PLACE_CATEGORIES).
    GRAFFITI = "graffiti"  # graffiti and vandalism
    LITTERING = "littering"  # littering and dumping
    DISORDER = "disorder"
    UNSAFE_PLACE = "unsafe_place"  # an unsafe place, or poor lighting
    DRUG_DEALING = "drug_dealing"  # suspected


# Categories describe places and events, never who someone is. Residents choose among the others.
PUBLIC_PLACE_CATEGORIES = (
    ObservationCategory.GRAFFITI, ObservationCategory.LITTERING, ObservationCategory.DISORDER,
    ObservationCategory.UNSAFE_PLACE, ObservationCategory.DRUG_DEALING,
)


# Categories whose form asks for the boat's name, registration and the engine's make and serial.
BOAT_CATEGORIES = frozenset({ObservationCategory.BOAT_THEFT, ObservationCategory.FUEL_THEFT,
                             ObservationCategory.STORAGE_THEFT})


class ObservationSource(enum.StrEnum):
    WEB = "web"  # the form in the portal
    SMS = "sms"  # a member's SMS to the portal's number; its category is set by the coordinator in triage
    OPEN311 = "open311"  # a partner organisation's system, through the GeoReport v2 API


class ObservationStatus(enum.StrEnum):
    NEW = "new"
    SEEN = "seen"
    FORWARDED = "forwarded"  # to the police of the municipality
    CLOSED = "closed"


class Observation(Base):
    """An iakttagelse: what a member of a group, or a partner organisation's reporter, saw.

    May describe a suspect, so it is sensitive data.
    """

    __tablename__ = "observation"
    __table_args__ = (
        # The coordinator's inbox and the police inbox: newest first, optionally by status.
        # The inbox's orders end in id, so a page deep in a list finds its ids from the index alone
        # (watch/core/pagination.py): page 200 of 10,000 in 0.6 ms instead of 4.5.
        Index("ix_observation_inbox", "municipality_id", "status", "created_at", "id"),
        Index("ix_observation_municipality_created", "municipality_id", "created_at", "id"),
        Index("ix_observation_municipality_category", "municipality_id", "category", "created_at", "id"),
        # Covers what the lägesbild and the yearly follow-up count by, so they read the index alone.
        Index("ix_observation_municipality_week_counts", "municipality_id", "observed_week", "category", "postcode",
              "partner_organisation_id"),
        Index("ix_observation_group_created", "group_id", "created_at"),
        Index("ix_observation_partner_created", "partner_organisation_id", "created_at"),
        Index("ix_observation_reporter_created", "reporter_id", "created_at"),
        # Forwards the police have not yet been told of (watch/observations/notices.py).
        Index("ix_observation_police_notice", "status", "police_notified_at"),
        # A form queued offline is sent again until an answer arrives: one observation per reporter and client id.
        UniqueConstraint("reporter_id", "client_id"),
        # Observations mentioning a serial number, matched against stolen items in the register.
        Index("ix_observation_municipality_serial", "municipality_id", "engine_serial_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A member's observation belongs to their group; a partner reporter's to their organisation instead.
    group_id: Mapped[int | None] = mapped_column(ForeignKey("watch_group.id"))
    partner_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("partner_organisation.id"))
    # Copied from the group so that scoping and the inbox indexes need no join.
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"))
    # Unlinked when the observation is anonymised or the person's account is deleted.
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # The id the reporter's phone gave the form (a UUID), so that a resent form files nothing twice.
    client_id: Mapped[str | None] = mapped_column(String(36))
    # None until the coordinator sets it: a report by SMS comes without one ("Not categorised yet").
    category: Mapped[ObservationCategory | None] = mapped_column(str_enum(ObservationCategory, "observation_category"))
    source: Mapped[ObservationSource] = mapped_column(
        str_enum(ObservationSource, "observation_source"), default=ObservationSource.WEB,
        server_default=ObservationSource.WEB.value,
    )
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # ISO week in Swedish time, e.g. "2026-W05": the unit of the weekly lägesbild, kept after anonymisation.
    observed_week: Mapped[str] = mapped_column(String(8))
    location: Mapped[str] = mapped_column(String(300), default="")
    postcode: Mapped[str | None] = mapped_column(String(5))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    vehicle_registration: Mapped[str | None] = mapped_column(String(10))
    vehicle_colour: Mapped[str | None] = mapped_column(String(40))
    vehicle_make: Mapped[str | None] = mapped_column(String(60))
    # About boats: what the reporter could read off the boat and its engine.
    boat_name: Mapped[str | None] = mapped_column(String(60))
    boat_registration: Mapped[str | None] = mapped_column(String(20))
    engine_make: Mapped[str | None] = mapped_column(String(60))
    engine_serial: Mapped[str | None] = mapped_column(String(64))
    engine_serial_key: Mapped[str | None] = mapped_column(String(64))  # normalised as in the register
    description: Mapped[str] = mapped_column(Text, default="")
    # The photo's name in watch.core.photo_store (database, S3 or UPLOAD_FOLDER/observations); never under static/.
    photo_path: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[ObservationStatus] = mapped_column(
        str_enum(ObservationStatus, "observation_status"), default=ObservationStatus.NEW
    )
    reporter_note: Mapped[str | None] = mapped_column(String(500))  # the coordinator's word to the reporter
    notable: Mapped[bool] = mapped_column(default=False)  # picked for the weekly lägesbild
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status_changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # When the police were told of this forward: the job that tells them claims the forwards without one.
    police_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    group: Mapped[Group | None] = relationship()
    partner_organisation: Mapped[PartnerOrganisation | None] = relationship()
    municipality: Mapped[Municipality] = relationship()
    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
    status_changed_by: Mapped[User | None] = relationship(foreign_keys=[status_changed_by_id])

    def __repr__(self) -> str:
        return f"<Observation {self.id} {self.category} {self.status}>"

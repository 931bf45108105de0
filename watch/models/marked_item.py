import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from watch.models.base import Base, UTCDateTime, str_enum, utcnow
from watch.models.group import Group
from watch.models.user import User


class ItemKind(enum.StrEnum):
    BOAT = "boat"
    OUTBOARD = "outboard"  # utombordsmotor
    INBOARD = "inboard"  # inombordsmotor
    TRAILER = "trailer"  # båttrailer
    OTHER = "other"


class MarkingScheme(enum.StrEnum):
    """How the owner marked the item; the mark itself is the scheme's free-text id."""
    NONE = "none"
    DNA = "dna"  # DNA marking (syntetiskt DNA)
    MICRODOTS = "microdots"  # mikropunkter
    ENGRAVED = "engraved"  # engraved or punched code (gravyr)
    OTHER = "other"


class KeptAt(enum.StrEnum):
    BERTH = "berth"  # båtplats
    WINTER_STORAGE = "winter_storage"  # vinterförvaring
    HOME = "home"
    OTHER = "other"


class MarkedItem(Base):
    """A boat, engine or trailer in the Båtsamverkan register: found again by its serial number or mark.

    Seen by its owner, the contact persons of its group (make, model and place only) and police covering
    its municipality. `serial_key` and `mark_key` are the normalised forms searches compare
    (watch/core/serials.py); `MarkedItemGram` indexes them for near matches.
    """

    __tablename__ = "marked_item"
    __table_args__ = (
        Index("ix_marked_item_municipality_serial", "municipality_id", "serial_key"),
        Index("ix_marked_item_municipality_mark", "municipality_id", "mark_key"),
        Index("ix_marked_item_municipality_stolen", "municipality_id", "stolen_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    # The boat group it belongs to, if any; the municipality is the group's, else the owner's.
    group_id: Mapped[int | None] = mapped_column(ForeignKey("watch_group.id", ondelete="SET NULL"), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"))
    kind: Mapped[ItemKind] = mapped_column(str_enum(ItemKind, "item_kind"))
    make: Mapped[str] = mapped_column(String(60), default="")
    model: Mapped[str] = mapped_column(String(60), default="")
    serial: Mapped[str] = mapped_column(String(64), default="")  # as the owner typed it
    serial_key: Mapped[str] = mapped_column(String(64), default="")
    mark_scheme: Mapped[MarkingScheme] = mapped_column(str_enum(MarkingScheme, "marking_scheme"),
                                                       default=MarkingScheme.NONE)
    mark: Mapped[str] = mapped_column(String(64), default="")
    mark_key: Mapped[str] = mapped_column(String(64), default="")
    colour: Mapped[str] = mapped_column(String(40), default="")
    boat_name: Mapped[str] = mapped_column(String(60), default="")
    registration: Mapped[str] = mapped_column(String(20), default="")  # registration or sail number
    # File name inside the photo folder (watch/observations/photos.py); never under static/.
    photo_path: Mapped[str | None] = mapped_column(String(80))
    kept_at: Mapped[KeptAt] = mapped_column(str_enum(KeptAt, "kept_at"), default=KeptAt.BERTH)
    place: Mapped[str] = mapped_column(String(100), default="")  # berth number or storage place
    # The owner's report that it was stolen, with the day it went; cleared when it is back.
    stolen_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped[User] = relationship()
    group: Mapped[Group | None] = relationship()
    grams: Mapped[list["MarkedItemGram"]] = relationship(cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<MarkedItem {self.id} {self.kind}>"


class MarkedItemGram(Base):
    """One three-character piece of an item's normalised serial or mark: near matches on any database.

    The municipality is copied so that a search over the municipalities an officer covers is one index range.
    """

    __tablename__ = "marked_item_gram"
    __table_args__ = (Index("ix_marked_item_gram_lookup", "gram", "municipality_id", "item_id"),)

    item_id: Mapped[int] = mapped_column(ForeignKey("marked_item.id", ondelete="CASCADE"), primary_key=True)
    gram: Mapped[str] = mapped_column(String(3), primary_key=True)
    municipality_id: Mapped[int]

"""Photo bytes kept in the database, so that every web instance serves the same photos (watch.core.photo_store)."""
from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from watch.models.base import Base, UTCDateTime, utcnow


class StoredPhoto(Base):
    """One stored photo (a re-encoded JPEG without metadata), found by the name its owner row keeps."""

    __tablename__ = "stored_photo"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

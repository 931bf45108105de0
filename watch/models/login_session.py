import hashlib
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from watch.models.base import Base, UTCDateTime, utcnow
from watch.models.user import User


class LoginSession(Base):
    """One login on one device, from the second factor (or password) until logout, revocation or expiry.

    The session and remember cookies carry a random token (User.get_id); the row's key is the token's
    SHA-256, so a copy of this table logs no one in and the profile page can name a row without
    revealing a token. watch.core.security.load_user reads it by key on every request.
    """

    __tablename__ = "login_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Moved forward at most once a minute (watch.core.security.LAST_SEEN_STEP), not on every request.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # What the profile page shows ("Chrome", "Android"), read from the User-Agent at login; "" when unknown.
    # The User-Agent itself and the address are not stored.
    browser: Mapped[str] = mapped_column(String(40), default="")
    system: Mapped[str] = mapped_column(String(40), default="")

    user: Mapped[User] = relationship()

    @staticmethod
    def key_for(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

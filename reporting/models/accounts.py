"""User accounts and roles."""
from datetime import datetime
import enum
import secrets

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reporting.models.base import Base, UTCDateTime, enum_check, utcnow
from reporting.models.countries import Country


class Role(str, enum.Enum):
    ADMIN = "admin"
    COMPILER = "compiler"
    FOCAL_POINT = "focal_point"
    VIEWER = "viewer"

    @property
    def is_country_bound(self) -> bool:
        return self in (Role.FOCAL_POINT, Role.VIEWER)


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        enum_check("role", Role, "role"),
        CheckConstraint(
            "(role IN ('focal_point', 'viewer')) = (country_id IS NOT NULL)",
            name="country_iff_country_role",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    country_id: Mapped[int | None] = mapped_column(ForeignKey("countries.id"), index=True)
    locale: Mapped[str | None] = mapped_column(String(5))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Rotated at every login and logout: a session cookie carries it, so an old
    # cookie stops working the moment its session is ended.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    country: Mapped[Country | None] = relationship()

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:  # Flask-Login
        return f"{self.id}:{self.session_token}"

    def can_see_country(self, country_id: int) -> bool:
        return not self.role_enum.is_country_bound or self.country_id == country_id

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class ApiToken(Base):
    """A bearer token for the REST API. Only its SHA-256 is stored; the token
    itself is shown once, when it is created."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

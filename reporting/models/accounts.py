"""User accounts and roles."""
from datetime import datetime
import enum
import secrets

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reporting.models.base import Base, UTCDateTime, enum_check, utcnow
from reporting.models.countries import Country


class Role(str, enum.Enum):
    ADMIN = "admin"
    COMPILER = "compiler"
    FOCAL_POINT = "focal_point"
    CONTRIBUTOR = "contributor"
    VIEWER = "viewer"

    @property
    def is_country_bound(self) -> bool:
        return self in COUNTRY_ROLES


COUNTRY_ROLES = (Role.FOCAL_POINT, Role.CONTRIBUTOR, Role.VIEWER)


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        enum_check("role", Role, "role"),
        CheckConstraint(
            f"(role IN ({', '.join(repr(role.value) for role in COUNTRY_ROLES)})) = (country_id IS NOT NULL)",
            name="country_iff_country_role",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # The person's name, shown in the history of changes next to what they did.
    name: Mapped[str | None] = mapped_column(String(120))
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

    @property
    def has_password(self) -> bool:
        """An invited contributor has none until they follow their invitation link."""
        return bool(self.password_hash)

    @property
    def display_name(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email

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
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class AccountLinkPurpose(str, enum.Enum):
    INVITATION = "invitation"
    RESET = "reset"


class AccountLink(Base):
    """A one-time, expiring link e-mailed to a person so that they set a password:
    the invitation of a contributor, or a password reset. Only the SHA-256 of
    the token is stored, so the database alone cannot be used to sign in."""

    __tablename__ = "account_links"
    __table_args__ = (enum_check("purpose", AccountLinkPurpose, "purpose"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class SectionAssignment(Base):
    """A questionnaire section (by its stable key) that a contributor may edit for their country."""

    __tablename__ = "section_assignments"
    __table_args__ = (UniqueConstraint("user_id", "section_key", name="uq_section_assignments_user_section"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    section_key: Mapped[str] = mapped_column(String(160))
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

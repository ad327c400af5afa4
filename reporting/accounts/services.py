"""Accounts: creating users, checking passwords, starting and ending sessions.

Plain functions so the CLI, the web views and the tests share one code path.
"""
from datetime import datetime, timedelta, timezone
import hashlib
import secrets

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from reporting import audit
from reporting.extensions import db
from reporting.models import ApiToken, Country, Role, User
from reporting.models.accounts import new_session_token

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
# Hash computed once so that an unknown e-mail costs as much time as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password-but-same-cost")


class AccountError(ValueError):
    """Bad account input; the message names the field and the problem."""


def normalise_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise AccountError(f"email {email!r} is not valid: {error}") from None


def check_password_strength(password: str, email: str = "") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"password is too short: at least {MIN_PASSWORD_LENGTH} characters are required")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"password is too long: at most {MAX_PASSWORD_LENGTH} characters")
    if len(set(password)) < 4:
        raise AccountError("password is too simple: use at least 4 different characters")
    local_part = email.split("@")[0].lower()
    if len(local_part) >= 4 and local_part in password.lower():
        raise AccountError("password must not contain the e-mail address")


def parse_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise AccountError(f"unknown role {role!r}: choose one of {allowed}") from None


def find_country(iso3: str) -> Country:
    country = db.session.scalar(select(Country).where(Country.iso3 == iso3.strip().upper()))
    if country is None:
        raise AccountError(f"unknown country code {iso3!r}: give an ISO 3166 alpha-3 code such as FRA")
    return country


def create_user(email: str, password: str, role: str, country_iso3: str | None = None) -> User:
    """Validate everything first, then add the user and its audit event to the session."""
    email = normalise_email(email)
    role_enum = parse_role(role)
    if role_enum.is_country_bound and not country_iso3:
        raise AccountError(f"role {role_enum.value} needs a country: pass --country ISO3")
    if not role_enum.is_country_bound and country_iso3:
        raise AccountError(f"role {role_enum.value} covers all countries: do not pass a country")
    country = find_country(country_iso3) if country_iso3 else None
    check_password_strength(password, email)
    if db.session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise AccountError(f"a user with email {email} already exists")
    user = User(
        email=email,
        password_hash=generate_password_hash(password),
        role=role_enum.value,
        country=country,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.created",
        "user",
        user.id,
        country_id=country.id if country else None,
        new={"email": email, "role": role_enum.value, "country": country.iso3 if country else None},
    )
    return user


def authenticate(email: str, password: str) -> User | None:
    try:
        email = normalise_email(email)
    except AccountError:
        email = ""
    user = db.session.scalar(select(User).where(User.email == email)) if email else None
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def start_session(user: User) -> None:
    """Rotate the session token at login, so a session fixed before login is worthless."""
    user.session_token = new_session_token()
    user.last_login_at = datetime.now(timezone.utc)
    audit.record("user.login", "user", user.id, actor=(user.id, user.email))


def end_session(user: User) -> None:
    """Rotate the token at logout: a copied cookie of the ended session no longer signs in."""
    user.session_token = new_session_token()
    audit.record("user.logout", "user", user.id, actor=(user.id, user.email))


def set_preferred_language(user: User, language: str) -> None:
    audit.record("user.locale", "user", user.id, old=user.locale, new=language)
    user.locale = language


def load_user(token: str) -> User | None:
    """Flask-Login loader: ``<id>:<session token>``; a rotated token means signed out."""
    user_id, _, session_token = token.partition(":")
    if not user_id.isdigit() or not session_token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_token != session_token:
        return None
    return user


API_TOKEN_PREFIX = "drp_"


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(email: str, name: str, days: int = 365) -> str:
    """A new bearer token for ``email``; returned once, only its digest is kept."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise AccountError(f"no user with email {email}")
    if not 1 <= days <= 730:
        raise AccountError("a token lives between 1 and 730 days")
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = datetime.now(timezone.utc) + timedelta(days=days)
    db.session.add(ApiToken(user=user, name=name[:80], token_sha256=_token_digest(token), expires_at=expires))
    audit.record("token.created", "user", user.id, country_id=user.country_id, new={"name": name, "expires": expires.isoformat()})
    return token


def user_for_token(token: str) -> User | None:
    """The active user behind a bearer token that is neither expired nor revoked."""
    if not token.startswith(API_TOKEN_PREFIX):
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_sha256 == _token_digest(token)))
    now = datetime.now(timezone.utc)
    if row is None or row.revoked_at or (row.expires_at and row.expires_at < now) or not row.user.active:
        return None
    return row.user

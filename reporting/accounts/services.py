"""Accounts: creating users, checking passwords, starting and ending sessions.

Plain functions so the CLI, the web views and the tests share one code path.
"""
from datetime import datetime, timedelta, timezone
import hashlib
import secrets

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from reporting import audit
from reporting.core.inputs import InputError, clean_text
from reporting.extensions import db
from reporting.models import AccountLink, AccountLinkPurpose, ApiToken, Country, Role, User
from reporting.models.accounts import new_session_token

MIN_PASSWORD_LENGTH = 12
MIN_PASSWORD_SCORE = 3  # zxcvbn: 0 (guessable at once) to 4 (very unguessable)
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


def check_password_strength(password: str, email: str = "") -> str:
    """The password as it will be hashed (NFC, see ``reporting.core.inputs``), or AccountError saying why not.

    Every place a password is set comes here. Length and variety rules first,
    then zxcvbn: passwords it rates below 3 of 4 (a common password, a keyboard
    walk such as ``qwertyuiop12``, a word with digits such as ``password1234``,
    the person's own e-mail) are refused with its hint.
    """
    try:
        password = clean_text(password, "password", MAX_PASSWORD_LENGTH)
    except InputError as error:
        raise AccountError(f"password: {error.message}") from None
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"password is too short: at least {MIN_PASSWORD_LENGTH} characters are required")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"password is too long: at most {MAX_PASSWORD_LENGTH} characters")
    if len(set(password)) < 4:
        raise AccountError("password is too simple: use at least 4 different characters")
    local_part = email.split("@")[0].lower()
    if len(local_part) >= 4 and local_part in password.lower():
        raise AccountError("password must not contain the e-mail address")
    # zxcvbn refuses more than 72 characters; a longer passphrase is judged by its start.
    rating = zxcvbn(password[:72], user_inputs=[email, local_part])
    if rating["score"] < MIN_PASSWORD_SCORE:
        hint = rating["feedback"]["warning"] or "add more words or characters that are not a common pattern"
        raise AccountError(f"password is too easy to guess: {hint.rstrip('.')}. Use a longer passphrase of unrelated words.")
    return password


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


MAX_NAME_LENGTH = 120


def clean_name(name: str | None) -> str | None:
    try:
        name = " ".join(clean_text(name or "", "name").split())
    except InputError as error:
        raise AccountError(str(error)) from None
    if len(name) > MAX_NAME_LENGTH:
        raise AccountError(f"name is too long: at most {MAX_NAME_LENGTH} characters")
    return name or None


def create_user(
    email: str, password: str | None, role: str, country_iso3: str | None = None, *, name: str | None = None,
) -> User:
    """Validate everything first, then add the user and its audit event to the session.

    ``password=None`` only for an invited contributor, who chooses a password
    through the one-time link of their invitation (see ``issue_account_link``).
    """
    email = normalise_email(email)
    name = clean_name(name)
    role_enum = parse_role(role)
    if role_enum.is_country_bound and not country_iso3:
        raise AccountError(f"role {role_enum.value} needs a country: give its ISO3 code, e.g. FRA")
    if not role_enum.is_country_bound and country_iso3:
        raise AccountError(f"role {role_enum.value} covers all countries: give no country")
    country = find_country(country_iso3) if country_iso3 else None
    if password is not None:
        password = check_password_strength(password, email)
    if db.session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise AccountError(f"a user with email {email} already exists")
    user = User(
        email=email,
        name=name,
        password_hash=generate_password_hash(password) if password is not None else "",
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
    if user is None or not user.active or not user.has_password:
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
TOKEN_USE_RESOLUTION = timedelta(minutes=1)


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(email: str, name: str, days: int = 365) -> str:
    """A new bearer token for ``email``; returned once, only its digest is kept."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise AccountError(f"no user with email {email}")
    if not 1 <= days <= 730:
        raise AccountError("a token lives between 1 and 730 days")
    try:
        name = clean_text(name, "name", 80).strip()
    except InputError as error:
        raise AccountError(str(error)) from None
    if not name:
        raise AccountError("name: say what the token is for, e.g. the client's name")
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = datetime.now(timezone.utc) + timedelta(days=days)
    db.session.add(ApiToken(user=user, name=name[:80], token_sha256=_token_digest(token), expires_at=expires))
    audit.record("token.created", "user", user.id, country_id=user.country_id, new={"name": name, "expires": expires.isoformat()})
    return token


def api_token(token: str) -> ApiToken | None:
    """The token row behind a bearer token whose user is active and that is neither expired nor revoked.

    Its last use is recorded at most once a minute, so the tokens page can
    show which clients still use it without a write on every API call.
    """
    if not token.startswith(API_TOKEN_PREFIX):
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_sha256 == _token_digest(token)).options(joinedload(ApiToken.user)))
    now = datetime.now(timezone.utc)
    if row is None or row.revoked_at or (row.expires_at and row.expires_at < now) or not row.user.active:
        return None
    if row.last_used_at is None or now - row.last_used_at > TOKEN_USE_RESOLUTION:
        from reporting.database import write_transaction

        with write_transaction():
            row.last_used_at = now
    return row


def api_tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, newest first, revoked and expired ones included (they say so)."""
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def token_state(row: ApiToken) -> str:
    """``revoked``, ``expired`` or ``active``."""
    if row.revoked_at:
        return "revoked"
    return "expired" if row.expires_at and row.expires_at < datetime.now(timezone.utc) else "active"


def revoke_api_token(user: User, token_id: int) -> ApiToken:
    """Stop one of ``user``'s tokens at once; the next request with it gets 401."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id))
    if row is None:
        raise AccountError(f"{user.email} has no API token {token_id}")
    if row.revoked_at is not None:
        raise AccountError(f"API token {token_id} ({row.name}) of {user.email} is already revoked")
    row.revoked_at = datetime.now(timezone.utc)
    audit.record("token.revoked", "user", user.id, country_id=user.country_id, new={"token": row.id, "name": row.name})
    return row


# --- deactivation ------------------------------------------------------------------

def find_user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise AccountError(f"no user with email {email}")
    return user


def set_active(user: User, active: bool, by: User | None = None) -> bool:
    """Deactivate or reactivate an account; returns whether anything changed.

    A deactivated user cannot sign in, and their open sessions and API tokens
    stop working at the next request: the session token is rotated, and
    ``load_user`` and ``api_token`` refuse inactive users.
    """
    if not active and by is not None and by.id == user.id:
        raise AccountError("you cannot deactivate your own account")
    if user.active == active:
        return False
    user.active = active
    user.session_token = new_session_token()
    audit.record(
        "user.reactivated" if active else "user.deactivated", "user", user.id,
        country_id=user.country_id, old={"active": not active}, new={"active": active},
    )
    return True


# --- one-time links: invitations and password resets ------------------------------

class LinkError(AccountError):
    """A one-time link that cannot be used; the message tells the person what to do."""


LINK_MESSAGES = {
    "unknown": _l("This link is not valid. Check that you opened the whole address from the e-mail."),
    "used": _l("This link has already been used. Each link works only once."),
    "expired_invitation": _l("This invitation has expired. Ask your national focal point to invite you again."),
    "expired_reset": _l("This password reset link has expired or was replaced by a newer one. Ask for a new link."),
}


def link_lifetime(purpose: AccountLinkPurpose) -> timedelta:
    if purpose is AccountLinkPurpose.INVITATION:
        return timedelta(days=current_app.config["INVITATION_VALID_DAYS"])
    return timedelta(minutes=current_app.config["PASSWORD_RESET_VALID_MINUTES"])


def issue_account_link(user: User, purpose: AccountLinkPurpose, created_by: User | None = None) -> tuple[str, AccountLink]:
    """A new one-time link for ``user``; earlier unused links of the same user stop working.
    Returns the token (to be e-mailed, never stored) and the stored link."""
    now = datetime.now(timezone.utc)
    db.session.execute(
        update(AccountLink).where(AccountLink.user_id == user.id, AccountLink.used_at.is_(None), AccountLink.expires_at > now)
        .values(expires_at=now)
    )
    token = secrets.token_urlsafe(32)
    link = AccountLink(
        user=user, purpose=purpose.value, token_sha256=_token_digest(token),
        created_by_id=created_by.id if created_by else None, expires_at=now + link_lifetime(purpose),
    )
    db.session.add(link)
    audit.record(f"account_link.{purpose.value}", "user", user.id, country_id=user.country_id,
                 new={"expires": link.expires_at.isoformat()})
    return token, link


def check_account_link(token: str, *, lock: bool = False) -> AccountLink:
    """The link behind ``token``, or ``LinkError`` saying why it cannot be used."""
    query = select(AccountLink).where(AccountLink.token_sha256 == _token_digest(token or ""))
    link = db.session.scalar(query.with_for_update() if lock else query)
    if link is None or not link.user.active:
        raise LinkError(LINK_MESSAGES["unknown"])
    if link.used_at is not None:
        raise LinkError(LINK_MESSAGES["used"])
    if link.expires_at <= datetime.now(timezone.utc):
        raise LinkError(LINK_MESSAGES[f"expired_{link.purpose}"])
    return link


def redeem_account_link(token: str, password: str) -> User:
    """Set the password through a one-time link, which is then spent; every other
    session of the account ends. Nothing changes when the link or the password is refused."""
    link = check_account_link(token, lock=True)
    user = link.user
    password = check_password_strength(password, user.email)
    link.used_at = datetime.now(timezone.utc)
    user.password_hash = generate_password_hash(password)
    user.session_token = new_session_token()
    audit.record(
        "user.invitation_accepted" if link.purpose == AccountLinkPurpose.INVITATION.value else "user.password_reset",
        "user", user.id, country_id=user.country_id, actor=(user.id, user.email),
    )
    return user


def send_password_reset(user: User, by: User | None = None) -> None:
    """E-mail a reset link to an active user (an admin's action, or the user's own request)."""
    from reporting.notifications import services as notify

    if not user.active:
        raise AccountError(f"the account {user.email} is deactivated: reactivate it first")
    token, _link = issue_account_link(user, AccountLinkPurpose.RESET, created_by=by)
    notify.password_reset(user, token, current_app.config["PASSWORD_RESET_VALID_MINUTES"])


def request_password_reset(email: str) -> None:
    """The public "forgot password" request: a link goes out only to an existing, active
    account with a password, and the caller learns nothing either way."""
    try:
        user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    except AccountError:
        return
    if user is not None and user.active and user.has_password:
        send_password_reset(user)

"""Who may see and do what. Every view, export and API route goes through
these guards, so the country boundary is enforced in one place."""
import functools

from flask import Flask, abort, g, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from reporting.accounts.services import api_token, load_user
from reporting.core.errors import MESSAGES, render_error
from reporting.extensions import db, login_manager
from reporting.models import Country, Role, SectionAssignment, User
from sqlalchemy import select

STAFF_ROLES = (Role.ADMIN, Role.COMPILER)


def roles_required(*roles: Role):
    """Signed in (else 401/redirect) and holding one of ``roles`` (else 403)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role_enum not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def visible_country(iso3: str) -> Country:
    """The country named in a URL: 404 if unknown, 403 if not the user's own."""
    country = db.session.scalar(select(Country).where(Country.iso3 == iso3.upper()))
    if country is None:
        abort(404)
    if not current_user.can_see_country(country.id):
        abort(403)
    return country


def assigned_sections(user: User) -> frozenset[str] | None:
    """The questionnaire sections ``user`` may work on: ``None`` means all of them
    (everyone but a contributor), a contributor gets the sections their focal
    point assigned. Pages, the API and the submission service all ask here."""
    if user.role_enum is not Role.CONTRIBUTOR:
        return None
    return frozenset(db.session.scalars(select(SectionAssignment.section_key).where(SectionAssignment.user_id == user.id)))


def section_allowed(user: User, section_key: str) -> bool:
    sections = assigned_sections(user)
    return sections is None or section_key in sections


def _unauthorized():
    if request.path.startswith("/api/"):
        return render_error(401, MESSAGES[401])
    from flask import flash, redirect, url_for

    from reporting.core.security import UNSAVED_KEPT
    from reporting.responses.pending import keep_unsaved_post, session_user_id

    # A save whose session was ended elsewhere (a sign-in on another computer): keep what was typed.
    if keep_unsaved_post(session_user_id()):
        flash(UNSAVED_KEPT, "info")

    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def _load_user_from_request(req):
    """REST clients authenticate with ``Authorization: Bearer <token>`` (API routes only).

    Flask-Login asks here only when the session cookie signed nobody in, so
    ``authenticated_by_token`` is true exactly when the token, not a cookie,
    is what authenticates the request (see ``api.views.authenticate``).
    """
    scheme, _, token = req.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not req.path.startswith("/api/"):
        return None
    row = api_token(token.strip())
    if row is None:
        return None
    g.api_token_id = row.id
    return row.user


def authenticated_by_token() -> bool:
    """Whether a valid bearer token (not the session cookie) signed this request in."""
    return g.get("api_token_id") is not None


def init_app(app: Flask) -> None:
    login_manager.user_loader(load_user)
    login_manager.request_loader(_load_user_from_request)
    login_manager.unauthorized_handler(_unauthorized)
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.session_protection = "strong"

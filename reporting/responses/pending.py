"""Saves that outlive their session: typed input is never lost on Save.

A focal point types for an hour, the idle timeout ends the session (or they
signed in on another computer, which ends this one), then they press Save.
The post is refused as unauthenticated, but its values are kept here, under
the account whose session sent them, and shown again, exactly as typed, when
that account next opens the section. Pressing Save then goes through the
usual checks, CSRF and the version the page was based on: if someone saved
in the meantime, the 409 page shows both versions with this input kept.

The values are shown back rather than saved directly: whoever signs in sees
them before anything changes, so an old copied session cookie cannot plant
answers for its owner to save unseen. A post is kept only when its CSRF token
matches its session, and only for a section page.
"""
from datetime import datetime, timedelta, timezone

from flask import request, session
from flask_wtf.csrf import validate_csrf
from sqlalchemy import delete, select
from werkzeug.datastructures import MultiDict
from wtforms import ValidationError

from reporting.database import write_transaction
from reporting.extensions import db
from reporting.models import PendingSave, User

KEPT_FOR = timedelta(days=7)
KEPT_ENDPOINTS = frozenset({"responses.section"})


def session_user_id() -> int | None:
    """The account of the (ended) session the request carries, from its signed cookie."""
    user_id = str(session.get("_user_id", "")).partition(":")[0]
    return int(user_id) if user_id.isascii() and user_id.isdigit() else None


def keep_unsaved_post(user_id: int | None) -> bool:
    """Keep this request's posted section values for ``user_id``; whether they were kept."""
    if user_id is None or request.method != "POST" or request.endpoint not in KEPT_ENDPOINTS:
        return False
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return False
    formdata = [[name, value] for name, value in request.form.items(multi=True) if name != "csrf_token"]
    with write_transaction():
        # One kept save per page and account: the latest typed input wins.
        db.session.execute(delete(PendingSave).where(PendingSave.user_id == user_id, PendingSave.path == request.path))
        db.session.add(PendingSave(user_id=user_id, path=request.path, formdata=formdata))
    return True


def take_unsaved_post(user: User, path: str) -> MultiDict | None:
    """The values kept for ``user`` on ``path`` (removed as they are handed back), if any recent ones."""
    row = db.session.scalar(
        select(PendingSave).where(PendingSave.user_id == user.id, PendingSave.path == path)
        .order_by(PendingSave.id.desc()).limit(1)
    )
    if row is None:
        return None
    formdata = MultiDict([tuple(pair) for pair in row.formdata])
    fresh = row.created_at > datetime.now(timezone.utc) - KEPT_FOR
    with write_transaction():
        db.session.execute(delete(PendingSave).where(PendingSave.user_id == user.id, PendingSave.path == path))
    return formdata if fresh else None

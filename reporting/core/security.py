"""Response hardening and session lifetime for every request."""
from datetime import datetime, timezone

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, logout_user

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
LAST_SEEN = "_last_seen"
UNSAVED_KEPT = _l("What you were saving has been kept: after you sign in, it is shown again on its page for you to save.")


def set_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "same-origin"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if request.is_secure:
        headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    if current_user and current_user.is_authenticated:
        # Country data must not linger in shared browser caches or the back button after logout.
        headers["Cache-Control"] = "no-store"
    return response


def mark_active() -> None:
    session[LAST_SEEN] = datetime.now(timezone.utc).timestamp()


def expire_idle_session():
    """End a signed-in session that has been idle longer than IDLE_TIMEOUT."""
    if not current_user.is_authenticated or "_user_id" not in session:
        return None  # anonymous, or a bearer-token API call that has no session
    now = datetime.now(timezone.utc).timestamp()
    last_seen = session.get(LAST_SEEN, now)
    if now - last_seen > current_app.config["IDLE_TIMEOUT"].total_seconds():
        from reporting.accounts.services import end_session
        from reporting.database import write_transaction
        from reporting.responses.pending import keep_unsaved_post

        kept = keep_unsaved_post(current_user.id)  # while the session (and its CSRF token) still exists
        with write_transaction():
            end_session(current_user._get_current_object())
        logout_user()
        session.clear()
        flash(_("Your session expired after a period of inactivity. Please sign in again."), "info")
        if kept:
            flash(UNSAVED_KEPT, "info")
        if request.path.startswith("/api/"):
            return None  # the API's own 401 follows, as the user is now anonymous
        return redirect(url_for("accounts.login", next=request.full_path))
    mark_active()
    return None


def init_app(app: Flask) -> None:
    app.after_request(set_security_headers)
    app.before_request(expire_idle_session)

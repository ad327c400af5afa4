"""Pages that belong to no single domain step: home, language switch, health."""
from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from reporting.core.i18n import SESSION_KEY
from reporting.database import write_transaction

bp = Blueprint("core", __name__)


def safe_next(target: str | None, fallback: str) -> str:
    """Only same-site relative paths are followed, so links cannot redirect users elsewhere."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


@bp.get("/")
def index():
    """Signed-in users land on their work: the reporting cycles."""
    if current_user.is_authenticated:
        return redirect(url_for("responses.index"))
    return render_template("core/index.html")


@bp.post("/language")
def set_language():
    """Remember the chosen language (per account when signed in) and return to the same page."""
    language = request.form.get("lang", "")
    target = safe_next(request.form.get("next"), url_for("core.index"))
    if language not in current_app.config["LANGUAGES"]:
        return redirect(target)
    session[SESSION_KEY] = language
    if current_user.is_authenticated and current_user.locale != language:
        from reporting.accounts.services import set_preferred_language

        with write_transaction():
            set_preferred_language(current_user, language)
    return redirect(target)


@bp.get("/healthz")
def health():
    return {"status": "ok"}

"""Sign-in and sign-out."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from reporting.accounts.forms import LoginForm
from reporting.accounts.services import authenticate, end_session, start_session
from reporting.core.i18n import SESSION_KEY
from reporting.core.security import mark_active
from reporting.core.views import safe_next
from reporting.database import write_transaction
from reporting.extensions import limiter

bp = Blueprint("accounts", __name__)


def _login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            flash(_("The e-mail address or password is not correct."), "error")
            return render_template("accounts/login.html", form=form), 401
        language = session.get(SESSION_KEY)
        session.clear()  # a fresh session: nothing set before sign-in survives it
        with write_transaction():
            start_session(user)
        if language:
            session[SESSION_KEY] = language
        login_user(user)
        mark_active()
        return redirect(safe_next(form.next.data, url_for("core.index")))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    with write_transaction():
        end_session(current_user._get_current_object())
    logout_user()
    session.clear()
    flash(_("You have been signed out."), "info")
    return redirect(url_for("accounts.login"))

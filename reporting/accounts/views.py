"""Sign-in and sign-out; forgotten passwords and the one-time links of invitations and resets."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from reporting.accounts.forms import ForgotPasswordForm, LoginForm, SetPasswordForm
from reporting.accounts.services import (
    AccountError, LinkError, authenticate, check_account_link, end_session, redeem_account_link,
    request_password_reset, start_session,
)
from reporting.models import AccountLinkPurpose
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


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def forgot_password():
    """Ask for a reset link. The answer is the same whether or not the account exists."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        with write_transaction():
            request_password_reset(form.email.data)
        flash(_("If an active account uses this address, a link to choose a new password has been sent to it. "
                "The link can be used once."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form), 422 if form.errors else 200


@bp.route("/password/set/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """The page behind an invitation or password-reset link: choose a password, once."""
    try:
        link = check_account_link(token)
    except LinkError as error:
        return render_template("accounts/link_error.html", message=error.args[0]), 410
    form = SetPasswordForm()
    invitation = link.purpose == AccountLinkPurpose.INVITATION.value
    if form.validate_on_submit():
        try:
            with write_transaction():
                user = redeem_account_link(token, form.password.data)
        except LinkError as error:  # spent by another request in the meantime
            return render_template("accounts/link_error.html", message=error.args[0]), 410
        except AccountError as error:
            form.password.errors.append(str(error))
        else:
            if current_user.is_authenticated:
                logout_user()
                session.clear()
            flash(_("Your password has been set. Please sign in with %(email)s.", email=user.email), "success")
            return redirect(url_for("accounts.login"))
    return render_template(
        "accounts/set_password.html", form=form, user=link.user, invitation=invitation,
    ), 422 if form.errors else 200

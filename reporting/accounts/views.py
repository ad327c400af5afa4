"""Sign-in and sign-out; forgotten passwords and the one-time links of invitations and resets."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from reporting.accounts.forms import ForgotPasswordForm, LoginForm, SetPasswordForm
from reporting.accounts.services import (
    AccountError, LinkError, api_tokens_of, authenticate, check_account_link, end_session, redeem_account_link,
    request_password_reset, revoke_api_token, start_session, token_state,
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


def _address_rate_limit() -> str:
    return current_app.config["LOGIN_ADDRESS_RATE_LIMIT"]


def _account_key() -> str:
    """The account a sign-in is for, as typed (so a guesser cannot dodge the limit by changing case)."""
    return "account:" + request.form.get("email", "").strip().lower()[:254]


def _failed(response) -> bool:
    """Only refused passwords count towards the limits: people who sign in often are never slowed."""
    return response.status_code == 401


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, key_func=_account_key, methods=["POST"], deduct_when=_failed, scope="login-account")
@limiter.limit(_address_rate_limit, methods=["POST"], deduct_when=_failed, scope="login-address")
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


# --- the user's own REST API tokens -------------------------------------------------

TOKEN_STATE_LABELS = {"active": _l("Active"), "expired": _l("Expired"), "revoked": _l("Revoked")}


@bp.get("/account/tokens")
@login_required
def tokens():
    """The signed-in user's API tokens with their last use; each can be revoked here."""
    from reporting.responses.forms import CsrfForm

    rows = [(row, token_state(row)) for row in api_tokens_of(current_user)]
    return render_template("accounts/tokens.html", tokens=rows, state_labels=TOKEN_STATE_LABELS, action_form=CsrfForm())


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    from reporting.responses.forms import CsrfForm

    if not CsrfForm().validate_on_submit():
        abort(400)
    try:
        with write_transaction():
            row = revoke_api_token(current_user._get_current_object(), token_id)
    except AccountError:
        abort(404)  # not one of the user's tokens, or already revoked: nothing to do here
    flash(_("The API token “%(name)s” is revoked; programs using it can no longer sign in.", name=row.name), "success")
    return redirect(url_for("accounts.tokens"))

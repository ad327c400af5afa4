"""Administrators manage accounts in the web UI with the same service functions
as ``flask users …``: same password rules, same role and country checks."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from reporting.accounts.access import roles_required
from reporting.accounts.forms import UserCreateForm
from reporting.accounts.services import AccountError, create_user, send_password_reset, set_active
from reporting.core.templating import ROLE_LABELS
from reporting.database import write_transaction
from reporting.extensions import db
from reporting.models import MessageStatus, OutboxMessage, Role, User
from reporting.notifications.delivery import smtp_configured
from reporting.responses.forms import CsrfForm

bp = Blueprint("admin", __name__, url_prefix="/admin")
OUTBOX_PAGE_SIZE = 200
MESSAGE_STATUS_LABELS = {
    MessageStatus.PENDING.value: _l("waiting to be sent"),
    MessageStatus.SENDING.value: _l("being sent"),
    MessageStatus.SENT.value: _l("sent"),
    MessageStatus.LOGGED.value: _l("written to the log (no SMTP server)"),
    MessageStatus.FAILED.value: _l("not delivered; will be retried"),
}


def _create_form() -> UserCreateForm:
    form = UserCreateForm()
    form.role.choices = [SelectChoice(role.value, ROLE_LABELS[role.value]) for role in Role]
    return form


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _render_users(form: UserCreateForm, status: int = 200):
    users = db.session.scalars(select(User).options(selectinload(User.country)).order_by(User.role, User.email)).all()
    return render_template("accounts/admin_users.html", users=users, form=form, action_form=CsrfForm()), status


@bp.get("/users")
@roles_required(Role.ADMIN)
def users():
    return _render_users(_create_form())


@bp.post("/users")
@roles_required(Role.ADMIN)
def create():
    form = _create_form()
    if form.validate_on_submit():
        try:
            with write_transaction():
                user = create_user(form.email.data, form.password.data, form.role.data, form.country.data or None,
                                   name=form.name.data)
        except AccountError as error:
            form.email.errors.append(str(error))
        else:
            flash(_("Account %(email)s created.", email=user.email), "success")
            return redirect(url_for("admin.users"))
    return _render_users(form, 422)


@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def deactivate(user_id: int):
    """GET asks for confirmation; POST (from that page) deactivates."""
    user = _user_or_404(user_id)
    form = CsrfForm()
    if form.validate_on_submit():
        try:
            with write_transaction():
                set_active(user, False, by=current_user)
        except AccountError as error:
            flash(str(error), "error")
            return redirect(url_for("admin.users"))
        flash(_("Account %(email)s deactivated: it can no longer sign in or use its API tokens.", email=user.email), "success")
        return redirect(url_for("admin.users"))
    return render_template("accounts/admin_confirm.html", user=user, form=form,
                           action=url_for("admin.deactivate", user_id=user.id))


@bp.post("/users/<int:user_id>/reactivate")
@roles_required(Role.ADMIN)
def reactivate(user_id: int):
    user = _user_or_404(user_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    with write_transaction():
        set_active(user, True, by=current_user)
    flash(_("Account %(email)s reactivated.", email=user.email), "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/reset")
@roles_required(Role.ADMIN)
def reset(user_id: int):
    user = _user_or_404(user_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    try:
        with write_transaction():
            send_password_reset(user, by=current_user)
    except AccountError as error:
        flash(str(error), "error")
    else:
        flash(_("A link to choose a new password has been e-mailed to %(email)s.", email=user.email), "success")
    return redirect(url_for("admin.users"))


@bp.get("/outbox")
@roles_required(Role.ADMIN)
def outbox():
    """Every e-mail the system wrote, newest first; without an SMTP server, with its text."""
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(OUTBOX_PAGE_SIZE)).all()
    return render_template("notifications/outbox.html", messages=messages, smtp=smtp_configured(),
                           status_labels=MESSAGE_STATUS_LABELS)

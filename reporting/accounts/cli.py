"""``flask users …``"""
import click
from flask.cli import AppGroup

from reporting.accounts.services import AccountError, create_api_token, create_user, find_user, send_password_reset, set_active
from reporting.core.cli import database_errors_as_click
from reporting.database import write_transaction
from reporting.notifications.delivery import deliver_pending

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", required=True, help="admin, compiler, focal_point, contributor or viewer")
@click.option("--country", "country", metavar="ISO3", help="Country of a focal point, contributor or viewer.")
@click.option("--name", default=None, help="The person's name, shown in the history of changes.")
@click.password_option(prompt="Password (12+ characters)", help="Prompted for when not given.")
@database_errors_as_click
def create(email: str, role: str, country: str | None, name: str | None, password: str) -> None:
    """Create a user; the password is hashed, never stored."""
    try:
        with write_transaction():
            user = create_user(email, password, role, country, name=name)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {user.role} {user.email}" + (f" for {user.country.iso3}" if user.country else ""))


@users_cli.command("token")
@click.argument("email")
@click.option("--name", required=True, help="What the token is for, e.g. the client's name.")
@click.option("--days", default=365, show_default=True, help="Days until it expires (1–730).")
@database_errors_as_click
def token(email: str, name: str, days: int) -> None:
    """Create a REST API bearer token for a user; it is printed once."""
    try:
        with write_transaction():
            value = create_api_token(email, name, days)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(value)


def _set_active(email: str, active: bool) -> None:
    try:
        with write_transaction():
            changed = set_active(find_user(email), active)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    state = "active" if active else "deactivated"
    click.echo(f"{email} is {state}." if changed else f"{email} was already {state}; nothing changed.")


@users_cli.command("deactivate")
@click.argument("email")
@database_errors_as_click
def deactivate(email: str) -> None:
    """Stop an account: no sign-in; its sessions and API tokens stop working at once."""
    _set_active(email, False)


@users_cli.command("reactivate")
@click.argument("email")
@database_errors_as_click
def reactivate(email: str) -> None:
    """Let a deactivated account sign in again."""
    _set_active(email, True)


@users_cli.command("reset-password")
@click.argument("email")
@database_errors_as_click
def reset_password(email: str) -> None:
    """E-mail the user a one-time link to choose a new password."""
    try:
        with write_transaction():
            send_password_reset(find_user(email))
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    delivered, failed = deliver_pending()
    click.echo(f"A password link was sent to {email}." if not failed else f"The message to {email} could not be delivered yet; see the outbox.")

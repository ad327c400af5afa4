"""``flask users …``"""
import click
from flask.cli import AppGroup

from reporting.accounts.services import (
    AccountError, api_tokens_of, create_api_token, create_user, find_user, revoke_api_token, send_password_reset, set_active,
    token_state,
)
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


def _when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "never"


@users_cli.command("tokens")
@click.argument("email")
@database_errors_as_click
def tokens(email: str) -> None:
    """List a user's REST API tokens: id, name, state, created, expires, last used."""
    try:
        rows = api_tokens_of(find_user(email))
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    if not rows:
        click.echo(f"{email} has no API tokens.")
    for row in rows:
        click.echo(f"{row.id}\t{row.name}\t{token_state(row)}\tcreated {_when(row.created_at)}\texpires {_when(row.expires_at)}\tlast used {_when(row.last_used_at)}")


@users_cli.command("revoke-token")
@click.argument("email")
@click.argument("token_id", type=click.IntRange(min=1), metavar="ID")
@database_errors_as_click
def revoke_token(email: str, token_id: int) -> None:
    """Revoke one of a user's API tokens (ID from `flask users tokens`); it stops working at once."""
    try:
        with write_transaction():
            row = revoke_api_token(find_user(email), token_id)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Revoked API token {row.id} ({row.name}) of {email}.")


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

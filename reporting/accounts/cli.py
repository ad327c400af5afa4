"""``flask users …``"""
import click
from flask.cli import AppGroup

from reporting.accounts.services import AccountError, create_api_token, create_user
from reporting.core.cli import database_errors_as_click
from reporting.database import write_transaction

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", required=True, help="admin, compiler, focal_point or viewer")
@click.option("--country", "country", metavar="ISO3", help="Country of a focal point or viewer.")
@click.password_option(prompt="Password (12+ characters)", help="Prompted for when not given.")
@database_errors_as_click
def create(email: str, role: str, country: str | None, password: str) -> None:
    """Create a user; the password is hashed, never stored."""
    try:
        with write_transaction():
            user = create_user(email, password, role, country)
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

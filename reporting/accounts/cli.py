"""``flask users …``"""
import click
from flask.cli import AppGroup

from reporting.accounts.services import AccountError, create_user
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

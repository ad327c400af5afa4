"""``flask countries …``"""
import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from reporting.core.cli import database_errors_as_click
from reporting.countries.services import CountryDataError, load_countries
from reporting.database import write_transaction
from reporting.extensions import db
from reporting.models import Country

countries_cli = AppGroup("countries", help="UN Member States reference data.")


@countries_cli.command("load")
@database_errors_as_click
def load() -> None:
    """Load or refresh the 193 Member States and 2 observer States (idempotent)."""
    try:
        with write_transaction():
            added, updated = load_countries()
    except CountryDataError as error:
        raise click.ClickException(str(error)) from None
    total = db.session.scalar(select(func.count()).select_from(Country))
    members = db.session.scalar(select(func.count()).select_from(Country).where(Country.is_member_state))
    click.echo(f"Countries: {added} added, {updated} updated; {members} Member States, {total - members} observer States.")

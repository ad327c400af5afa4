"""``flask demo``: everything the README's first command needs to show the product."""
import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from reporting.core.cli import database_errors_as_click
from reporting.countries.services import load_countries
from reporting.database import write_transaction
from reporting.extensions import db
from reporting.models import Country
from reporting.demo.services import DEMO_PASSWORD, create_demo, demo_accounts, demo_exists
from reporting.questionnaire.schema import SPECS_DIR
from reporting.questionnaire.versions import SpecVersionConflict, activate_spec, newest_spec


@click.command("demo")
@with_appcontext
@database_errors_as_click
def demo_command() -> None:
    """Load synthetic, clearly labelled demo data: two cycles for all 193 Member States and demo accounts."""
    with write_transaction():
        load_countries()
    spec = newest_spec(SPECS_DIR, "arq")
    if spec is None:
        raise click.ClickException(f"no questionnaire spec in {SPECS_DIR}: run `flask spec generate` first")
    try:
        activate_spec(spec)
    except SpecVersionConflict as error:
        raise click.ClickException(str(error)) from None
    if demo_exists():
        click.echo("Demo data is already loaded.")
    else:
        members = db.session.scalar(select(func.count()).select_from(Country).where(Country.is_member_state))
        with click.progressbar(length=2 * members, label="Answering two demo cycles for every Member State") as bar:
            with write_transaction():
                counts = create_demo(spec["version"], progress=bar.update)
        click.echo(f"Demo data: 2 cycles (DEMO-2024 published, DEMO-2025 open), {counts['answers']:,} answers, spec {spec['version']}.")
    click.echo("\nDemo sign-ins (password for all: %s):" % DEMO_PASSWORD)
    for account in demo_accounts():
        country = f" ({account.country})" if account.country else ""
        click.echo(f"  {account.role:<12} {account.email}{country}")

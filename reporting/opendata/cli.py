"""``flask opendata build``: (re)write the open data of published cycles.

Publishing a cycle and building its reports write it already; this is for a
cycle published before open data existed, or after changing the licence text.
"""
import click
from flask.cli import AppGroup

from reporting.core.cli import database_errors_as_click
from reporting.opendata.files import OpenDataError, write_cycle_files
from reporting.publication.policy import published_cycles
from reporting.reports.services import ReportError, report_cycle

opendata_cli = AppGroup("opendata", help="Open data of the published cycles.")


@opendata_cli.command("build")
@click.option("--cycle", "cycle_label", metavar="LABEL", help="One published cycle (default: every published cycle).")
@database_errors_as_click
def build(cycle_label: str | None) -> None:
    """Write REPORTS_DIR/<cycle>/open-data/: aggregates, public answers and the data dictionary (CSV, XLSX, JSON)."""
    try:
        cycles = [report_cycle(cycle_label)] if cycle_label else published_cycles()
    except ReportError as error:
        raise click.ClickException(str(error)) from None
    if not cycles:
        click.echo("No published cycle: nothing to write.")
    for cycle in cycles:
        try:
            manifest = write_cycle_files(cycle)
        except OpenDataError as error:
            raise click.ClickException(str(error)) from None
        if manifest is None:
            raise click.ClickException(f"cycle {cycle.label} is {cycle.state}: only a published cycle has open data")
        size = sum(entry["size"] for entry in manifest["files"].values())
        click.echo(f"Cycle {cycle.label}: {len(manifest['files'])} files ({size / 1e6:.1f} MB) "
                   f"in {cycle.label}/open-data/{manifest['generation']}")

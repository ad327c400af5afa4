"""``flask register build|check|export``."""
from collections import Counter
from pathlib import Path

import click
from flask.cli import AppGroup

from reporting.register.build import build_register, load_register, register_checksum, write_register
from reporting.register.check import check_sources
from reporting.register.export import FORMATS, export
from reporting.register.model import DOCUMENTS, PILLARS, RegisterError

register_cli = AppGroup("register", help="Build, check and export the commitment register.")

sources_option = click.option("--sources-dir", type=click.Path(file_okay=False, path_type=Path),
                              help="Source copies with SHA256SUMS (default: questionnaire_specs/sources).")
register_option = click.option("--register-dir", type=click.Path(file_okay=False, path_type=Path),
                               help="Register directory (default: questionnaire_specs/register).")


@register_cli.command("build")
@sources_option
@register_option
def build(sources_dir: Path | None, register_dir: Path | None) -> None:
    """Build the register from the sources and write one YAML file per document."""
    try:
        records = build_register(sources_dir, register_dir)
        write_register(records, register_dir)
    except RegisterError as error:
        raise click.ClickException(str(error)) from None
    documents = Counter(record["document"] for record in records)
    pillars = Counter(record["pillar"] for record in records)
    for key in DOCUMENTS:
        click.echo(f"{key:20} {documents[key]:4}")
    for pillar in PILLARS:
        click.echo(f"{pillar:26} {pillars[pillar]:4}")
    click.echo(f"{len(records)} records; register checksum {register_checksum(register_dir)}")


@register_cli.command("check")
@sources_option
@register_option
@click.option("--verbose", is_flag=True, help="List what every source line was used for.")
def check(sources_dir: Path | None, register_dir: Path | None, verbose: bool) -> None:
    """Account for every source line and compare the committed register with a fresh build."""
    report = check_sources(sources_dir, register_dir)
    if verbose:
        for name, number, kind, detail in report.ledger:
            click.echo(f"{name}:{number}: {kind} {detail}".rstrip())
    if report.problems:
        raise click.ClickException("\n".join(report.problems))
    counts = ", ".join(f"{report.counts[kind]} {kind}" for kind in ("record", "heading", "skip", "blank"))
    click.echo(f"All {sum(report.counts.values())} source lines accounted for ({counts}); "
               "the committed register matches a fresh build.")


@register_cli.command("export")
@click.option("--format", "format_", type=click.Choice(FORMATS), default="json", show_default=True)
@register_option
def export_command(format_: str, register_dir: Path | None) -> None:
    """Print the committed register to stdout."""
    try:
        records = load_register(register_dir)
    except RegisterError as error:
        raise click.ClickException(str(error)) from None
    click.echo(export(records, format_), nl=False)

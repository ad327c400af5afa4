"""``flask register build|check|export``."""
from collections import Counter
from pathlib import Path

import click
from flask.cli import AppGroup

from reporting.register.build import build_register, load_register, register_checksum, write_register
from reporting.register.check import check_sources
from reporting.register.export import FORMATS, export
from reporting.register.model import DOCUMENTS, PILLARS, RegisterError
from reporting.register.similar import DEFAULT_THRESHOLD, homes_for, similar_groups

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


@register_cli.command("similar")
@click.option("--threshold", type=click.IntRange(1, 100), default=DEFAULT_THRESHOLD, show_default=True,
              help="Similarity (0-100) from which two commitments are proposed together.")
@click.option("--id", "record_ids", multiple=True, metavar="ID",
              help="Propose the questions of questions.yaml that could cover this commitment (repeatable).")
@register_option
def similar(threshold: int, record_ids: tuple[str, ...], register_dir: Path | None) -> None:
    """Propose groups of alike Member-State commitments within a chapter, or homes for a commitment."""
    from reporting.questionnaire.questions import QUESTIONS_PATH, covers_by_question

    try:
        records = load_register(register_dir)
    except RegisterError as error:
        raise click.ClickException(str(error)) from None
    if not record_ids:
        for group in similar_groups(records, threshold):
            click.echo(f"UNGASS chapter {group[0]['chapter']}, {len(group)} commitments:")
            for record in group:
                click.echo(f"  {record['id']:40} {record['title']}")
        return
    by_id = {record["id"]: record for record in records}
    unknown = [record_id for record_id in record_ids if record_id not in by_id]
    if unknown:
        raise click.ClickException(f"not in the register: {', '.join(unknown)}")
    path = register_dir / QUESTIONS_PATH.name if register_dir else QUESTIONS_PATH
    covers = covers_by_question(path)
    for record_id in record_ids:
        click.echo(f"{record_id} ({by_id[record_id]['title']}):")
        for home in homes_for(by_id[record_id], records, covers):
            click.echo(f"  {home.question:32} similarity {home.score:3.0f} (closest: {home.closest})")

"""``flask report build``"""
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from reporting.core.cli import database_errors_as_click
import time

from reporting.extensions import db
from reporting.models import ReportBuild
from reporting.reports.build import Build, lower_priority, start_build
from reporting.tasks import queue_enabled
from reporting.reports.fonts import harfbuzz_subsetting
from reporting.reports.services import ReportError, parse_countries, parse_languages, report_cycle

report_cli = AppGroup("report", help="Build the progress reports, country profiles and exports.")


@report_cli.command("build")
@click.option("--cycle", "cycle_label", metavar="LABEL", help="Reporting cycle (default: the latest).")
@click.option("--lang", "languages", default="all", show_default=True, metavar="all|ar,zh,…",
              help="Languages of the PDFs.")
@click.option("--countries", default="all", show_default=True, metavar="all|none|ISO3,…",
              help="Member States to write a country profile for.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default: the app's reports folder, instance/reports).")
@click.option("--workers", type=click.IntRange(min=1), help="Rendering processes (default: one per core).")
@click.option("--rebuild", is_flag=True, help="Render every PDF, even those whose inputs have not changed.")
@click.option("--queue", "queued", is_flag=True,
              help="Hand the build to the queue workers (needs REDIS_URL) and follow its progress.")
@database_errors_as_click
def build(cycle_label: str | None, languages: str, countries: str, out_dir: Path | None, workers: int | None,
          rebuild: bool, queued: bool) -> None:
    """Write OUT/<cycle>/<lang>/*.pdf, OUT/<cycle>/data/* and OUT/<cycle>/manifest.json.

    PDFs whose inputs (answers, spec, language, templates, translations) have not changed since
    the last build are kept, not rendered again."""
    if queued:
        return _queued(cycle_label, languages, countries, out_dir, workers, rebuild)
    out_dir = out_dir or Path(current_app.config["REPORTS_DIR"])
    try:
        cycle = report_cycle(cycle_label)
        report = Build(cycle, parse_languages(languages), parse_countries(countries), out_dir)
        if not harfbuzz_subsetting():
            click.echo("warning: libharfbuzz-subset0 is not installed; fonts are subset with fontTools, "
                       "about 10× slower (apt-get install libharfbuzz-subset0)", err=True)
        click.echo(f"Cycle {cycle.label} ({cycle.state}): aggregated in {report.aggregation_seconds:.2f} s; "
                   f"rendering {len(report.jobs)} PDF{'s' if len(report.jobs) != 1 else ''}")
        lower_priority(current_app.config["BUILD_NICENESS"])
        with click.progressbar(length=len(report.jobs), label="Rendering", show_pos=True) as bar:
            outputs = report.run(on_done=lambda _job: bar.update(1), workers=workers, rebuild=rebuild)
    except ReportError as error:
        raise click.ClickException(str(error)) from None
    for problem in report.answers.unwritable:
        click.echo(f"warning: answer not written to the exports (left empty): {problem}", err=True)
    for output in outputs:
        if output.missing_glyphs:
            click.echo(f"warning: {output.job.path}: no installed font has {', '.join(output.missing_glyphs)}", err=True)
    pages = sum(output.pages or 0 for output in outputs)
    size = sum(output.size for output in outputs)
    templating = sum(output.templating for output in outputs)
    weasyprint = sum(output.weasyprint for output in outputs)
    kept = sum(output.reused for output in outputs)
    click.echo(f"Wrote {len(outputs) - kept} files ({pages} pages, {size / 1e6:.1f} MB) to {report.folder}"
               + (f"; kept {kept} PDFs whose inputs had not changed" if kept else ""))
    click.echo(f"Rendering time summed over the workers: templating {templating:.1f} s, WeasyPrint {weasyprint:.1f} s")
    if not report.in_app_folder:
        click.echo("(outside the app's reports folder: not offered for download in the web UI)")


def _queued(cycle_label: str | None, languages: str, countries: str, out_dir: Path | None, workers: int | None,
            rebuild: bool) -> None:
    """Queue the build as the web page does, then follow it until it ends (Ctrl-C stops following, not the build)."""
    if out_dir or workers or rebuild:
        raise click.UsageError("--queue builds into the app's reports folder with the queue workers; "
                               "it takes no --out, --workers or --rebuild")
    if not queue_enabled():
        raise click.UsageError("--queue needs REDIS_URL (the Redis the queue workers listen to)")
    try:
        row = start_build(report_cycle(cycle_label).label, parse_languages(languages), countries)
    except ReportError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Build {row.id} queued: {row.total} PDFs, {row.reused} kept unchanged; "
               "start workers with `flask queue worker`")
    started = time.monotonic()
    with click.progressbar(length=row.total, label="Rendering", show_pos=True) as bar:
        while row.state_enum.active:
            time.sleep(1)
            db.session.expire_all()
            row = db.session.get(ReportBuild, row.id)
            bar.update(row.done - bar.pos)
    if row.state != "done":
        raise click.ClickException(f"build {row.id} {row.state}" + (f": {row.message}" if row.message else ""))
    click.echo(f"Build {row.id} done in {time.monotonic() - started:.1f} s: {row.total - row.reused} PDFs rendered, "
               f"{row.reused} kept")

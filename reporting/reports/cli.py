"""``flask report build``"""
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from reporting.core.cli import database_errors_as_click
from reporting.reports.build import Build
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
@database_errors_as_click
def build(cycle_label: str | None, languages: str, countries: str, out_dir: Path | None, workers: int | None) -> None:
    """Write OUT/<cycle>/<lang>/*.pdf, OUT/<cycle>/data/* and OUT/<cycle>/manifest.json."""
    out_dir = out_dir or Path(current_app.config["REPORTS_DIR"])
    try:
        cycle = report_cycle(cycle_label)
        report = Build(cycle, parse_languages(languages), parse_countries(countries), out_dir)
        if not harfbuzz_subsetting():
            click.echo("warning: libharfbuzz-subset0 is not installed; fonts are subset with fontTools, "
                       "about 10× slower (apt-get install libharfbuzz-subset0)", err=True)
        click.echo(f"Cycle {cycle.label} ({cycle.state}): aggregated in {report.aggregation_seconds:.2f} s; "
                   f"rendering {len(report.jobs)} PDF{'s' if len(report.jobs) != 1 else ''}")
        with click.progressbar(length=len(report.jobs), label="Rendering", show_pos=True) as bar:
            outputs = report.run(on_done=lambda _job: bar.update(1), workers=workers)
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
    click.echo(f"Wrote {len(outputs)} files ({pages} pages, {size / 1e6:.1f} MB) to {report.folder}")
    click.echo(f"Rendering time summed over the workers: templating {templating:.1f} s, WeasyPrint {weasyprint:.1f} s")
    if not report.in_app_folder:
        click.echo("(outside the app's reports folder: not offered for download in the web UI)")

"""``flask backup create`` and ``flask backup restore``."""
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from reporting.backup.services import BackupError, create, restore
from reporting.core.cli import database_errors_as_click

backup_cli = AppGroup("backup", help="Back up and restore the database and the documents store.")


def _summary(result) -> str:
    rows = result.tables
    return (f"{rows.get('answers', 0)} answers, {rows.get('submissions', 0)} submissions, "
            f"{rows.get('audit_events', 0)} audit events, {sum(rows.values())} rows in {len(rows)} tables, "
            f"{result.documents} documents")


@backup_cli.command("create")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the backup folder into (default: instance/backups).")
@database_errors_as_click
def create_command(out_dir: Path | None) -> None:
    """Back up while the app runs: SQLite's online backup or pg_dump, plus instance/documents."""
    try:
        result = create(out_dir or Path(current_app.instance_path) / "backups")
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up {_summary(result)} to {result.folder}")


@backup_cli.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@database_errors_as_click
def restore_command(folder: Path, yes: bool) -> None:
    """Replace the database and the documents store with FOLDER's, checking every file and table.

    Stop the web server and the queue workers first."""
    if not yes:
        click.confirm(f"Replace the database and the documents store with the backup in {folder}?", abort=True)
    try:
        result = restore(folder)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored and verified {_summary(result)} from {result.folder}")

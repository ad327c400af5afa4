"""``flask cycle …``: the same cycle services the compilers' pages use."""
from datetime import date

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from reporting.core.cli import database_errors_as_click
from reporting.database import write_transaction
from reporting.extensions import db
from reporting.models import Cycle, CycleState, Submission
from reporting.notifications import services as notify
from reporting.notifications.delivery import deliver_pending
from reporting.opendata.files import OpenDataError, write_cycle_files
from reporting.responses import cycles as service

cycle_cli = AppGroup("cycle", help="Open, close, publish, list reporting cycles and send deadline reminders.")


def _deadline(_ctx, _param, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD") from None


@cycle_cli.command("open")
@click.argument("label")
@click.option("--spec", "spec_version", required=True, help="Questionnaire spec version, e.g. 1.0.0.")
@click.option("--deadline", required=True, callback=_deadline, help="YYYY-MM-DD")
@database_errors_as_click
def open_(label: str, spec_version: str, deadline: date) -> None:
    """Open a cycle on a frozen spec version, pre-filled from the previous cycle."""
    try:
        with write_transaction():
            cycle = service.open_cycle(label, spec_version, deadline)
    except service.CycleError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Cycle {cycle.label} is open (spec {spec_version}, deadline {deadline.isoformat()}).")
    _deliver()


def _deliver() -> None:
    delivered, failed = deliver_pending()
    if delivered or failed:
        click.echo(f"E-mail: {delivered} delivered" + (f", {failed} not delivered (kept in the outbox, retried next time)" if failed else "") + ".")


def _reminder_days(_ctx, _param, value: str) -> list[int]:
    try:
        return notify.parse_reminder_days(value)
    except notify.ReminderError as error:
        raise click.BadParameter(str(error).removeprefix(f"--days {value!r}: ")) from None


@cycle_cli.command("remind")
@click.argument("label")
@click.option("--days", default="14,7,1", show_default=True, callback=_reminder_days,
              help="Days before the deadline at which to remind, comma-separated.")
@database_errors_as_click
def remind(label: str, days: list[int]) -> None:
    """E-mail deadline reminders to the focal points of countries that have not submitted.

    Safe to run every day from cron: each reminder is recorded and never sent twice.
    """
    try:
        counts = notify.send_reminders(service.find_cycle(label), days)
    except (service.CycleError, notify.ReminderError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Cycle {label}: reminded {counts['countries']} countries ({counts['messages']} messages); "
        f"{counts['already_sent']} already reminded, {counts['no_focal_point']} without an active focal point."
    )
    _deliver()


def _transition(label: str, target: CycleState) -> None:
    try:
        with write_transaction():
            service.change_state(service.find_cycle(label), target)
    except service.CycleError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Cycle {label} is {target.value}.")
    _deliver()


@cycle_cli.command("close")
@click.argument("label")
@database_errors_as_click
def close(label: str) -> None:
    """Stop accepting edits."""
    _transition(label, CycleState.CLOSED)


@cycle_cli.command("publish")
@click.argument("label")
@database_errors_as_click
def publish(label: str) -> None:
    """Publish a closed cycle: its reports count accepted submissions only; its open data is written."""
    _transition(label, CycleState.PUBLISHED)
    try:
        manifest = write_cycle_files(service.find_cycle(label))
    except OpenDataError as error:
        raise click.ClickException(f"{error}; the cycle is published: run `flask opendata build --cycle {label}`") from None
    click.echo(f"Open data written: {len(manifest['files'])} files.")


@cycle_cli.command("list")
@database_errors_as_click
def list_() -> None:
    """Cycles with their state, spec version, deadline and submissions per state."""
    counts: dict[int, dict[str, int]] = {}
    for cycle_id, state, count in db.session.execute(
        select(Submission.cycle_id, Submission.state, func.count()).group_by(Submission.cycle_id, Submission.state)
    ):
        counts.setdefault(cycle_id, {})[state] = count
    cycles = db.session.scalars(select(Cycle).order_by(Cycle.deadline)).all()
    if not cycles:
        click.echo("No cycles yet.")
    for cycle in cycles:
        states = ", ".join(f"{state} {n}" for state, n in sorted(counts.get(cycle.id, {}).items()))
        demo = " [demo]" if cycle.is_demo else ""
        click.echo(f"{cycle.label}{demo}\t{cycle.state}\tspec {cycle.spec_version.version}\tdeadline {cycle.deadline}\t{states}")

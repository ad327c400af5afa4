"""``flask queue worker`` and ``flask queue info``: the RQ side of ``reporting.tasks``."""
import socket
import os

import click
from flask import current_app
from flask.cli import AppGroup
from rq import Worker
from rq.registry import FailedJobRegistry, StartedJobRegistry

from reporting.tasks.queue import QueueWorker, queue_enabled, redis_connection, rq_queue, set_worker_app

queue_cli = AppGroup("queue", help="Run and inspect the background task queue (RQ on REDIS_URL).")


def _require_queue() -> None:
    if not queue_enabled():
        raise click.ClickException("REDIS_URL is not set: without it tasks run inside the web server and "
                                   "need no worker (set REDIS_URL=redis://host:6379/0 to use a queue)")


@queue_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
@click.option("--name", help="Worker name (default: host and process id).")
def worker(burst: bool, name: str | None) -> None:
    """Take tasks from the queue and run them, one at a time; start one per core, on any machine
    that reaches the same Redis, database and reports folder."""
    _require_queue()
    from reporting.reports.build import lower_priority, warm_up

    app = current_app._get_current_object()
    lower_priority(app.config["BUILD_NICENESS"])  # background work: the web server's requests come first
    set_worker_app(app)
    warm_up(app)  # fonts loaded once here, inherited by the process forked for each task
    from reporting.extensions import db

    db.engine.dispose()
    rq_worker = QueueWorker([rq_queue()], connection=redis_connection(),
                            name=name or f"{socket.gethostname()}.{os.getpid()}")
    rq_worker.work(burst=burst, with_scheduler=False, logging_level="WARNING", max_idle_time=None)


@queue_cli.command("info")
def info() -> None:
    """Tasks waiting, running and failed, and the workers listening."""
    _require_queue()
    queue = rq_queue()
    connection = redis_connection()
    click.echo(f"queued: {queue.count}")
    click.echo(f"running: {StartedJobRegistry(queue=queue).count}")
    click.echo(f"failed: {FailedJobRegistry(queue=queue).count}")
    for rq_worker in Worker.all(connection=connection):
        click.echo(f"worker {rq_worker.name}: {rq_worker.get_state()}")

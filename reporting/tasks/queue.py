"""The one way to run work in the background; see ``reporting.tasks``.

With ``REDIS_URL``: an RQ job on the ``reporting`` queue. Jobs live in Redis,
so they survive a restart of the web workers, and any number of queue workers
on any number of machines share them. Without it: a thread pool in this
process (fine for one server; queued work is lost if the process stops).
"""
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
import importlib
import threading
import time
from typing import Any, Callable

from flask import Flask, current_app
from redis import Redis
from rq import Queue, Retry, Worker
from rq.job import Dependency, Job, JobStatus

QUEUE_NAME = "reporting"
LOCAL_THREADS = 4
_local_executor: ThreadPoolExecutor | None = None
_local_lock = threading.Lock()
_local_tasks: dict[str, Future] = {}
_worker_app: Flask | None = None  # set by ``flask queue worker`` in the worker process
# A busy worker tells Redis every MONITORING_INTERVAL seconds that its task is alive; a task not
# heard of for GRACE seconds more is abandoned (its worker died): retried if it has retries left,
# else failed. Idle workers look for such tasks every MAINTENANCE_INTERVAL seconds.
MONITORING_INTERVAL, GRACE, MAINTENANCE_INTERVAL, WORKER_TTL = 5, 10, 10, 30


class TaskFailed(Exception):
    """A task raised, was stopped, or its worker died; the message says which and why."""


def resolve(name: str) -> Callable:
    """``package.module:function`` to the function, with a clear error for a bad name."""
    module_name, _, attribute = name.partition(":")
    try:
        function = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError, ValueError):
        raise ValueError(f"no task function {name!r} (write it as package.module:function)") from None
    if not callable(function):
        raise ValueError(f"{name!r} is not a function")
    return function


def queue_enabled(app: Flask | None = None) -> bool:
    return bool((app or current_app).config.get("REDIS_URL"))


def redis_connection(app: Flask | None = None) -> Redis:
    """One connection pool per app, to the Redis of ``REDIS_URL`` (redis://, rediss:// or unix://)."""
    app = app or current_app
    connection = app.extensions.get("reporting.redis")
    if connection is None:
        connection = app.extensions["reporting.redis"] = Redis.from_url(app.config["REDIS_URL"])
    return connection


def rq_queue(app: Flask | None = None) -> Queue:
    return Queue(QUEUE_NAME, connection=redis_connection(app))


@dataclass(frozen=True)
class Task:
    """A handle on enqueued work: its id, whether it has finished, and its result."""

    id: str

    def status(self) -> str:
        """queued, deferred (waiting for the tasks it depends on), started, finished, failed, canceled"""
        if queue_enabled():
            return Job.fetch(self.id, connection=redis_connection()).get_status(refresh=True).value
        future = _local_tasks[self.id]
        if not future.done():
            return "started" if future.running() else "queued"
        return "failed" if future.exception() else "finished"

    def wait(self, timeout: float) -> Any:
        """The task's return value; ``TaskFailed`` if it failed, ``TimeoutError`` if not done in time."""
        if not queue_enabled():
            future = _local_tasks[self.id]
            try:
                return future.result(timeout)
            except TimeoutError:
                raise
            except Exception as error:
                raise TaskFailed(f"{type(error).__name__}: {error}") from error
        job = Job.fetch(self.id, connection=redis_connection())
        deadline = time.monotonic() + timeout
        while True:
            status = job.get_status(refresh=True)
            if status == JobStatus.FINISHED:
                return job.return_value()
            if status in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
                result = job.latest_result()
                reason = (result.exc_string or "").strip().splitlines()[-1:] if result else []
                raise TaskFailed(f"task {self.id} {status.value}: {reason[0] if reason else 'no reason recorded'}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"task {self.id} still {status.value} after {timeout} s")
            time.sleep(0.1)


def enqueue(function: str, *args, depends_on: list[Task] | None = None, retries: int = 0,
            timeout: int = 3600, description: str | None = None, **kwargs) -> Task:
    """Run ``function(*args, **kwargs)`` in the background, in an application context.

    ``depends_on``: start only once these tasks have ended (finished or failed: the
    task itself looks at what they left). ``retries``: run again this many times if it
    fails or its queue worker dies (RQ notices a dead worker about a minute later).
    ``timeout``: seconds a queue worker lets it run.
    """
    resolve(function)
    app = current_app._get_current_object()
    if queue_enabled(app):
        job = rq_queue(app).enqueue(
            run, function, args, kwargs, job_timeout=timeout, result_ttl=7 * 24 * 3600, failure_ttl=7 * 24 * 3600,
            retry=Retry(max=retries) if retries else None, description=description or function,
            depends_on=Dependency(jobs=[task.id for task in depends_on], allow_failure=True) if depends_on else None,
        )
        return Task(job.id)
    return _enqueue_locally(app, function, args, kwargs, depends_on or [], retries)


def run(function: str, args: tuple, kwargs: dict) -> Any:
    """What a queue worker executes: the function in an app context of the worker's app."""
    global _worker_app
    if _worker_app is None:  # started as `rq worker` rather than `flask queue worker`
        from reporting import create_app

        _worker_app = create_app()
    with _worker_app.app_context():
        from reporting.extensions import db

        db.engine.dispose(close=False)  # forked from the worker: never share its database connections
        return resolve(function)(*args, **kwargs)


class QueueWorker(Worker):
    """RQ's worker (a forked process per task), noticing a dead worker's task within seconds
    (RQ's own margin is a minute past the heartbeat interval)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("job_monitoring_interval", MONITORING_INTERVAL)
        kwargs.setdefault("maintenance_interval", MAINTENANCE_INTERVAL)
        kwargs.setdefault("worker_ttl", WORKER_TTL)
        super().__init__(*args, **kwargs)

    def get_heartbeat_ttl(self, job: Job) -> int:
        if job.timeout and job.timeout > 0:
            remaining = job.timeout - self.current_job_working_time
            return int(min(remaining, self.job_monitoring_interval)) + GRACE
        return self.job_monitoring_interval + GRACE


def set_worker_app(app: Flask) -> None:
    global _worker_app
    _worker_app = app


def _enqueue_locally(app: Flask, function: str, args: tuple, kwargs: dict, depends_on: list[Task], retries: int) -> Task:
    global _local_executor
    with _local_lock:
        if _local_executor is None:
            _local_executor = ThreadPoolExecutor(LOCAL_THREADS, thread_name_prefix="task")
        task = Task(f"local-{len(_local_tasks) + 1}-{time.monotonic_ns()}")
        result: Future = Future()
        _local_tasks[task.id] = result

    def attempt(left: int) -> None:
        def body():
            with app.app_context():
                return resolve(function)(*args, **kwargs)

        def done(future: Future) -> None:
            if future.exception() is not None and left > 0:
                attempt(left - 1)
            elif future.exception() is not None:
                result.set_exception(future.exception())
            else:
                result.set_result(future.result())

        _local_executor.submit(body).add_done_callback(done)

    waiting = [_local_tasks[dependency.id] for dependency in depends_on]
    remaining = [len(waiting)]

    def dependency_ended(_future: Future) -> None:
        with _local_lock:
            remaining[0] -= 1
            ready = remaining[0] == 0
        if ready:
            attempt(retries)

    if not waiting:
        attempt(retries)
    for future in waiting:
        future.add_done_callback(dependency_ended)
    return task

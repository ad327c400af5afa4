"""``reporting.tasks.enqueue``: in a thread without REDIS_URL, on real RQ workers with it."""
import os

import pytest
from sqlalchemy import select

from reporting.models import AuditEvent
from reporting.tasks import TaskFailed, enqueue


def events(db, action: str) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.object_id).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_without_redis_a_task_runs_in_a_thread_of_this_process(app, db):
    task = enqueue("tests.tasks.jobs:record", "test.local", "one")
    assert task.wait(30) == os.getpid()
    assert task.status() == "finished"
    db.session.rollback()
    assert events(db, "test.local") == ["one"]


def test_a_failing_task_says_why_and_its_dependants_still_run(app, db):
    failing = enqueue("tests.tasks.jobs:fail", "the mail server refused", retries=1)
    after = enqueue("tests.tasks.jobs:record", "test.after", "ran", depends_on=[failing])
    with pytest.raises(TaskFailed, match="RuntimeError: the mail server refused"):
        failing.wait(30)
    assert failing.status() == "failed"
    after.wait(30)
    db.session.rollback()
    assert events(db, "test.after") == ["ran"]


@pytest.mark.parametrize("name", ["tests.tasks.jobs:no_such_function", "no.such.module:record", "record"])
def test_an_unknown_task_function_is_refused_at_once(app, name):
    with pytest.raises(ValueError, match="no task function"):
        enqueue(name)


def test_with_redis_tasks_run_on_queue_workers_in_order_of_dependencies(app, db, queue_workers):
    worker = queue_workers.start(1)[0]
    first = enqueue("tests.tasks.jobs:record", "test.queued", "first")
    second = enqueue("tests.tasks.jobs:record", "test.queued", "second", depends_on=[first])
    assert second.wait(60) not in (os.getpid(), worker.pid)  # a process the worker forked for the task
    assert first.status() == second.status() == "finished"
    db.session.rollback()
    assert events(db, "test.queued") == ["first", "second"]

    failing = enqueue("tests.tasks.jobs:fail", "no such recipient")
    with pytest.raises(TaskFailed, match="RuntimeError: no such recipient"):
        failing.wait(60)


def test_queued_tasks_wait_for_a_worker_and_survive_this_process(app, db, redis_url, queue_workers):
    """Enqueued with no worker running (as if the web server restarted after enqueueing): the task
    waits in Redis and runs when a worker starts."""
    task = enqueue("tests.tasks.jobs:record", "test.later", "kept")
    assert task.status() == "queued"
    queue_workers.start(1)
    task.wait(60)
    db.session.rollback()
    assert events(db, "test.later") == ["kept"]


def test_worker_command_needs_redis(runner):
    result = runner.invoke(args=["queue", "worker", "--burst"])
    assert result.exit_code == 1
    assert "REDIS_URL is not set" in result.output


def test_with_redis_e_mail_is_delivered_by_a_queue_worker(app, client, db, user_factory, mailbox, queue_workers):
    """The request only writes the outbox and enqueues the delivery; a worker talks to the SMTP server."""
    from reporting.models import OutboxMessage

    from ..conftest import csrf_token, wait_for

    user_factory("focal_point", "FRA", email="fp@fra.example.org")
    response = client.post("/password/forgot", data={"csrf_token": csrf_token(client, "/password/forgot"),
                                                      "email": "fp@fra.example.org"})
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.scalar(select(OutboxMessage.status)) == "pending"  # no worker yet: nothing sent
    assert mailbox.messages == []
    queue_workers.start(1)
    wait_for(lambda: mailbox.to("fp@fra.example.org"), 60, "the queue worker did not deliver the e-mail")
    assert wait_for(lambda: db.session.scalar(select(OutboxMessage.status)) == "sent", 30, "not marked sent")

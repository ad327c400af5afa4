"""Background work: ``enqueue`` runs a function later, on RQ queue workers when
``REDIS_URL`` is set, else in a thread of this process.

Any step that should not hold up a request (sending e-mail, a report build)
calls ``enqueue("package.module:function", *args)``; the function runs in an
application context with the same configuration, on whichever queue worker
(``flask queue worker``, on this or another machine) takes it first. Arguments
must be picklable and small: pass ids, not ORM objects, and load in the task.
"""
from reporting.tasks.queue import Task, TaskFailed, enqueue, queue_enabled

__all__ = ["Task", "TaskFailed", "enqueue", "queue_enabled"]

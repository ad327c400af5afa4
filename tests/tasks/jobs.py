"""Task functions for the queue tests: importable by a queue worker like any task."""
import os

from reporting import audit
from reporting.database import write_transaction


def record(action: str, value: str) -> int:
    """Write an audit event (so the test sees the app context and database worked); the process id."""
    with write_transaction():
        audit.record(action, "test", value)
    return os.getpid()


def fail(message: str) -> None:
    raise RuntimeError(message)

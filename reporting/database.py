"""Database behaviour shared by every backend.

SQLite is the embedded default, so it gets what a multi-user web app needs:
WAL (readers never block the writer), a busy timeout (writers queue instead of
failing), enforced foreign keys, and ``BEGIN IMMEDIATE`` for write
transactions, so that two writers serialise at the start of a transaction
rather than failing with "database is locked" at commit.

Writers to one SQLite file also queue on a lock file beside it before
``BEGIN IMMEDIATE``. SQLite's own busy handler polls, sleeping up to 100 ms
between tries, so under a deadline's load the write lock sat free while
every waiting worker slept (saves took seconds with the processor mostly
idle); a waiter on the lock file is woken the moment the writer before it
is done.
"""
from contextlib import contextmanager
import fcntl
import sqlite3
import threading
from typing import Iterator

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from reporting.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 15_000
_IMMEDIATE = "sqlite_begin_immediate"
_queued = threading.local()  # whether this thread holds its database's writer queue


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself, below
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys = ON")
    if cursor.execute("PRAGMA database_list").fetchone()[2]:  # a file, not :memory:
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin_sqlite(connection) -> None:
    if connection.dialect.name == "sqlite":
        immediate = connection.get_execution_options().get(_IMMEDIATE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def _writer_queue(session: Session) -> Iterator[None]:
    """Hold the SQLite file's writer queue (an exclusive ``flock`` on ``<database>.write-lock``)
    for one write transaction. The kernel hands it to the next waiter at once, in any process or
    thread; it goes with the process if that dies. Nothing to do for a server database, for an
    in-memory one, or when this thread already holds it (a write inside a write)."""
    bind = session.get_bind()
    path = bind.url.database if bind.dialect.name == "sqlite" else None
    if not path or path == ":memory:" or path.startswith("file:") or getattr(_queued, "held", False):
        yield
        return
    with open(f"{path}.write-lock", "ab") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        _queued.held = True
        try:
            yield
        finally:
            _queued.held = False
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def write_transaction(session: Session | None = None, *, reload: bool = True) -> Iterator[Session]:
    """One all-or-nothing write: commit at the end, roll back on any error.

    A read transaction left open by the request (loading the user, say) is
    ended first so that the write starts with ``BEGIN IMMEDIATE`` on SQLite.
    Each commit expires what the session holds, so it is read afresh when next
    used. ``reload=False`` keeps it as read, and as written, instead: for a
    write whose reads are checked again as it is written (a save: the
    submission's version column refuses it if anyone saved since), sparing a
    query per object, the first ones while the write lock is held.
    """
    session = session or db.session()
    if session.in_transaction():
        _commit(session, expire=reload)
    with _writer_queue(session):
        session.connection(execution_options={_IMMEDIATE: True})
        try:
            yield session
            _commit(session, expire=reload)
        except BaseException:
            session.rollback()
            raise


def end_read_transaction(session: Session | None = None) -> None:
    """End the read transaction a session began by reading, before long work that reads nothing.

    An open read transaction pins its snapshot for as long as it lasts: on SQLite it stops WAL
    checkpoints, so the WAL grows and every save slows down while a report renders for minutes;
    on PostgreSQL it holds back vacuum. What the session loaded stays loaded.
    """
    session = session or db.session()
    if session.in_transaction():
        _commit(session, expire=False)


def _commit(session: Session, expire: bool) -> None:
    keep, session.expire_on_commit = session.expire_on_commit, expire and session.expire_on_commit
    try:
        session.commit()
    finally:
        session.expire_on_commit = keep

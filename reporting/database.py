"""Database behaviour shared by every backend.

SQLite is the embedded default, so it gets what a multi-user web app needs:
WAL (readers never block the writer), a busy timeout (writers queue instead of
failing), enforced foreign keys, and ``BEGIN IMMEDIATE`` for write
transactions, so that two writers serialise at the start of a transaction
rather than failing with "database is locked" at commit.
"""
from contextlib import contextmanager
import sqlite3
from typing import Iterator

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from reporting.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 15_000
_IMMEDIATE = "sqlite_begin_immediate"


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
def write_transaction(session: Session | None = None) -> Iterator[Session]:
    """One all-or-nothing write: commit at the end, roll back on any error.

    A read transaction left open by the request (loading the user, say) is
    ended first so that the write starts with ``BEGIN IMMEDIATE`` on SQLite.
    """
    session = session or db.session()
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={_IMMEDIATE: True})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise

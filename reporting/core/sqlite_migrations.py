"""Schema changes on SQLite without losing rows to cascading deletes.

SQLite alters most of a table by copying it (Alembic's batch mode): create the
new table, copy the rows, DROP the old one, rename. With foreign keys on — as
the app turns them on for every connection — that DROP deletes every child row
declared ON DELETE CASCADE: recreating ``submissions`` would empty ``answers``.
Migrations therefore run with foreign keys off, and the whole upgrade is
refused (rolled back) if it leaves a reference dangling.
"""
from contextlib import contextmanager

from sqlalchemy.engine import Connection


class DanglingReferences(RuntimeError):
    """A migration left rows pointing at rows that no longer exist."""


@contextmanager
def foreign_keys_off(connection: Connection):
    """Foreign keys off for this connection while the block runs (SQLite only).

    Must be entered before the migration's transaction begins: SQLite ignores
    the pragma inside a transaction. Restores them on the way out, so the
    pooled connection goes back as the app expects it.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.dbapi_connection
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys = ON")


def check_references(connection: Connection) -> None:
    """Raise, naming table, row and parent, if any row references a missing row (SQLite only).

    Called inside the migration's transaction, so that raising rolls the whole
    upgrade back.
    """
    if connection.dialect.name != "sqlite":
        return
    problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if problems:
        listed = "; ".join(f"{table} row {rowid} → {parent}" for table, rowid, parent, _ in problems[:10])
        raise DanglingReferences(
            f"The migration would leave {len(problems)} rows referencing missing rows ({listed}); nothing was changed.")

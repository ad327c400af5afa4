"""The Alembic history and the models describe the same schema."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
import pytest

from reporting.extensions import db
from reporting.models import Base
from reporting.models.base import render_migration_item
from tests.conftest import ON_POSTGRESQL

SQLITE_ONLY = pytest.mark.skipif(ON_POSTGRESQL, reason="SQLite copies a table to alter it; PostgreSQL alters in place")


def schema_diff(connection):
    context = MigrationContext.configure(connection, opts={"compare_type": True, "render_item": render_migration_item})
    return compare_metadata(context, Base.metadata)


def test_upgrade_from_empty_matches_models(app):
    # The template database was built with `flask db upgrade` from an empty file.
    with db.engine.connect() as connection:
        assert schema_diff(connection) == []
        assert set(inspect(connection).get_table_names()) >= set(Base.metadata.tables)


def test_audit_log_is_append_only_in_the_database(app):
    from reporting import audit
    from reporting.database import write_transaction

    with write_transaction():
        audit.record("test.event", "test")
    with pytest.raises(Exception, match="append-only"):
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE audit_events SET action = 'forged'"))
    with pytest.raises(Exception, match="append-only"):
        with db.engine.begin() as connection:
            connection.execute(text("DELETE FROM audit_events"))


def _answer_count() -> int:
    return db.session.scalar(text("SELECT count(*) FROM answers"))


def _recreate_submissions(connection) -> None:
    """What a batch migration on submissions does on SQLite: copy the table, drop the old one."""
    from alembic.operations import Operations

    with Operations(MigrationContext.configure(connection)).batch_alter_table("submissions", recreate="always"):
        pass


@SQLITE_ONLY
def test_a_migration_that_copies_a_parent_table_keeps_its_child_rows(app, cycle):
    from reporting.core.sqlite_migrations import check_references, foreign_keys_off
    from reporting.database import write_transaction
    from reporting.models import Answer, Submission

    with write_transaction():
        submission = db.session.scalars(db.select(Submission)).first()
        db.session.add(Answer(submission_id=submission.id, key="dr-prevention.1.status", value="implemented"))
    db.session.commit()
    before = _answer_count()
    assert before

    with db.engine.connect() as connection, foreign_keys_off(connection):
        with connection.begin():
            _recreate_submissions(connection)
            check_references(connection)
    db.session.rollback()
    assert _answer_count() == before
    # Foreign keys are back on for the pooled connection: deleting a parent still cascades.
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


@SQLITE_ONLY
def test_a_migration_leaving_dangling_references_is_rolled_back(app, cycle):
    from reporting.core.sqlite_migrations import DanglingReferences, check_references, foreign_keys_off

    tables = set(inspect(db.engine).get_table_names())
    with pytest.raises(DanglingReferences, match=r"answers row \d+ → submissions"):
        with db.engine.connect() as connection, foreign_keys_off(connection):
            with connection.begin():
                connection.exec_driver_sql("CREATE TABLE scratch (id INTEGER)")
                connection.exec_driver_sql(
                    "INSERT INTO answers (submission_id, key, value, carried_over, updated_at) "
                    "VALUES (999999, 'x.status', '\"planned\"', 0, '2026-01-01 00:00:00')")
                check_references(connection)
    db.session.rollback()
    assert set(inspect(db.engine).get_table_names()) == tables
    assert db.session.scalar(text("SELECT count(*) FROM answers WHERE submission_id = 999999")) == 0

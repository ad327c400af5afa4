"""The Alembic history and the models describe the same schema."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
import pytest

from reporting.extensions import db
from reporting.models import Base
from reporting.models.base import render_migration_item


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

"""The migrations on PostgreSQL, the deployment database: same schema as the
models, append-only audit log enforced by a trigger.

Needs a server: `bash bootstrap.sh test` starts one and sets
TEST_DATABASE_URL (a role allowed to create databases). In CI a missing
server is a failure, not a skip.
"""
import pytest
from sqlalchemy import text

from tests.core.test_migrations import schema_diff

pytestmark = pytest.mark.postgres


def test_upgrade_from_empty_matches_models_on_postgresql(postgres_app):
    from flask_migrate import upgrade

    from reporting.countries.services import load_countries
    from reporting.database import write_transaction
    from reporting.extensions import db

    upgrade()
    with db.engine.connect() as connection:
        assert schema_diff(connection) == []
    with write_transaction():
        added, _ = load_countries()
    assert added == 195
    from reporting import audit

    with write_transaction():
        audit.record("test.event", "test")
    with pytest.raises(Exception, match="append-only"):
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE audit_events SET action = 'forged'"))

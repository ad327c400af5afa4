"""The migrations on PostgreSQL, the deployment database: same schema as the
models, append-only audit log enforced by a trigger.

Needs a server: `bash bootstrap.sh test` starts one and sets
TEST_DATABASE_URL (a role allowed to create databases). In CI a missing
server is a failure, not a skip.
"""
import os
import uuid

import pytest
from sqlalchemy import create_engine, text

from reporting import create_app
from tests.core.test_migrations import schema_diff

pytestmark = pytest.mark.postgres
SERVER_URL = os.environ.get("TEST_DATABASE_URL")


@pytest.fixture
def postgres_app(tmp_path):
    if not SERVER_URL:
        if os.environ.get("CI"):
            pytest.fail("TEST_DATABASE_URL is not set: bootstrap.sh test starts PostgreSQL and sets it")
        pytest.skip("no PostgreSQL server (set TEST_DATABASE_URL)")
    name = f"reporting_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = SERVER_URL.rsplit("/", 1)[0] + f"/{name}"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
    try:
        with app.app_context():
            yield app
            from reporting.extensions import db

            db.session.remove()
            db.engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


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

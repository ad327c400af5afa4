"""Shared fixtures: a real app on a real SQLite file, migrated once per run.

Every test gets its own copy of a template database (migrated with Alembic
and loaded with the Member States), so tests are isolated without mocks and
without paying for the migration each time.
"""
import contextvars
from pathlib import Path
import re
import shutil

import flask.globals
from flask.testing import FlaskClient
import pytest

from reporting import create_app
from reporting.database import write_transaction
from reporting.extensions import db as _db, limiter

PASSWORD = "correct horse battery staple"


def _settings(database: Path, **overrides) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "REPORTS_DIR": str(database.parent / "reports"),
        **overrides,
    }


class IsolatedClient(FlaskClient):
    """Runs each request in its own app context, as production does, even
    though the test itself holds one: nothing cached in ``g`` (the signed-in
    user, the locale, the database session) leaks between test and request."""

    def open(self, *args, **kwargs):
        def run():
            flask.globals._cv_app.set(None)
            return super(IsolatedClient, self).open(*args, **kwargs)

        return contextvars.copy_context().run(run)


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogs():
    """The app reads compiled .mo files; compile them from the .po files under test."""
    from reporting.catalogs.check import TRANSLATIONS, run_babel

    run_babel("compile", "-d", str(TRANSLATIONS))


@pytest.fixture(scope="session")
def template_database(tmp_path_factory) -> Path:
    from flask_migrate import upgrade

    from reporting.countries.services import load_countries

    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    app = create_app(_settings(path))
    with app.app_context():
        upgrade()
        with write_transaction():
            load_countries()
        _db.engine.dispose()
    return path


@pytest.fixture
def app(template_database, tmp_path):
    database = tmp_path / "app.sqlite3"
    shutil.copyfile(template_database, database)
    app = create_app(_settings(database))
    app.test_client_class = IsolatedClient
    with app.app_context():
        limiter.reset()
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def make_user(role: str = "focal_point", country: str | None = "FRA", email: str | None = None, password: str = PASSWORD):
    """Create a user through the same service the CLI uses."""
    from reporting.accounts.services import create_user

    if role in ("admin", "compiler"):
        country = None
    email = email or f"{role}.{(country or 'un').lower()}@example.org"
    with write_transaction():
        user = create_user(email, password, role, country)
    return user


def csrf_token(client, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, email: str, password: str = PASSWORD):
    token = csrf_token(client)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


@pytest.fixture
def user_factory(app):
    return make_user


@pytest.fixture
def login_as(client):
    """Create a user with ``role`` (and country) and sign the test client in as them."""

    def _login_as(role: str = "focal_point", country: str | None = "FRA", **kwargs):
        user = make_user(role, country, **kwargs)
        response = login(client, user.email, kwargs.get("password", PASSWORD))
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return _login_as

"""Shared fixtures: a real app on a real SQLite file, migrated once per run.

Every test gets its own copy of a template database (migrated with Alembic
and loaded with the Member States), so tests are isolated without mocks and
without paying for the migration each time.
"""
import contextvars
from datetime import date
import email
import email.policy
import os
import socket
import threading
import uuid
import hashlib
import json
from pathlib import Path
import re
import shutil
import signal
import subprocess
import sys
import time

import flask.globals
from flask.testing import FlaskClient
import pytest
from sqlalchemy import create_engine, text
import yaml

from reporting import create_app
from reporting.database import write_transaction
from reporting.extensions import db as _db, limiter
from reporting.models import SpecVersion
from reporting.responses.cycles import open_cycle

PASSWORD = "correct horse battery staple"


def _settings(database: Path | str, reports: Path | None = None, **overrides) -> dict:
    """Settings of a test app on a SQLite file (a Path) or a PostgreSQL URL (a str)."""
    url = database if isinstance(database, str) else f"sqlite:///{database}"
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": url,
        "REPORTS_DIR": str(reports or database.parent / "reports"),
        "DOCUMENTS_DIR": str((reports or database.parent / "reports").parent / "documents"),
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


# The whole suite runs on SQLite, and again on PostgreSQL with TEST_DATABASE=postgresql
# (`.ci/run` does both): then every test gets a fresh database cloned from a migrated template.
ON_POSTGRESQL = os.environ.get("TEST_DATABASE", "sqlite") == "postgresql"
SERVER_URL = os.environ.get("TEST_DATABASE_URL")


def _server_url() -> str:
    if not SERVER_URL:
        if os.environ.get("CI") or ON_POSTGRESQL:
            pytest.fail("TEST_DATABASE_URL is not set: bootstrap.sh test starts PostgreSQL and sets it")
        pytest.skip("no PostgreSQL server (set TEST_DATABASE_URL)")
    return SERVER_URL


def _admin(statement: str) -> None:
    engine = create_engine(_server_url(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()


def _drop_database(name: str) -> None:
    """``DROP DATABASE … WITH (FORCE)``, tried again for a few seconds: an autovacuum worker visiting the
    database is a process no role owns, which PostgreSQL refuses to terminate for a role that is not a
    superuser ("must be a member of the role whose process is being terminated"); it leaves by itself."""
    from sqlalchemy.exc import DBAPIError

    for attempt in range(20):
        try:
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except DBAPIError:
            if attempt == 19:
                raise
            time.sleep(0.5)


def _database_url(name: str) -> str:
    return _server_url().rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="session")
def template_database(tmp_path_factory) -> Path | str:
    """A migrated database with the Member States: a SQLite file, or a PostgreSQL database name."""
    from flask_migrate import upgrade

    from reporting.countries.services import load_countries

    folder = tmp_path_factory.mktemp("template")
    if ON_POSTGRESQL:
        name = f"reporting_template_{uuid.uuid4().hex[:10]}"
        _admin(f'CREATE DATABASE "{name}"')
        target = _database_url(name)
    else:
        name = target = folder / "template.sqlite3"
    app = create_app(_settings(target, folder / "reports"))
    with app.app_context():
        upgrade()
        with write_transaction():
            load_countries()
        _db.engine.dispose()
    yield name
    if ON_POSTGRESQL:
        _drop_database(name)


class Mailbox:
    """The messages a real local SMTP server (aiosmtpd) received, parsed as e-mail."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, _server, _session, envelope):  # aiosmtpd handler hook
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        with self._lock:
            return [message for message in self.messages if message["To"] == address]

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server on a free local port for the whole run; every test app sends to it."""
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Mailbox(), hostname="127.0.0.1", port=port)
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def mailbox(smtp_server) -> Mailbox:
    smtp_server.handler.clear()
    return smtp_server.handler


@pytest.fixture
def database_url(template_database, tmp_path) -> str:
    """This test's own copy of the template database."""
    if not ON_POSTGRESQL:
        database = tmp_path / "app.sqlite3"
        shutil.copyfile(template_database, database)
        yield f"sqlite:///{database}"
        return
    name = f"reporting_test_{uuid.uuid4().hex[:10]}"
    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"')
    try:
        yield _database_url(name)
    finally:
        _drop_database(name)


@pytest.fixture
def app(database_url, tmp_path, smtp_server):
    app = create_app(_settings(
        database_url, tmp_path / "reports",
        MAIL_SERVER=smtp_server.hostname, MAIL_PORT=smtp_server.port, MAIL_USE_TLS=False, MAIL_USE_SSL=False,
        MAIL_DEFAULT_SENDER="reporting@unodc.example.org", BASE_URL="https://reporting.example.org",
    ))
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


def make_user(role: str = "focal_point", country: str | None = "FRA", email: str | None = None, password: str = PASSWORD,
              name: str | None = None, locale: str | None = None):
    """Create a user through the same service the CLI uses."""
    from reporting.accounts.services import create_user

    if role in ("admin", "compiler"):
        country = None
    email = email or f"{role}.{(country or 'un').lower()}@example.org"
    with write_transaction():
        user = create_user(email, password, role, country, name=name)
        user.locale = locale
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


# --- a small inline questionnaire and helpers to drive the data-entry pages ---

SPEC_YAML = """
spec_id: arq
version: 9.0.0
register_checksum: "0000"
title: Test questionnaire
pillars:
  - key: demand_reduction
    title: Demand reduction and related measures
    sections:
      - key: dr-prevention
        title: Prevention
        chapter: 1
        scope: [global]
        context: []
        items:
          - {key: t.1.status, kind: status, commitments: [t.1], label: Prevention programmes, required: true}
          - key: t.1.measures
            kind: text
            commitments: [t.1]
            label: Measures taken
            max_length: 200
            show_if: "t.1.status in ['planned', 'in_progress', 'implemented']"
          - {key: t.2.status, kind: status, commitments: [t.2], label: Treatment services, required: true}
          - key: t.2.indicator.1
            kind: number
            commitments: [t.2]
            label: People in treatment
            number: {type: integer, unit: persons, min: 0, max: 1000000}
          - key: t.2.indicator.2
            kind: number
            commitments: [t.2]
            label: Treatment coverage
            number: {type: percent, unit: "%"}
          - {key: dr-prevention.comments, kind: comment, commitments: [], label: Comments on this section}
        checks:
          - key: coverage-needs-treatment
            expr: "t.2.indicator.2 == 0 or t.2.indicator.1 > 0"
            message: Coverage above zero needs people in treatment.
  - key: supply_reduction
    title: Supply reduction and related measures
    sections:
      - key: sr-precursors
        title: Precursors
        chapter: 5
        scope: [global]
        context: []
        items:
          - {key: t.3.status, kind: status, commitments: [t.3], label: Precursor controls, required: true}
          - {key: t.3.evidence, kind: url, commitments: [t.3], label: Evidence (link)}
        checks: []
      - key: sofia-cooperation
        title: EU–CELAC cooperation
        chapter: 6
        scope: [eu, celac]
        context: []
        items:
          - {key: s.1.status, kind: status, commitments: [s.1], label: Bi-regional cooperation, required: true}
        checks: []
"""
SPEC = yaml.safe_load(SPEC_YAML)


def store_spec(content: dict) -> SpecVersion:
    text = json.dumps(content, sort_keys=True)
    spec = SpecVersion(
        spec_id=content["spec_id"], version=content["version"], register_checksum=content["register_checksum"],
        content_sha256=hashlib.sha256(text.encode()).hexdigest(), content=content,
    )
    _db.session.add(spec)
    return spec


@pytest.fixture
def spec_version(app):
    with write_transaction():
        spec = store_spec(SPEC)
    return spec


@pytest.fixture
def cycle(spec_version):
    with write_transaction():
        cycle = open_cycle("2025", spec_version.version, date(2026, 6, 30))
    return cycle


def form_state(client, path: str) -> dict:
    """The hidden fields of a page's questionnaire form: csrf_token and base_version."""
    page = client.get(path).get_data(as_text=True)
    fields = dict(re.findall(r'<input[^>]*name="(csrf_token|base_version)"[^>]*value="([^"]*)"', page))
    assert "csrf_token" in fields, f"no form on {path}"
    return fields


def post_section(client, section: str, answers: dict, country: str = "FRA", state: dict | None = None):
    path = f"/cycles/2025/{country}/{section}"
    state = state or form_state(client, path)
    return client.post(path, data={**state, **answers})


# --- PostgreSQL, the deployment database, for the tests that are about it on either pass ---


@pytest.fixture
def postgres_app(tmp_path):
    """An app on a fresh, empty PostgreSQL database (not migrated)."""
    name = f"reporting_test_{uuid.uuid4().hex[:10]}"
    _admin(f'CREATE DATABASE "{name}"')
    app = create_app(_settings(_database_url(name), tmp_path / "reports", SECRET_KEY="x"))
    try:
        with app.app_context():
            yield app
            _db.session.remove()
            _db.engine.dispose()
    finally:
        _drop_database(name)


# --- Redis and RQ queue workers, for the task queue ---

def _service_missing(message: str):
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory) -> str:
    """A private redis-server on a unix socket (no TCP port), for the whole run; its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        _service_missing("redis-server is not installed: bash bootstrap.sh test installs it")
    folder = tmp_path_factory.mktemp("redis")
    socket = folder / "redis.sock"
    process = subprocess.Popen(
        [binary, "--port", "0", "--unixsocket", str(socket), "--unixsocketperm", "700", "--save", "",
         "--appendonly", "no", "--dir", str(folder)], stdout=subprocess.DEVNULL)
    url = f"unix://{socket}"
    from redis import Redis

    deadline = time.monotonic() + 20
    while True:
        try:
            if socket.exists() and Redis.from_url(url).ping():
                break
        except Exception:  # not listening yet
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            pytest.fail(f"redis-server did not start on {socket}")
        time.sleep(0.05)
    yield url
    process.terminate()
    process.wait(10)


@pytest.fixture
def redis_url(app, redis_server):
    """The test app with REDIS_URL set (tasks go to the queue), on an empty Redis."""
    from redis import Redis

    Redis.from_url(redis_server).flushall()
    app.config["REDIS_URL"] = redis_server
    yield redis_server
    app.extensions.pop("reporting.redis", None)


class QueueWorkers:
    """Real `flask queue worker` processes on the test app's database, reports folder and Redis."""

    def __init__(self, app, url: str):
        self.env = {**os.environ, "FLASK_APP": "reporting:create_app", "REDIS_URL": url,
                    "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "REPORTS_DIR": app.config["REPORTS_DIR"],
                    "SECRET_KEY": app.config["SECRET_KEY"], "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
                    **{key: str(app.config[key]) for key in ("MAIL_SERVER", "MAIL_PORT", "MAIL_DEFAULT_SENDER", "BASE_URL")},
                    "MAIL_USE_TLS": "0", "MAIL_USE_SSL": "0"}
        self.url = url
        self.processes: list[subprocess.Popen] = []

    def start(self, count: int = 1, wait: bool = True) -> list[subprocess.Popen]:
        """Start ``count`` workers (each in its own process group, with the process it forks per task)."""
        from redis import Redis
        from rq import Worker

        started = [subprocess.Popen([sys.executable, "-m", "flask", "queue", "worker"], env=self.env,
                                    start_new_session=True) for _ in range(count)]
        self.processes += started
        deadline = time.monotonic() + 60
        while wait and len(Worker.all(connection=Redis.from_url(self.url))) < len(self.alive()):
            assert time.monotonic() < deadline, "queue workers did not register with Redis"
            assert all(process.poll() is None for process in started), "a queue worker exited"
            time.sleep(0.1)
        return started

    def alive(self) -> list[subprocess.Popen]:
        return [process for process in self.processes if process.poll() is None]

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL a worker and the task process it forked, as a crash or an OOM kill would."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def stop(self) -> None:
        for process in self.alive():
            os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)


@pytest.fixture
def queue_workers(app, redis_url):
    workers = QueueWorkers(app, redis_url)
    yield workers
    workers.stop()


def wait_for(condition, timeout: float, message: str, interval: float = 0.2):
    """Poll ``condition`` (after dropping the session's cached rows) until it is truthy; its value."""
    deadline = time.monotonic() + timeout
    while True:
        _db.session.expire_all()
        _db.session.rollback()
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, message
        time.sleep(interval)

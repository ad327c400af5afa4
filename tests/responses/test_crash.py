"""Crash test: SIGKILL a real gunicorn (master and workers) while focal points save and submit
through the API, start it again, and check that every acknowledged save is there and that every
save and submission in flight at the kill happened wholly or not at all.

Runs on SQLite and, in the PostgreSQL pass, on PostgreSQL.
"""
import http.client
import json
import os
from pathlib import Path
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import select

from reporting.database import write_transaction
from reporting.models import Answer, AuditEvent, Country, Submission

COUNTRIES = ["KEN", "NGA", "JPN", "CHN", "IND", "AUS", "EGY", "ZAF", "THA", "VNM", "KOR", "IDN"]
STATUSES = ("planned", "in_progress", "implemented")
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def call(port: int, method: str, path: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=json.dumps(body) if body is not None else None,
                           headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


class Server:
    def __init__(self, app):
        self.port = free_port()
        self.env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": app.config["SECRET_KEY"],
                    "REPORTS_DIR": app.config["REPORTS_DIR"], "PYTHONPATH": str(ROOT)}
        self.env.pop("REDIS_URL", None)
        self.process = None

    def start(self, token: str) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{self.port}",
                                         "--log-level", "error", "wsgi:app"], cwd=ROOT, env=self.env, start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            try:
                if call(self.port, "GET", "/api/v1/cycles", token)[0] == 200:
                    return
            except OSError:
                pass
            assert time.monotonic() < deadline and self.process.poll() is None, "gunicorn did not start"
            time.sleep(0.1)

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)  # the master and every worker, mid-request
        self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(30)


class Writer(threading.Thread):
    """One focal point: saves that change every key each time, and a submit after a few saves."""

    def __init__(self, port: int, iso3: str, token: str, submits: bool):
        super().__init__(daemon=True)
        self.port, self.iso3, self.token, self.submits = port, iso3, token, submits
        self.version = 1
        self.acknowledged: dict = {}  # key → value the server acknowledged last
        self.in_flight: dict | None = None  # the request sent and not answered when the server died
        self.submitted = False  # the server acknowledged the submit
        self.submit_in_flight = False
        self.saves = 0
        self.error: str | None = None  # an answer other than 200 before the kill

    def run(self) -> None:
        n = 0
        while True:
            n += 1
            if self.submits and n % 6 == 0:
                self.submit_in_flight = True
                try:
                    status, body = call(self.port, "POST", f"/api/v1/cycles/2025/submissions/{self.iso3}/submit",
                                        self.token, {"base_version": self.version})
                except OSError:
                    return
                self.submit_in_flight = False
                if status != 200:
                    self.error = f"submit: HTTP {status} {body}"
                    return
                self.submitted, self.version = True, body["version"]
                return
            answers = {"t.1.status": STATUSES[n % 3], "t.2.status": STATUSES[(n + 1) % 3],
                       "t.3.status": STATUSES[(n + 2) % 3], "t.2.indicator.1": n}
            self.in_flight = answers
            try:
                status, body = call(self.port, "PATCH", f"/api/v1/cycles/2025/submissions/{self.iso3}/answers",
                                    self.token, {"base_version": self.version, "answers": answers})
            except OSError:
                return
            if status != 200:
                self.error = f"save: HTTP {status} {body}"
                return
            self.in_flight = None
            self.version = body["version"]
            self.acknowledged.update(answers)
            self.saves += 1


@pytest.fixture
def server(app):
    server = Server(app)
    yield server
    server.stop()


def test_sigkill_during_saves_and_submits_loses_nothing_acknowledged(app, db, cycle, user_factory, server):
    from reporting.accounts.services import create_api_token

    cycle_id = cycle.id
    tokens = {}
    for iso3 in COUNTRIES:
        user = user_factory("focal_point", iso3)
        with write_transaction():
            tokens[iso3] = create_api_token(user.email, "crash")
    server.start(tokens["KEN"])
    writers = [Writer(server.port, iso3, tokens[iso3], submits=i % 2 == 0) for i, iso3 in enumerate(COUNTRIES)]
    for writer in writers:
        writer.start()
    deadline = time.monotonic() + 120
    while sum(w.saves for w in writers) < 60 or not any(w.submitted for w in writers):
        assert time.monotonic() < deadline, "too few saves before the kill"
        time.sleep(0.02)
    server.kill()
    for writer in writers:
        writer.join(30)
    assert [w.error for w in writers if w.error] == []

    server.start(tokens["KEN"])  # the restarted server serves again
    db.session.remove()
    for writer in writers:
        country = db.session.scalar(select(Country).where(Country.iso3 == writer.iso3))
        submission = db.session.scalar(select(Submission).where(Submission.country_id == country.id,
                                                                Submission.cycle_id == cycle_id))
        stored = dict(db.session.execute(select(Answer.key, Answer.value).where(Answer.submission_id == submission.id)).all())
        old = {key: stored.get(key) == value for key, value in writer.acknowledged.items()}
        if writer.in_flight:  # the save the kill interrupted: all of it or none of it
            new = {key: stored.get(key) == value for key, value in writer.in_flight.items()}
            assert all(new.values()) or all(old.values()), (writer.iso3, stored, writer.acknowledged, writer.in_flight)
            assert submission.version in (writer.version, writer.version + 1)
            if all(new.values()):
                assert submission.version == writer.version + 1
        else:  # every acknowledged save is there
            assert all(old.values()), (writer.iso3, stored, writer.acknowledged)
            assert submission.version == writer.version or (writer.submit_in_flight and submission.version == writer.version + 1)
        events = db.session.scalars(select(AuditEvent.new).where(AuditEvent.action == "submission.state",
                                                                 AuditEvent.object_id == str(submission.id))).all()
        if writer.submitted:
            assert submission.state == "submitted" and submission.submitted_at is not None
        elif not writer.submit_in_flight:
            assert submission.state == "in_progress"
        # A submission is wholly submitted (state, time, version and audit event) or wholly not.
        assert (submission.state == "submitted") == ("submitted" in events) == (submission.submitted_at is not None)
        # Every stored answer has its audit event: the change and its record committed together.
        for key, value in stored.items():
            last = db.session.scalars(select(AuditEvent.new).where(
                AuditEvent.action == "answer.changed", AuditEvent.submission_id == submission.id, AuditEvent.key == key)
                .order_by(AuditEvent.id.desc()).limit(1)).first()
            assert last == value, (writer.iso3, key)

    open_writer = next(w for w in writers if not w.submitted and not w.submit_in_flight)
    submission_version = db.session.scalar(select(Submission.version).join(Country).where(
        Country.iso3 == open_writer.iso3, Submission.cycle_id == cycle_id))
    status, body = call(server.port, "PATCH", f"/api/v1/cycles/2025/submissions/{open_writer.iso3}/answers",
                        open_writer.token, {"base_version": submission_version, "answers": {"t.1.status": "planned"}})
    assert status == 200 and body["version"] == submission_version + 1

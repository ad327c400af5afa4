"""Deadline load: 193 focal points saving through the REST API into gunicorn, while a report builds.

1. A scratch database (SQLite file, or a fresh PostgreSQL database with
   ``--database postgresql``) with the full questionnaire, every Member State's
   answers to a previous cycle, and an open cycle pre-filled from them (so a
   submission is as large as a real one); 193 focal points with API tokens.
2. gunicorn with ``--workers`` (4) sync workers on a loopback port, and
   ``flask report build`` of the previous cycle (every profile, one rendering
   process) running beside it the whole time, as at a deadline.
3. Paced: every focal point saves a section's answers every 10 s for
   ``--paced`` seconds. Flat-out: every focal point saves again as soon as the
   last save returned, for ``--flat`` seconds.
4. Checks every acknowledged save against the database (nothing lost), stops
   everything and prints latency percentiles, saves per second and errors.

Loopback only; stops by itself. Run from the repository root, e.g.:

    .venv/bin/python benchmarks/load.py --database sqlite
    TEST_DATABASE_URL=postgresql+psycopg://u:p@127.0.0.1/postgres .venv/bin/python benchmarks/load.py --database postgresql
"""
import argparse
from dataclasses import dataclass, field
from datetime import date
import http.client
import json
import os
from pathlib import Path
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.report_build import build_data  # noqa: E402
from benchmarks.serving import start_gunicorn, stop  # noqa: E402
from benchmarks.timing import percentile  # noqa: E402
from reporting import create_app  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LABEL = "LOAD"
VALUES = ("planned", "in_progress", "implemented")  # all keep the "measures taken" questions visible


@dataclass
class FocalPoint:
    iso3: str
    token: str
    keys: list[str]  # status questions of one section it saves again and again
    version: int = 0
    acknowledged: dict[str, str] = field(default_factory=dict)  # key → last value the server acknowledged
    saves: int = 0


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    bytes: list[int] = field(default_factory=list)
    seconds: float = 0.0
    server_cpu: float = 0.0  # CPU seconds the gunicorn processes used during the phase
    client_cpu: float = 0.0  # and this process (the 193 simulated users)


def prepare(app, users: int) -> list[FocalPoint]:
    """The questionnaire, two answered cycles, the open LOAD cycle and the focal points' tokens."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from forms.spec import Spec
    from reporting.accounts.services import create_api_token
    from reporting.countries.services import country_scopes
    from reporting.database import write_transaction
    from reporting.extensions import db
    from reporting.models import Country, User
    from reporting.responses.cycles import open_cycle

    upgrade()
    cycle, _answers = build_data()
    with write_transaction():
        open_cycle(LABEL, cycle.spec_version.version, date(2030, 6, 30))
    spec = Spec(cycle.spec_version.content)
    countries = list(db.session.scalars(select(Country).where(Country.is_member_state).order_by(Country.iso3)))[:users]
    with write_transaction():  # one password hash for all: the load is on saves, not on sign-in
        from werkzeug.security import generate_password_hash

        digest = generate_password_hash(uuid.uuid4().hex)
        db.session.execute(insert(User), [{"email": f"focal.{c.iso3.lower()}@load.example.org", "password_hash": digest,
                                           "role": "focal_point", "country_id": c.id, "active": True}
                                          for c in countries])
    focal_points = []
    with write_transaction():
        for country in countries:
            token = create_api_token(f"focal.{country.iso3.lower()}@load.example.org", "load")
            sections = [s for s in spec.sections_for(frozenset(country_scopes(country))) if len(s.status_items) >= 3]
            section = sections[len(focal_points) % len(sections)]
            focal_points.append(FocalPoint(country.iso3, token, [item["key"] for item in section.status_items][:8]))
    return focal_points


def request(port: int, method: str, path: str, token: str, body: dict | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        headers = {"Authorization": f"Bearer {token}"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def save(port: int, user: FocalPoint, rng: random.Random, phase: Phase) -> None:
    answers = {key: rng.choice(VALUES) for key in user.keys}
    started = time.perf_counter()
    try:
        status, body = request(port, "PATCH", f"/api/v1/cycles/{LABEL}/submissions/{user.iso3}/answers", user.token,
                               {"base_version": user.version, "answers": answers})
    except OSError as error:
        phase.errors.append(f"{user.iso3}: {type(error).__name__}: {error}")
        return
    phase.latencies.append(time.perf_counter() - started)
    phase.bytes.append(len(body))
    if status != 200:
        phase.errors.append(f"{user.iso3}: HTTP {status}: {body[:200]!r}")
        return
    user.version = json.loads(body)["version"]
    user.acknowledged.update(answers)
    user.saves += 1


def group_cpu_seconds(group: int) -> float:
    """CPU time (user + system) used so far by the live processes of a process group: the gunicorn
    master and its workers. The machine is shared, so saves per second depend on what else runs;
    CPU time per save does not, and says what the server could do with the cores to itself."""
    ticks = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                fields = stat.read().rpartition(")")[2].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[2]) == group:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def run_phase(port: int, users: list[FocalPoint], phase: Phase, seconds: float, interval: float | None,
              server_group: int) -> Phase:
    """Each user in its own thread: a save every ``interval`` s (paced), or back to back (None)."""
    stop_at = time.monotonic() + seconds

    def user_loop(user: FocalPoint, index: int) -> None:
        rng = random.Random(index)
        next_at = time.monotonic() + (rng.uniform(0, interval) if interval else 0)
        while True:
            if interval:
                time.sleep(max(0.0, next_at - time.monotonic()))
                next_at += interval
            if time.monotonic() >= stop_at:
                return
            save(port, user, rng, phase)

    started, server_cpu, client_cpu = time.monotonic(), group_cpu_seconds(server_group), time.process_time()
    threads = [threading.Thread(target=user_loop, args=(user, i), daemon=True) for i, user in enumerate(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.seconds = time.monotonic() - started
    phase.server_cpu = group_cpu_seconds(server_group) - server_cpu
    phase.client_cpu = time.process_time() - client_cpu
    return phase


def lost_saves(app, users: list[FocalPoint]) -> list[str]:
    """Every acknowledged value and version, compared with what the database holds."""
    from sqlalchemy import select

    from reporting.extensions import db
    from reporting.models import Answer, Country, Cycle, Submission

    with app.app_context():
        lost = []
        for user in users:
            submission = db.session.scalar(select(Submission).join(Country).join(Cycle).where(
                Country.iso3 == user.iso3, Cycle.label == LABEL))
            if user.saves and submission.version != user.version:
                lost.append(f"{user.iso3}: version {submission.version}, acknowledged {user.version}")
            stored = dict(db.session.execute(select(Answer.key, Answer.value).where(Answer.submission_id == submission.id)).all())
            lost += [f"{user.iso3} {key}: {stored.get(key)!r}, acknowledged {value!r}"
                     for key, value in user.acknowledged.items() if stored.get(key) != value]
        return lost


def report(phase: Phase) -> None:
    values = phase.latencies
    ok = len(values) - sum(1 for e in phase.errors if "HTTP" in e)
    print(f"{phase.name}: {len(values)} saves in {phase.seconds:.0f} s = {ok / phase.seconds:.1f} saves/s acknowledged; "
          f"errors {len(phase.errors)}")
    if values:
        print(f"  latency p50 {1000 * percentile(values, .5):.0f} ms · p95 {1000 * percentile(values, .95):.0f} ms · "
              f"p99 {1000 * percentile(values, .99):.0f} ms · max {1000 * max(values):.0f} ms; "
              f"response {statistics.mean(phase.bytes):.0f} bytes on average")
    if values:
        per_save = 1000 * phase.server_cpu / len(values)
        print(f"  server CPU {per_save:.1f} ms per save ({phase.server_cpu:.0f} s over the phase, i.e. "
              f"{phase.server_cpu / phase.seconds:.2f} cores busy; the clients used {phase.client_cpu / phase.seconds:.2f}): "
              f"{os.cpu_count() * 1000 / per_save:.0f} saves/s if the server had the {os.cpu_count()} cores to itself")
    for error in phase.errors[:5]:
        print(f"  {error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--users", type=int, default=193)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per gunicorn worker (more than 1: the gthread worker class)")
    parser.add_argument("--paced", type=float, default=60, help="seconds of saves every 10 s per user")
    parser.add_argument("--flat", type=float, default=30, help="seconds of back-to-back saves")
    parser.add_argument("--no-build", action="store_true", help="no report build beside the load")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        admin_url = os.environ.get("TEST_DATABASE_URL")
        database = None
        if args.database == "postgresql":
            from sqlalchemy import create_engine, text

            if not admin_url:
                sys.exit("set TEST_DATABASE_URL to a PostgreSQL role that may create databases")
            database = f"reporting_load_{uuid.uuid4().hex[:8]}"
            admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{database}"'))
            url = admin_url.rsplit("/", 1)[0] + f"/{database}"
        else:
            url = f"sqlite:///{scratch}/load.sqlite3"
        settings = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "load", "REPORTS_DIR": f"{scratch}/reports"}
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "load", "REPORTS_DIR": f"{scratch}/reports",
               "FLASK_APP": "reporting:create_app", "PYTHONPATH": str(ROOT)}
        env.pop("REDIS_URL", None)
        processes: list[subprocess.Popen] = []
        try:
            app = create_app(settings)
            started = time.perf_counter()
            with app.app_context():
                users = prepare(app, args.users)
                from reporting.extensions import db

                db.engine.dispose()
            print(f"Data on {args.database}: {len(users)} focal points, every submission pre-filled "
                  f"({time.perf_counter() - started:.0f} s to prepare)")
            server, port = start_gunicorn(["-w", str(args.workers), "--threads", str(args.threads)], env,
                                          lambda port: request(port, "GET", "/api/v1/openapi.json", "")[0] == 200)
            processes.append(server)
            sizes = {}
            for user in users:  # each client reads its submission once, for the version to save against
                status, body = request(port, "GET", f"/api/v1/cycles/{LABEL}/submissions/{user.iso3}", user.token)
                if status != 200:
                    sys.exit(f"reading {user.iso3}'s submission: HTTP {status} {body[:200]!r}")
                user.version = json.loads(body)["version"]
                sizes[user.iso3] = len(body)
            print(f"A whole submission (GET) is {statistics.mean(sizes.values()) / 1024:.0f} KB on average "
                  f"({sizes.get('FRA', 0) / 1024:.0f} KB for France); the save response is reported below")
            if not args.no_build:
                build = subprocess.Popen([sys.executable, "-m", "flask", "report", "build", "--cycle", "BENCH", "--lang", "en",
                                          "--countries", "all", "--workers", "1", "--rebuild"],
                                         cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                         start_new_session=True)
                processes.append(build)
                print("A report build (every country profile, one rendering process) runs beside the load")
            print(f"gunicorn -w {args.workers} --threads {args.threads} on 127.0.0.1:{port}; {os.cpu_count()} cores; "
                  f"load average before: {os.getloadavg()[0]:.1f}")
            paced = run_phase(port, users, Phase("Paced (a save every 10 s per user)"), args.paced, 10.0, server.pid)
            report(paced)
            flat = run_phase(port, users, Phase("Flat-out (back-to-back saves)"), args.flat, None, server.pid)
            report(flat)
            if not args.no_build:
                print(f"Report build still running at the end: {build.poll() is None} (stopped now)")
            lost = lost_saves(app, users)
            print(f"Lost acknowledged saves: {len(lost)} (checked {sum(u.saves for u in users)} saves, "
                  f"{sum(len(u.acknowledged) for u in users)} answers)")
            for line in lost[:5]:
                print(f"  {line}")
            print(f"Load average after: {os.getloadavg()[0]:.1f}")
        finally:
            stop(processes)
            if database:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))


if __name__ == "__main__":
    main()

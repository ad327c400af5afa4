"""A cycle's publication on the task queue: the cycle report and country profiles in the six
languages, rendered by 1, 2, … real `flask queue worker` processes on a private Redis; then a rebuild
with nothing changed, and one after one country's counted answer changed.

Data: every Member State answers every question, in two cycles (as ``report_build.py``).
``--countries N`` builds the profiles of the first N Member States only (a representative
subset: the figures are extrapolated to 193 from the time per PDF, and say so).

Run from the repository root (needs redis-server):

    .venv/bin/python benchmarks/publication.py --workers 1,2 --countries 12
"""
import argparse
import os
from pathlib import Path
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.report_build import build_data  # noqa: E402
from reporting import create_app  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MEMBER_STATES, LANGUAGES = 193, 6


def start_redis(folder: Path) -> tuple[subprocess.Popen, str]:
    from redis import Redis

    socket = folder / "redis.sock"
    process = subprocess.Popen([shutil.which("redis-server") or sys.exit("redis-server is not installed"),
                                "--port", "0", "--unixsocket", str(socket), "--save", "", "--appendonly", "no",
                                "--dir", str(folder)], stdout=subprocess.DEVNULL)
    url = f"unix://{socket}"
    for _ in range(200):
        try:
            if socket.exists() and Redis.from_url(url).ping():
                return process, url
        except Exception:  # not listening yet
            pass
        time.sleep(0.05)
    sys.exit("redis-server did not start")


def timed_build(app, label: str, countries: str, total_expected: int | None = None) -> tuple[float, object]:
    from reporting.extensions import db
    from reporting.models import ReportBuild
    from reporting.reports.build import start_build

    started = time.perf_counter()
    row = start_build(label, list(app.config["LANGUAGES"]), countries)
    while row.state_enum.active:
        time.sleep(0.5)
        db.session.expire_all()
        db.session.rollback()
        row = db.session.get(ReportBuild, row.id)
    if row.state != "done":
        sys.exit(f"build {row.id} {row.state}: {row.message}")
    return time.perf_counter() - started, row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="1,2", help="comma-separated numbers of queue workers to try")
    parser.add_argument("--countries", type=int, default=MEMBER_STATES, help="profiles of the first N Member States")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        redis, url = start_redis(scratch)
        settings = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{scratch}/pub.sqlite3", "SECRET_KEY": "pub",
                    "REPORTS_DIR": str(scratch / "reports"), "REDIS_URL": url}
        env = {**os.environ, "DATABASE_URL": settings["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "pub",
               "REPORTS_DIR": settings["REPORTS_DIR"], "REDIS_URL": url, "FLASK_APP": "reporting:create_app",
               "PYTHONPATH": str(ROOT)}
        workers: list[subprocess.Popen] = []
        try:
            app = create_app(settings)
            with app.app_context():
                from flask_migrate import upgrade
                from sqlalchemy import select

                from reporting.database import write_transaction
                from reporting.extensions import db
                from reporting.models import Answer, Country, Submission

                upgrade()
                cycle, answers = build_data()
                label = cycle.label
                codes = list(db.session.scalars(select(Country.iso3).where(Country.is_member_state).order_by(Country.iso3)))
                countries = ",".join(codes[:args.countries])
                pdfs = LANGUAGES * (1 + args.countries)
                full = LANGUAGES * (1 + MEMBER_STATES)
                print(f"Data: {answers:,} answers per cycle; building {LANGUAGES} reports + {args.countries} × "
                      f"{LANGUAGES} profiles = {pdfs} PDFs ({os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f})")
                for count in (int(n) for n in args.workers.split(",")):
                    for worker in workers:
                        os.killpg(worker.pid, signal.SIGTERM)
                        worker.wait(60)
                    workers = [subprocess.Popen([sys.executable, "-m", "flask", "queue", "worker"], cwd=ROOT, env=env,
                                                start_new_session=True, stderr=subprocess.DEVNULL)
                               for _ in range(count)]
                    shutil.rmtree(scratch / "reports", ignore_errors=True)  # from scratch: nothing to keep
                    reports, _row = timed_build(app, label, "none")
                    # The reports are kept by this second build (inputs unchanged): it renders the profiles only.
                    profiles, _row = timed_build(app, label, countries)
                    full_minutes = (reports + profiles * MEMBER_STATES / args.countries) / 60
                    print(f"{count} queue worker(s): {LANGUAGES} reports in {reports:.0f} s; {LANGUAGES * args.countries} "
                          f"profiles in {profiles:.0f} s ({profiles / (LANGUAGES * args.countries):.2f} s each); "
                          f"full publication ({full} PDFs): {full_minutes:.1f} min"
                          + ("" if args.countries == MEMBER_STATES else f" (extrapolated from {args.countries} countries)"))

                seconds, row = timed_build(app, label, countries)
                print(f"Rebuild with nothing changed: {seconds:.1f} s ({row.reused} of {row.total} PDFs kept)")
                with write_transaction():  # the first country's accepted answer: the world figures in every PDF change
                    answer = db.session.scalar(select(Answer).join(Submission).join(Country).where(
                        Submission.cycle_id == cycle.id, Country.iso3 == codes[0], Answer.key.like("%.status")).limit(1))
                    answer.value = "not_started" if answer.value != "not_started" else "implemented"
                seconds, row = timed_build(app, label, countries)
                print(f"Rebuild after one country's counted answer changed: {seconds:.1f} s for {pdfs} PDFs "
                      f"({row.reused} of {row.total} kept: every PDF shows the world and regional figures, "
                      f"so every PDF is rendered again, as in a full publication)")
        finally:
            for worker in workers:
                if worker.poll() is None:
                    os.killpg(worker.pid, signal.SIGTERM)
            for worker in workers:
                try:
                    worker.wait(60)
                except subprocess.TimeoutExpired:
                    os.killpg(worker.pid, signal.SIGKILL)
            redis.terminate()
            redis.wait(10)


if __name__ == "__main__":
    main()

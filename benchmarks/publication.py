"""A cycle's publication on the task queue: the cycle report and country profiles in the six
languages, rendered by 1 and by 2 real `flask queue worker` processes on a private Redis; then a
rebuild with nothing changed, and one after one country's counted answer changed.

Data: arq-2.0.0 answered in full by every Member State, in two cycles (``report_build.build_data``).
Bounded in time: a publication that runs past ``--budget`` seconds is cancelled and its full time
extrapolated from the PDFs done (and says so). ``--countries N`` builds the profiles of the first N
Member States only. Prints the load average with every figure (other processes share the cores).

Run from the repository root (needs redis-server):

    .venv/bin/python benchmarks/publication.py --workers 1,2 --budget 900
"""
import argparse
import os
from pathlib import Path
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.report_build import build_data  # noqa: E402
from benchmarks.serving import stop  # noqa: E402
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


def load() -> str:
    return "load average " + " / ".join(f"{value:.1f}" for value in os.getloadavg())


def timed_build(app, label: str, countries: str, budget: float | None = None) -> tuple[float, object, bool, float]:
    """Start a build and wait for it: (seconds, its row, finished, seconds of them preparing it: aggregating,
    fingerprinting, enqueueing, as the web request does). Past ``budget`` seconds the build is cancelled
    (its workers stop after the PDF they are on) and reported as unfinished."""
    from reporting.extensions import db
    from reporting.models import ReportBuild
    from reporting.reports.build import cancel_build, start_build

    started = time.perf_counter()
    row = start_build(label, list(app.config["LANGUAGES"]), countries)
    preparing = time.perf_counter() - started
    while row.state_enum.active:
        time.sleep(1)
        db.session.expire_all()
        db.session.rollback()
        row = db.session.get(ReportBuild, row.id)
        if budget is not None and row.state_enum.active and time.perf_counter() - started > budget:
            seconds = time.perf_counter() - started
            cancel_build(row.id)
            return seconds, row, False, preparing
    if row.state != "done":
        sys.exit(f"build {row.id} {row.state}: {row.message}")
    return time.perf_counter() - started, row, True, preparing


def start_workers(count: int, env: dict) -> list[subprocess.Popen]:
    return [subprocess.Popen([sys.executable, "-m", "flask", "queue", "worker"], cwd=ROOT, env=env,
                             start_new_session=True, stderr=subprocess.DEVNULL) for _ in range(count)]


def changed_one_answer(cycle, iso3: str) -> str:
    """One status answer of ``iso3`` moves one step along the scale (planned → in progress, …):
    a country revising its response, its applicable replies unchanged."""
    from sqlalchemy import select

    from reporting.database import write_transaction
    from reporting.extensions import db
    from reporting.models import Answer, Country, Submission

    step = {"not_started": "planned", "planned": "in_progress", "in_progress": "implemented", "implemented": "in_progress"}
    with write_transaction():  # (a JSON column: the value is compared in Python)
        answer = next(answer for answer in db.session.scalars(select(Answer).join(Submission).join(Country).where(
            Submission.cycle_id == cycle.id, Country.iso3 == iso3, Answer.key.like("%.status")).order_by(Answer.key))
            if answer.value in step)
        before, answer.value = answer.value, step[answer.value]
        return f"{iso3} {answer.key}: {before} → {answer.value}"


def rendered_again(app, label: str, before: dict) -> dict[str, int]:
    """Of the PDFs in the manifest, how many were written since ``before`` (path → sha256), by kind."""
    import json

    files = json.loads((Path(app.config["REPORTS_DIR"]) / label / "manifest.json").read_text())["files"]
    counts = {"report": 0, "profile": 0}
    for path, entry in files.items():
        if entry["kind"] in counts and entry.get("built_at") and before.get(path) != entry["built_at"]:
            counts[entry["kind"]] += 1
    return counts


def manifest_times(app, label: str) -> dict:
    import json

    files = json.loads((Path(app.config["REPORTS_DIR"]) / label / "manifest.json").read_text())["files"]
    return {path: entry.get("built_at") for path, entry in files.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="1,2", help="comma-separated numbers of queue workers to try (none: the rebuilds only)")
    parser.add_argument("--countries", type=int, default=MEMBER_STATES, help="profiles of the first N Member States")
    parser.add_argument("--budget", type=float, default=900,
                        help="seconds the reports, then the profiles, may each run; past it the build is cancelled "
                             "and the full time extrapolated from the PDFs done (default 900: the 15-minute target)")
    parser.add_argument("--rebuild-workers", type=int, default=2, help="queue workers for the rebuilds")
    parser.add_argument("--rebuild-countries", type=int, default=None,
                        help="profiles of the first N Member States in the rebuilds (default: --countries)")
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

                from reporting.extensions import db
                from reporting.models import Country

                upgrade()
                cycle, answers = build_data()
                label = cycle.label
                codes = list(db.session.scalars(select(Country.iso3).where(Country.is_member_state).order_by(Country.iso3)))
                countries = ",".join(codes[:args.countries])
                pdfs = LANGUAGES * (1 + args.countries)
                print(f"Data: arq-2.0.0 answered in full, {answers:,} answers per cycle; publication: {LANGUAGES} reports "
                      f"+ {args.countries} × {LANGUAGES} profiles = {pdfs} PDFs; {os.cpu_count()} cores, {load()}", flush=True)
                for count in (int(n) for n in args.workers.split(",") if n != "none"):
                    stop(workers, grace=60)
                    workers = start_workers(count, env)
                    shutil.rmtree(scratch / "reports", ignore_errors=True)  # from scratch: nothing to keep or resume
                    # The six reports first (a report takes many times a profile), then the profiles, the reports kept.
                    reports, row, finished, _preparing = timed_build(app, label, "none", args.budget)
                    if not finished:
                        print(f"{count} queue worker(s): the {LANGUAGES} reports alone ran past the {args.budget:.0f} s "
                              f"budget ({row.done} done); {load()}", flush=True)
                        time.sleep(5)
                        continue
                    seconds, row, finished, _preparing = timed_build(app, label, countries, args.budget)
                    profiles = LANGUAGES * args.countries
                    done = row.done - row.reused
                    if finished:
                        print(f"{count} queue worker(s): full publication of {row.total} PDFs in "
                              f"{(reports + seconds) / 60:.1f} min: {LANGUAGES} reports in {reports:.0f} s, {profiles} "
                              f"profiles in {seconds:.0f} s ({seconds / profiles:.2f} s each); {load()}", flush=True)
                    else:
                        each = seconds / done if done else None  # includes preparing the build: an upper bound
                        print(f"{count} queue worker(s): {LANGUAGES} reports in {reports:.0f} s; profiles stopped at the "
                              f"{args.budget:.0f} s budget with {done} of {profiles} done in {seconds:.0f} s"
                              + (f" ({each:.2f} s each); full publication about {(reports + each * profiles) / 60:.1f} min "
                                 f"(extrapolated)" if each else "") + f"; {load()}", flush=True)
                        time.sleep(5)  # the cancelled build's workers finish the PDF they are on

                stop(workers, grace=60)
                workers = start_workers(args.rebuild_workers, env)
                rebuilt = args.rebuild_countries or args.countries
                countries = ",".join(codes[:rebuilt])
                print(f"Rebuilds: {LANGUAGES} reports + {rebuilt} × {LANGUAGES} profiles = {LANGUAGES * (1 + rebuilt)} PDFs",
                      flush=True)
                # Rebuilds need a complete publication to start from: this build has no budget, and takes up
                # what the last (cancelled) one rendered into its cache (as a build retried after a crash does).
                seconds, _row, _finished, _preparing = timed_build(app, label, countries)
                print(f"Publication completed for the rebuilds ({args.rebuild_workers} workers, resuming the last "
                      f"build's rendered PDFs): {seconds / 60:.1f} min; {load()}", flush=True)
                seconds, row, _finished, preparing = timed_build(app, label, countries)
                print(f"Rebuild with nothing changed: {seconds:.1f} s, of which {preparing:.1f} s preparing "
                      f"({row.reused} of {row.total} PDFs kept); {load()}", flush=True)
                before = manifest_times(app, label)
                time.sleep(1.1)  # built_at has whole seconds
                change = changed_one_answer(cycle, codes[0])
                seconds, row, _finished, preparing = timed_build(app, label, countries)
                again = rendered_again(app, label, before)
                print(f"Rebuild after one country's counted answer changed ({change}): {seconds:.1f} s, of which "
                      f"{preparing:.1f} s preparing "
                      f"(target ≤ 60 s); {row.total - row.reused} of {row.total} PDFs rendered again: "
                      f"{again['report']} reports, {again['profile']} profiles; {load()}", flush=True)
        finally:
            stop(workers, grace=60)
            redis.terminate()
            redis.wait(10)


if __name__ == "__main__":
    main()

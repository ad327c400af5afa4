"""Web report page time: recomputed on every request (as before the cache) against served from the
shared cache (reporting/reports/cache.py), through gunicorn with two workers.

1. A scratch SQLite database with the demo data (193 Member States, two cycles of arq 2.x) and a
   compiler account; gunicorn ``-w 2`` on a loopback port, signed in over HTTP.
2. Recomputed: the cache folder emptied before each request, so every page computes the content and
   renders the whole report, as every request did before the cache.
3. Cold: the first request after a change (the cache emptied once), then warm: the same page again
   and again, answered by both workers from the same files.

Loopback only; stops by itself. Run from the repository root:

    .venv/bin/python benchmarks/web_report.py [--repeat 10] [--lang en,ar]
"""
import argparse
import os
from pathlib import Path
import re
import shutil
import statistics
import sys
import tempfile
import time

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.serving import start_gunicorn, stop  # noqa: E402
from reporting import create_app  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "benchmark-web-report-2026"


def prepare(settings: dict) -> str:
    """The demo data and a compiler; returns the label of the cycle the report is about."""
    from flask_migrate import upgrade

    from reporting.accounts.services import create_user
    from reporting.countries.services import load_countries
    from reporting.database import write_transaction
    from reporting.demo.services import CURRENT, create_demo
    from reporting.questionnaire.schema import SPECS_DIR
    from reporting.questionnaire.versions import activate_spec, newest_spec

    app = create_app(settings)
    with app.app_context():
        upgrade()
        with write_transaction():
            load_countries()
        spec = newest_spec(SPECS_DIR, "arq")
        activate_spec(spec)
        with write_transaction():
            create_demo(spec["version"])
            for number in (1, 2):  # one account per session: signing in again ends an account's other session
                create_user(f"compiler{number}@bench.example.org", PASSWORD, "compiler")
        from reporting.extensions import db

        db.engine.dispose()
    return CURRENT


def sign_in(base: str, number: int) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/login").text
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    response = session.post(f"{base}/login", data={"email": f"compiler{number}@bench.example.org", "password": PASSWORD,
                                                   "csrf_token": token}, allow_redirects=False)
    if response.status_code != 302:
        sys.exit(f"sign-in failed: HTTP {response.status_code}")
    return session


def fetch(session: requests.Session, url: str) -> float:
    started = time.perf_counter()
    response = session.get(url)
    elapsed = time.perf_counter() - started
    if response.status_code != 200 or "web-report" not in response.text:
        sys.exit(f"{url}: HTTP {response.status_code} {response.url} {response.text[:300]!r}")
    return elapsed


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {1000 * statistics.median(ordered):,.0f} ms, p95 {1000 * p95:,.0f} ms (n = {len(ordered)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--lang", default="en,ar")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{scratch}/bench.sqlite3"
        reports = Path(scratch) / "reports"
        settings = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "REPORTS_DIR": str(reports)}
        started = time.perf_counter()
        label = prepare(settings)
        print(f"Demo data ready in {time.perf_counter() - started:.0f} s; report of cycle {label}")
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench", "REPORTS_DIR": str(reports),
               "PYTHONPATH": str(ROOT)}
        env.pop("REDIS_URL", None)
        # requests' connection errors are OSErrors: start_gunicorn waits through them.
        server, port = start_gunicorn(["-w", "2"], env,
                                      lambda port: requests.get(f"http://127.0.0.1:{port}/login", timeout=5).status_code == 200)
        try:
            base = f"http://127.0.0.1:{port}"
            # Two sessions, so that both workers answer (each keeps its connection to one worker).
            sessions = [sign_in(base, 1), sign_in(base, 2)]
            cache = reports / ".web-cache"
            print(f"gunicorn -w 2 on 127.0.0.1:{port}; {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")
            for lang in args.lang.split(","):
                page = f"{base}/reports/{label}/{lang}/"
                fetch(sessions[0], page)  # each worker's imports and first queries out of the way
                fetch(sessions[1], page)
                recomputed = []
                for index in range(args.repeat):
                    shutil.rmtree(cache, ignore_errors=True)
                    recomputed.append(fetch(sessions[index % 2], page))
                shutil.rmtree(cache, ignore_errors=True)
                cold = fetch(sessions[0], page)
                warm = [fetch(sessions[index % 2], page) for index in range(args.repeat * 3)]
                print(f"[{lang}] recomputed on every request (before): {summary(recomputed)}")
                print(f"[{lang}] cold, first request after a change:     {1000 * cold:,.0f} ms")
                print(f"[{lang}] warm, from the shared cache (after):    {summary(warm)}")
            size = sum(path.stat().st_size for path in cache.rglob("*") if path.is_file())
            print(f"Cache files: {size / 1e6:.1f} MB; load average after {os.getloadavg()[0]:.1f}")
        finally:
            stop([server])


if __name__ == "__main__":
    main()

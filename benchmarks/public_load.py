"""Public load: 200 concurrent anonymous clients on the public pages and the public API of gunicorn.

1. A scratch SQLite database with the full questionnaire, every Member State's accepted answers to
   two cycles (both published; about half the countries agreed to publish their words), and the
   open data of both written (``flask cycle publish`` / a report build do the same).
2. gunicorn with ``--workers`` (4) sync workers on a loopback port.
3. Warm-up: every URL once per worker, concurrently (each process keeps its own response cache).
4. ``--clients`` (200) threads for ``--seconds`` (30): each picks a URL from the mix — the API
   root, cycles, a cycle, aggregate tables with filters and pages, a country's public answers,
   register searches and commitments, the catalogue, the open-data page and files, and every
   public page the portal's sitemap lists — requests it, then waits ``--think`` seconds on
   average (0: back to back). A third of the requests revalidate (``If-None-Match`` with the
   ETag it got before), as browsers and proxies do; 304 counts as success.
5. Prints requests, requests/s, p50/p95/p99/max latency and errors, and the load average
   (the machine may be shared).

Loopback only; stops by itself. All clients share 127.0.0.1, so the per-client rate limit is
raised for the run (``PUBLIC_RATE_LIMIT``), otherwise 429 is all they would see. Run from the
repository root: ``.venv/bin/python benchmarks/public_load.py [--clients 200] [--seconds 30] [--think 1]``
"""
import argparse
from dataclasses import dataclass, field
from datetime import datetime, timezone
import http.client
import os
from pathlib import Path
import random
import re
import sys
import tempfile
import threading
import time

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.report_build import build_data  # noqa: E402
from benchmarks.serving import start_gunicorn, stop  # noqa: E402
from benchmarks.timing import percentile  # noqa: E402
from reporting import create_app  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
API = "/api/v1/public"


@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    bytes: int = 0
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, status: int, size: int, url: str) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.by_kind.setdefault(kind_of(url), []).append(seconds)
            self.statuses[status] = self.statuses.get(status, 0) + 1
            self.bytes += size
            if status not in (200, 304):
                self.errors.append(f"HTTP {status} {url}")


def kind_of(url: str) -> str:
    """The URL with its cycle, country, commitment and query values replaced, to group latencies."""
    kind = re.sub(r"/cycles/[^/?]+", "/cycles/C", url.split("?")[0])
    kind = re.sub(r"/countries/[A-Z]{3}/", "/countries/X/", kind)
    kind = re.sub(r"/commitments/.+", "/commitments/ID", kind)
    kind = re.sub(r"^/public/data/(?!catalog)[^/]+/", "/public/data/C/", kind)
    return re.sub(r"/public/(?!data/)([a-z]{2})/.*", r"/public/\1/… (page)", kind)


def prepare() -> list[str]:
    """Two answered cycles, both published with their open data; returns their labels."""
    from flask_migrate import upgrade
    from sqlalchemy import select, update

    from reporting.database import write_transaction
    from reporting.extensions import db
    from reporting.models import Cycle, Submission
    from reporting.opendata.files import write_cycle_files

    upgrade()
    build_data()
    with write_transaction():
        db.session.execute(update(Cycle).values(state="published", published_at=datetime.now(timezone.utc)))
        # About half the countries agreed to publish their own words.
        db.session.execute(update(Submission).where(Submission.country_id % 2 == 0).values(may_publish=True))
    labels = []
    for cycle in db.session.scalars(select(Cycle).order_by(Cycle.deadline)):
        write_cycle_files(cycle)
        labels.append(cycle.label)
    return labels


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, bytes, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        connection.close()


def url_mix(port: int, labels: list[str]) -> list[str]:
    """The URLs the clients choose from: the public API, the open data and the sitemap's pages."""
    import json

    from reporting.opendata.files import FILES
    from reporting.reports.build import AGGREGATE_SHEETS

    newest = labels[-1]
    status, body, _headers = get(port, f"{API}/cycles/{newest}")
    if status != 200:
        sys.exit(f"{API}/cycles/{newest}: HTTP {status} {body[:200]!r}")
    countries = [entry["iso3"] for entry in json.loads(body)["countries"]]
    rng = random.Random(16)
    urls = [f"{API}/", f"{API}/cycles", "/public/data/catalog.json"]
    for label in labels:
        urls += [f"{API}/cycles/{label}", f"/public/data/{label}/"]
        urls += [f"/public/data/{label}/{file.name}" for file in FILES if file.name.endswith(".csv")][:3]
        urls += [f"{API}/cycles/{label}/aggregates/{table}" for table in AGGREGATE_SHEETS]
        urls += [f"{API}/cycles/{label}/aggregates/status?level=region&page={page}" for page in (1, 2, 3)]
        urls += [f"{API}/cycles/{label}/countries/{iso3}/answers" for iso3 in rng.sample(countries, 20)]
    urls += [f"{API}/commitments?q={word}" for word in ("prevention", "money+laundering", "treatment", "precursors")]
    urls += [f"{API}/commitments?chapter={chapter}&limit=100" for chapter in range(1, 8)]
    status, body, _headers = get(port, f"{API}/commitments?limit=500")
    ids = [entry["id"] for entry in json.loads(body)["commitments"]]
    urls += [f"{API}/commitments/{commitment}" for commitment in rng.sample(ids, 30)]
    status, body, _headers = get(port, "/sitemap.xml")
    pages = re.findall(r"<loc>https?://[^/<]+(/[^<]*)</loc>", body.decode()) if status == 200 else []
    urls += rng.sample(pages, min(len(pages), 150))
    print(f"URL mix: {len(urls)} URLs ({len(pages)} pages in the sitemap, {min(len(pages), 150)} of them in the mix)")
    return urls


def run_list(port: int, urls: list[str], threads: int, results: Results) -> None:
    """Request every URL of the list once, ``threads`` at a time."""
    pending = list(urls)
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                if not pending:
                    return
                url = pending.pop()
            started = time.perf_counter()
            status, body, _headers = get(port, url)
            results.add(time.perf_counter() - started, status, len(body), url)

    workers = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()


def run(port: int, urls: list[str], clients: int, seconds: float, think: float, results: Results) -> None:
    stop_at = time.monotonic() + seconds

    def client(index: int) -> None:
        rng = random.Random(index)
        etags: dict[str, str] = {}
        time.sleep(rng.uniform(0, think or 0.05))  # spread the start
        while time.monotonic() < stop_at:
            url = rng.choice(urls)
            headers = {"If-None-Match": etags[url]} if url in etags and rng.random() < 1 / 3 else {}
            started = time.perf_counter()
            try:
                status, body, response_headers = get(port, url, headers)
            except OSError as error:
                with results.lock:
                    results.errors.append(f"{type(error).__name__}: {error} {url}")
                continue
            results.add(time.perf_counter() - started, status, len(body), url)
            if "ETag" in response_headers:
                etags[url] = response_headers["ETag"]
            if think:
                time.sleep(rng.uniform(0, 2 * think))

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(index,), daemon=True) for index in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.seconds = time.monotonic() - started


def report(name: str, results: Results) -> None:
    values = results.latencies
    print(f"{name}: {len(values)} requests in {results.seconds:.0f} s = {len(values) / results.seconds:.0f} requests/s; "
          f"errors {len(results.errors)}; statuses {dict(sorted(results.statuses.items()))}; "
          f"{results.bytes / max(1, len(values)) / 1024:.1f} KB per response on average")
    if values:
        print(f"  latency p50 {1000 * percentile(values, .5):.0f} ms · p95 {1000 * percentile(values, .95):.0f} ms · "
              f"p99 {1000 * percentile(values, .99):.0f} ms · max {1000 * max(values):.0f} ms")
    slowest = sorted(results.by_kind.items(), key=lambda item: -percentile(item[1], .95))[:8]
    print("  slowest URLs (p95, requests): " + "; ".join(
        f"{kind} {1000 * percentile(times, .95):.0f} ms ({len(times)})" for kind, times in slowest))
    for error in results.errors[:5]:
        print(f"  {error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between a client's requests (0: back to back)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--storage", default="memory://",
                        help="RATELIMIT_STORAGE_URI of the server, e.g. redis://127.0.0.1:6379/15 (shared by the workers)")
    parser.add_argument("--data", type=Path, help="keep the prepared database and files in this folder and reuse "
                                                 "them on the next run (default: a temporary folder)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as temporary:
        scratch = args.data or temporary
        url = f"sqlite:///{scratch}/public.sqlite3"
        settings = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "public-load", "REPORTS_DIR": f"{scratch}/reports"}
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "public-load", "REPORTS_DIR": f"{scratch}/reports",
               "PUBLIC_RATE_LIMIT": "1000000 per minute", "RATELIMIT_STORAGE_URI": args.storage,
               "FLASK_APP": "reporting:create_app", "PYTHONPATH": str(ROOT)}
        env.pop("REDIS_URL", None)
        server = None
        try:
            app = create_app(settings)
            started = time.perf_counter()
            with app.app_context():
                from sqlalchemy import select

                from reporting.extensions import db
                from reporting.models import Cycle

                if args.data and (args.data / "public.sqlite3").exists():
                    labels = list(db.session.scalars(select(Cycle.label).order_by(Cycle.deadline)))
                else:
                    labels = prepare()
                db.engine.dispose()
            print(f"Data: cycles {', '.join(labels)} published, 193 Member States each, open data written "
                  f"({time.perf_counter() - started:.0f} s to prepare)")
            server, port = start_gunicorn(["-w", str(args.workers), "--backlog", "2048"], env,
                                          lambda port: get(port, f"{API}/")[0] == 200)
            urls = url_mix(port, labels)
            warm, started = Results(), time.monotonic()
            run_list(port, urls * args.workers, 2 * args.workers, warm)  # concurrent: every worker gets its share
            if warm.errors:
                sys.exit(f"warm-up: {len(warm.errors)} errors, e.g. {warm.errors[:3]}")
            print(f"Warm-up: every URL {args.workers} times, {2 * args.workers} at a time, in "
                  f"{time.monotonic() - started:.0f} s (first requests of a worker read the files and the report content)")
            print(f"gunicorn -w {args.workers} (sync) on 127.0.0.1:{port}, rate-limit counters in {args.storage}; "
                  f"{os.cpu_count()} cores; "
                  f"load average before: {' '.join(f'{value:.1f}' for value in os.getloadavg())}")
            results = Results()
            run(port, urls, args.clients, args.seconds, args.think, results)
            report(f"{args.clients} clients, {args.think:g} s mean think time", results)
            print(f"Load average after: {' '.join(f'{value:.1f}' for value in os.getloadavg())}")
        finally:
            if server is not None:
                stop([server])


if __name__ == "__main__":
    main()

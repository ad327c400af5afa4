"""Building a cycle's report files, for ``flask report build`` and the web trigger.

1. Check the fonts and the output folder; aggregate once, in SQL.
2. Render every PDF in a process pool, one worker per core; each worker makes
   one Flask app and one font configuration and renders many documents.
3. Publish: rename every file into place, update the manifest, the database
   rows and the audit log, in one step.

Until step 3 every file is written under a hidden temporary name; if anything
fails they are all removed, so a failed build leaves no half-written file and
the previous build's files untouched.
"""
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
import hashlib
import json
from multiprocessing import get_context
import os
from pathlib import Path
import secrets
import threading
import time

from flask import Flask, current_app
from sqlalchemy import select

from reporting import audit
from reporting.database import write_transaction
from reporting.extensions import db
from reporting.models import Country, Cycle, ReportFile
from reporting.reports import exports
from reporting.reports.content import CountryResponse, ReportContent, country_responses, cycle_content
from reporting.reports.fonts import check_fonts
from reporting.reports.render import Renderer
from reporting.reports.services import ReportError, parse_countries, report_cycle

REPORT, PROFILE, AGGREGATES, ANSWERS = "report", "profile", "aggregates", "answers"
TEMPLATES = {REPORT: "reports/pdf/cycle_report.html", PROFILE: "reports/pdf/country_profile.html"}
# What a worker process needs to make its own app: templates and translations, no requests.
WORKER_SETTINGS = ("SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "LANGUAGES", "BABEL_DEFAULT_LOCALE",
                   "BABEL_TRANSLATION_DIRECTORIES", "REPORTS_DIR", "TESTING")
MANIFEST, LOCK, STATUS = "manifest.json", ".build.lock", ".build-status.json"


def report_path(label: str, language: str) -> str:
    """Where the cycle report goes under the cycle's folder; the web routes find files by these names."""
    return f"{language}/progress-report-{label}-{language}.pdf"


def profile_path(label: str, language: str, iso3: str) -> str:
    return f"{language}/country-profile-{iso3}-{label}-{language}.pdf"


def data_path(label: str, name: str, extension: str) -> str:
    return f"data/{name}-{label}.{extension}"


AGGREGATE_SHEETS = ("status", "summary", "targets", "commitments", "indicators", "coverage")
DATA_FILES = (("aggregates", "xlsx"), *((f"aggregates-{sheet}", "csv") for sheet in AGGREGATE_SHEETS),
              ("answers", "xlsx"), ("answers", "csv"))


@dataclass(frozen=True)
class Job:
    kind: str
    language: str | None
    iso3: str | None
    path: str  # under the cycle folder, e.g. "en/progress-report-2026-en.pdf"


@dataclass(frozen=True)
class Output:
    job: Job
    temp: Path
    sha256: str
    size: int
    pages: int | None = None
    templating: float = 0.0  # seconds, PDFs only
    weasyprint: float = 0.0
    missing_glyphs: tuple[str, ...] = ()


def _finished(job: Job, temp: Path, data: bytes, **details) -> Output:
    temp.write_bytes(data)
    return Output(job, temp, hashlib.sha256(data).hexdigest(), len(data), **details)


def render_job(renderer: Renderer, content: ReportContent, job: Job, temp: Path,
               response: CountryResponse | None) -> Output:
    try:
        rendered = renderer.render(TEMPLATES[job.kind], job.language, content=content, response=response)
    except ReportError:
        raise
    except Exception as error:  # WeasyPrint or a bug: name the file it happened on
        raise ReportError(f"rendering {job.path} failed: {type(error).__name__}: {error}") from None
    return _finished(job, temp, rendered.pdf, pages=rendered.pages, templating=rendered.templating,
                     weasyprint=rendered.weasyprint, missing_glyphs=rendered.missing_glyphs)


# One renderer per worker process, made by the pool's initializer.
_worker: tuple[Renderer, ReportContent] | None = None


def _start_worker(settings: dict, content: ReportContent) -> None:
    global _worker
    from reporting import create_app

    _worker = (Renderer(create_app(settings)), content)


def _run_in_worker(job: Job, temp: Path, response: CountryResponse | None) -> Output:
    renderer, content = _worker
    return render_job(renderer, content, job, temp, response)


class Build:
    """One build: prepared (checked, aggregated, planned) on creation, written by ``run``."""

    def __init__(self, cycle: Cycle, languages: list[str], countries: list[Country], out_dir: Path):
        check_fonts(languages)
        self.cycle_id, self.label = cycle.id, cycle.label
        self.out_dir = Path(out_dir)
        self.folder = self.out_dir / cycle.label  # a safe file name: see responses.cycles.LABEL_PATTERN
        self.token = secrets.token_hex(6)
        for language in languages:
            self._writable(self.folder / language)
        self._writable(self.folder / "data")
        started = time.perf_counter()
        self.content = cycle_content(cycle)
        self.responses = {r.place.iso3: r for r in country_responses(cycle, countries)} if countries else {}
        self.aggregation_seconds = time.perf_counter() - started
        self.country_ids = {country.iso3: country.id for country in countries}
        self.answers = exports.answers_table(cycle)
        self.jobs = [Job(REPORT, language, None, report_path(self.label, language)) for language in languages]
        self.jobs += [Job(PROFILE, language, country.iso3, profile_path(self.label, language, country.iso3))
                      for language in languages for country in countries]

    @property
    def in_app_folder(self) -> bool:
        """Whether the files go to the app's reports folder, where the web UI offers them."""
        return self.out_dir.resolve() == Path(current_app.config["REPORTS_DIR"]).resolve()

    def _writable(self, folder: Path) -> None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            probe = folder / f".write-test.{self.token}.part"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as error:
            raise ReportError(f"cannot write to {folder}: {error.strerror or error}") from None

    def _temp(self, job: Job) -> Path:
        final = self.folder / job.path
        return final.with_name(f".{final.name}.{self.token}.part")

    def run(self, on_done: Callable[[Job], None] = lambda job: None, workers: int | None = None) -> list[Output]:
        """Write every file, or none: temporaries are removed on any failure (or Ctrl-C)."""
        with _lock(self.folder):
            try:
                outputs = self._write_files(on_done, workers)
                self._publish(outputs)
            except BaseException:
                for temp in self.folder.rglob(f".*.{self.token}.part"):
                    temp.unlink(missing_ok=True)
                raise
        return outputs

    def _exports(self) -> list[Output]:
        tables = exports.aggregate_tables(self.content)
        contents = {
            ("aggregates", "xlsx"): lambda: exports.to_xlsx(tables),
            **{(f"aggregates-{table.name}", "csv"): (lambda table=table: exports.to_csv(table)) for table in tables},
            ("answers", "xlsx"): lambda: exports.to_xlsx([self.answers]),
            ("answers", "csv"): lambda: exports.to_csv(self.answers),
        }
        outputs = []
        for name, extension in DATA_FILES:
            job = Job(ANSWERS if name == "answers" else AGGREGATES, None, None, data_path(self.label, name, extension))
            outputs.append(_finished(job, self._temp(job), contents[name, extension]()))
        return outputs

    def _write_files(self, on_done: Callable[[Job], None], workers: int | None) -> list[Output]:
        """Every file under its temporary name: the exports are written here while the pool renders the PDFs."""
        tasks = [(job, self._temp(job), self.responses.get(job.iso3)) for job in self.jobs]
        workers = min(workers or os.cpu_count() or 1, len(tasks))
        if workers <= 1:
            outputs = self._exports()
            renderer = Renderer(current_app._get_current_object())
            for task in tasks:
                outputs.append(render_job(renderer, self.content, *task))
                on_done(task[0])
            return outputs
        settings = {key: current_app.config[key] for key in WORKER_SETTINGS if key in current_app.config}
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=_start_worker,
                                 initargs=(settings, self.content)) as pool:
            futures = [pool.submit(_run_in_worker, *task) for task in tasks]
            try:
                outputs = self._exports()
                for future in as_completed(futures):
                    outputs.append(future.result())
                    on_done(outputs[-1].job)
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
        return outputs

    def _publish(self, outputs: list[Output]) -> None:
        """Rename into place, then the manifest; database rows only for the app's own reports folder."""
        with write_transaction():
            if self.in_app_folder:
                self._record(outputs)
            for output in outputs:
                os.replace(output.temp, self.folder / output.job.path)
            self._write_manifest(outputs)

    def _record(self, outputs: list[Output]) -> None:
        now = datetime.now(timezone.utc)
        paths = [f"{self.folder.name}/{output.job.path}" for output in outputs]
        existing = {row.path: row for row in db.session.scalars(select(ReportFile).where(ReportFile.path.in_(paths)))}
        for path, output in zip(paths, outputs):
            row = existing.get(path) or ReportFile(path=path)
            row.cycle_id, row.kind, row.lang = self.cycle_id, output.job.kind, output.job.language
            row.country_id = self.country_ids.get(output.job.iso3)
            row.sha256, row.pages, row.size, row.created_at = output.sha256, output.pages, output.size, now
            db.session.add(row)
        audit.record("reports.built", "cycle", self.cycle_id, new={
            "files": len(outputs), "languages": sorted({o.job.language for o in outputs if o.job.language}),
            "countries": len(self.country_ids)})

    def _write_manifest(self, outputs: list[Output]) -> None:
        """Merged with the previous manifest, so building one language keeps the others' entries."""
        path = self.folder / MANIFEST
        try:
            files = json.loads(path.read_text())["files"]
        except (OSError, ValueError, KeyError):
            files = {}
        built_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        for output in outputs:
            files[output.job.path] = {
                "kind": output.job.kind, "language": output.job.language, "country": output.job.iso3,
                "sha256": output.sha256, "pages": output.pages, "size": output.size, "built_at": built_at,
            }
        files = {name: entry for name, entry in sorted(files.items()) if (self.folder / name).is_file()}
        write_atomic(path, json.dumps({"cycle": self.label, "files": files}, indent=2, ensure_ascii=False).encode())


def write_atomic(path: Path, data: bytes) -> None:
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.part")
    try:
        temp.write_bytes(data)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def lock_holder(folder: Path) -> int | None:
    """The process building this cycle now, if any (a lock left by a dead process does not count)."""
    try:
        pid = int((folder / LOCK).read_text())
    except (OSError, ValueError):
        return None
    return pid if _alive(pid) else None


@contextmanager
def _lock(folder: Path):
    """One build per cycle folder at a time, across the CLI and the web."""
    path = folder / LOCK
    if path.exists() and lock_holder(folder) is None:
        path.unlink(missing_ok=True)
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        raise ReportError(f"another build of this cycle is running (process {lock_holder(folder)}); wait for it to finish") from None
    with os.fdopen(descriptor, "w") as handle:
        handle.write(str(os.getpid()))
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


def build_status(folder: Path) -> dict | None:
    """The web-triggered build's progress: state running, done or failed; None if never triggered."""
    try:
        status = json.loads((folder / STATUS).read_text())
    except (OSError, ValueError):
        return None
    if status.get("state") == "running" and lock_holder(folder) is None:
        status.update(state="failed", message="the build was interrupted")
    return status


def _write_status(folder: Path, **status) -> None:
    write_atomic(folder / STATUS, json.dumps(status).encode())


def start_in_background(cycle_label: str, languages: list[str], countries: str) -> threading.Thread:
    """Prepare the build in this request (so bad input is reported at once), render in a thread."""
    cycle = report_cycle(cycle_label)
    build = Build(cycle, languages, parse_countries(countries), Path(current_app.config["REPORTS_DIR"]))
    if lock_holder(build.folder) is not None:
        raise ReportError("a build of this cycle is already running; wait for it to finish")
    total, done = len(build.jobs), []
    _write_status(build.folder, state="running", done=0, total=total)

    def progress(_job: Job) -> None:
        done.append(1)
        _write_status(build.folder, state="running", done=len(done), total=total)

    def run(app: Flask) -> None:
        with app.app_context():
            try:
                build.run(on_done=progress)
            except Exception as error:  # the page shows the message; the log keeps the traceback
                app.logger.exception("report build of cycle %s failed", build.label)
                _write_status(build.folder, state="failed", done=len(done), total=total, message=str(error))
            else:
                _write_status(build.folder, state="done", done=total, total=total)

    thread = threading.Thread(target=run, args=(current_app._get_current_object(),),
                              name=f"report-build-{build.label}", daemon=True)
    thread.start()
    return thread

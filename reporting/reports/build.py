"""Building a cycle's report files, for ``flask report build`` and the web trigger.

1. Check the fonts and the output folder; aggregate once, in SQL.
2. Render every PDF in a process pool, one worker per core; each worker makes
   one Flask app and one font configuration and renders many documents.
3. Publish: rename every file into place, update the manifest, the database
   rows and the audit log, in one step.

Until step 3 every file is written under a hidden temporary name; if anything
fails they are all removed, so a failed build leaves no half-written file and
the previous build's files untouched.

Incremental: every PDF has an inputs fingerprint (its data, language, template,
translations and renderer, see ``fingerprint``), kept in the manifest and the
database. A PDF whose fingerprint has not changed since the last build is kept,
not rendered again. A country profile's data is what it prints: the country's own
answers and its region's and the world's figures as rounded for print
(``profiles.ProfileContent``), so a change in one country's answers renders again
that country's profiles, the cycle reports, and only those other profiles whose
printed figures it moves.

Started from the web (``start_build``), a build is a ``ReportBuild`` row that
shows its progress and can be cancelled. With ``REDIS_URL`` it is split into
parts, one queue task each, spread over every queue worker running, and a
last task that publishes; each part keeps what it rendered in a cache folder
named by fingerprint, so a part retried after its worker died redoes only what
was not finished. Without ``REDIS_URL`` it runs in a thread of the web worker
with the local process pool, and is reported as interrupted if that worker stops.
"""
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from functools import cached_property, lru_cache
import hashlib
import json
from multiprocessing import get_context
import os
from pathlib import Path
import pickle
import secrets
import socket
import threading
import time

from flask import Flask, current_app
from sqlalchemy import select, update
import weasyprint

from reporting import audit
from reporting.database import end_read_transaction, write_transaction
from reporting.extensions import db
from reporting.models import BuildState, Country, Cycle, ReportBuild, ReportFile, User
from reporting.reports import exports
from reporting.reports.content import CountryResponse, ReportContent, country_responses, cycle_content
from reporting.reports.fonts import check_fonts
from reporting.reports.profiles import ProfileContent, profile_content
from reporting.reports.render import STATIC_DIR, TEMPLATES_DIR, Renderer
from reporting.reports.services import ReportError, parse_countries, report_cycle
from reporting.tasks import enqueue, queue_enabled

REPORT, PROFILE, AGGREGATES, ANSWERS = "report", "profile", "aggregates", "answers"
TEMPLATES = {REPORT: "reports/pdf/cycle_report.html", PROFILE: "reports/pdf/country_profile.html"}
# What a worker process needs to make its own app: templates and translations, no requests.
WORKER_SETTINGS = ("SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "LANGUAGES", "BABEL_DEFAULT_LOCALE",
                   "BABEL_TRANSLATION_DIRECTORIES", "REPORTS_DIR", "TESTING", "BUILD_NICENESS")
MANIFEST, LOCK = "manifest.json", ".build.lock"
CACHE, PLANS = ".rendered", ".builds"  # queued builds: PDFs rendered by the parts, the prepared builds
PART_SIZE = 12  # PDFs per queue task: about a minute of work, small enough to spread and to redo
PART_RETRIES = 2  # a part whose worker died is run again (by another worker) this many times


def report_path(label: str, language: str) -> str:
    """Where the cycle report goes under the cycle's folder; the web routes find files by these names."""
    return f"{language}/progress-report-{label}-{language}.pdf"


def profile_path(label: str, language: str, iso3: str) -> str:
    return f"{language}/country-profile-{iso3}-{label}-{language}.pdf"


def data_path(label: str, name: str, extension: str) -> str:
    return f"data/{name}-{label}.{extension}"


AGGREGATE_SHEETS = ("status", "summary", "targets", "commitments", "indicators", "coverage", "indicator_figures", "sdg_351")
DATA_FILES = (("aggregates", "xlsx"), *((f"aggregates-{sheet}", "csv") for sheet in AGGREGATE_SHEETS),
              ("answers", "xlsx"), ("answers", "csv"))


# --- what an output is made from ---------------------------------------------------

def _canonical(value):
    """``value`` as plain JSON data, the same for equal values whatever the order dicts
    and sets were filled in (SQL without ORDER BY, hash randomisation)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [type(value).__name__, {f.name: _canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}]
    if isinstance(value, dict):
        items = [[_canonical(key), _canonical(item)] for key, item in value.items()]
        return sorted(items, key=lambda pair: json.dumps(pair[0], sort_keys=True))
    if isinstance(value, (set, frozenset)):
        return sorted((_canonical(item) for item in value), key=lambda item: json.dumps(item, sort_keys=True))
    if isinstance(value, (list, tuple)):
        return [_canonical(item) for item in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (date, datetime, Decimal)):
        return str(value)
    return str(value)  # lazy translation strings and the like: their text


def _as_json(value):
    """For ``json.dumps``: what plain JSON does not hold (dataclasses, sets, dates, lazy strings)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [type(value).__name__, {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}]
    return _canonical(value)


def fingerprint(*parts) -> str:
    """A digest of ``parts``, the same for equal values. Plain data (a country's answers: nested JSON)
    is encoded by ``json`` in C; anything with dicts keyed by other than strings (areas) takes the
    slower canonical form."""
    try:
        text = json.dumps(parts, sort_keys=True, default=_as_json)
    except TypeError:  # keys that are not strings
        text = json.dumps(_canonical(parts), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


@lru_cache(maxsize=None)
def renderer_version(language: str) -> str:
    """Everything besides the data that decides how a PDF in ``language`` looks: the report
    templates, styles, the report code, the country and region names, the language's compiled
    catalog and WeasyPrint."""
    package = Path(__file__).resolve().parent
    translations = Path(current_app.config["BABEL_TRANSLATION_DIRECTORIES"]) / language / "LC_MESSAGES"
    names = package.parent / "countries" / "data"
    files = [*sorted((TEMPLATES_DIR / "reports").rglob("*")), *sorted(STATIC_DIR.rglob("*.css")),
             *sorted(package.glob("*.py")), *sorted(names.rglob("*")), *sorted(translations.glob("*.mo"))]
    digest = hashlib.sha256(weasyprint.__version__.encode())
    for file in files:
        if file.is_file():
            digest.update(file.name.encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class Job:
    kind: str
    language: str | None
    iso3: str | None
    path: str  # under the cycle folder, e.g. "en/progress-report-2026-en.pdf"
    inputs: str = ""  # fingerprint of what it is made from (PDFs only)


@dataclass(frozen=True)
class Output:
    job: Job
    temp: Path | None  # None: kept from the previous build, its inputs unchanged
    sha256: str
    size: int
    pages: int | None = None
    templating: float = 0.0  # seconds, PDFs only
    weasyprint: float = 0.0
    missing_glyphs: tuple[str, ...] = ()

    @property
    def reused(self) -> bool:
        return self.temp is None


def _finished(job: Job, temp: Path, data: bytes, **details) -> Output:
    temp.write_bytes(data)
    return Output(job, temp, hashlib.sha256(data).hexdigest(), len(data), **details)


def render_job(renderer: Renderer, content: ReportContent, profiles: dict[int, ProfileContent], job: Job, temp: Path,
               response: CountryResponse | None) -> Output:
    """A report from the cycle's content; a profile from its region's ``ProfileContent`` and its own answers only."""
    if job.kind == PROFILE:
        content = profiles[response.place.region_m49]
    try:
        rendered = renderer.render(TEMPLATES[job.kind], job.language, content=content, response=response)
    except ReportError:
        raise
    except Exception as error:  # WeasyPrint or a bug: name the file it happened on
        raise ReportError(f"rendering {job.path} failed: {type(error).__name__}: {error}") from None
    return _finished(job, temp, rendered.pdf, pages=rendered.pages, templating=rendered.templating,
                     weasyprint=rendered.weasyprint, missing_glyphs=rendered.missing_glyphs)


def lower_priority(niceness: int) -> None:
    """Rendering is batch work: at this niceness the processor serves the web workers first, so a
    build running at a deadline takes the idle time rather than slowing the focal points' saves.
    Called only where the build owns the process or thread: a queue worker, a rendering process, a
    queue task, the CLI, a web worker's build thread (on Linux each thread has its own niceness).
    Never lowered twice; never raised (that needs privileges).

    With Linux autogroups, the processor is first shared equally between sessions, niceness
    counting only within one; a process leading its own session (a queue worker or a build started
    with ``setsid``) lowers its session's share too. (Under systemd, cgroups replace autogroups:
    give the queue workers' unit ``Nice=`` or a lower ``CPUWeight=``.)"""
    if niceness > os.getpriority(os.PRIO_PROCESS, 0):
        os.setpriority(os.PRIO_PROCESS, 0, niceness)
    if os.getsid(0) == os.getpid():
        autogroup = Path("/proc/self/autogroup")
        try:
            if niceness > int(autogroup.read_text().rsplit("nice", 1)[1]):
                autogroup.write_text(str(niceness))
        except (OSError, ValueError, IndexError):  # no autogroups here (another system, or cgroups)
            pass


# One renderer per worker process, made by the pool's initializer.
_worker: tuple[Renderer, ReportContent, dict[int, ProfileContent]] | None = None


def _start_worker(settings: dict, content: ReportContent, profiles: dict[int, ProfileContent]) -> None:
    global _worker
    from reporting import create_app

    lower_priority(settings.get("BUILD_NICENESS", 0))
    _worker = (Renderer(create_app(settings)), content, profiles)


def _run_in_worker(job: Job, temp: Path, response: CountryResponse | None) -> Output:
    renderer, content, profiles = _worker
    return render_job(renderer, content, profiles, job, temp, response)


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
        self.profiles = {code: profile_content(self.content, code) for code in {c.region_m49 for c in countries}}
        self.aggregation_seconds = time.perf_counter() - started
        end_read_transaction()  # everything the PDFs need is read: hold no snapshot while they render
        self.country_ids = {country.iso3: country.id for country in countries}
        content = fingerprint(self.content)
        profiles = {code: fingerprint(profile) for code, profile in self.profiles.items()}
        responses = {iso3: fingerprint(response) for iso3, response in self.responses.items()}
        self.jobs = [Job(REPORT, language, None, report_path(self.label, language),
                         fingerprint(TEMPLATES[REPORT], language, renderer_version(language), content))
                     for language in languages]
        self.jobs += [Job(PROFILE, language, country.iso3, profile_path(self.label, language, country.iso3),
                          fingerprint(TEMPLATES[PROFILE], language, renderer_version(language),
                                      profiles[country.region_m49], responses[country.iso3]))
                      for language in languages for country in countries]

    @cached_property
    def answers(self) -> exports.Table:
        """The answers export: read when the data files are written (in parallel with the PDFs),
        not while the build is prepared; not part of a queued build's pickled plan."""
        table = exports.answers_table(db.session.get(Cycle, self.cycle_id))
        end_read_transaction()
        return table

    def kept(self) -> dict[str, Output]:
        """The PDFs of the last build whose inputs have not changed, by path: not rendered again."""
        files = self._built_files()
        return {job.path: output for job in self.jobs if (output := self._unchanged(job, files))}

    def _built_files(self) -> dict[str, dict]:
        """The last build's manifest entries, by path."""
        try:
            return json.loads((self.folder / MANIFEST).read_text())["files"]
        except (OSError, ValueError, KeyError):
            return {}

    def _unchanged(self, job: Job, files: dict[str, dict]) -> Output | None:
        """The file the last build wrote for ``job``, if its inputs were the same and it is still whole."""
        entry = files.get(job.path)
        if not entry or entry.get("inputs") != job.inputs:
            return None
        try:
            size = (self.folder / job.path).stat().st_size
        except OSError:
            return None
        return Output(job, None, entry["sha256"], size, entry.get("pages")) if size == entry["size"] else None

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

    def run(self, on_done: Callable[[Job], None] = lambda job: None, workers: int | None = None,
            rebuild: bool = False, build_id: int | None = None) -> list[Output]:
        """Write every file, or none: temporaries are removed on any failure (or Ctrl-C).

        PDFs whose inputs have not changed are kept (``on_done`` is called for them first)
        unless ``rebuild``. ``on_done`` may raise to stop the build (a cancelled build does).
        """
        with _lock(self.folder):
            try:
                kept = {} if rebuild else self.kept()
                for output in kept.values():
                    on_done(output.job)
                outputs = list(kept.values()) + self._write_files(on_done, workers, set(kept), reuse=not rebuild)
                self._publish(outputs, build_id)
            except BaseException:
                for temp in self.folder.rglob(f".*.{self.token}.part"):
                    temp.unlink(missing_ok=True)
                raise
        return outputs

    def _exports(self, reuse: bool = True) -> list[Output]:
        """The data files. Each is made from tables whose fingerprint is its inputs: one whose tables
        have not changed since the last build is kept (unless not ``reuse``), as the PDFs are; the
        answers workbook alone takes seconds."""
        aggregates = exports.aggregate_tables(self.content)
        sources = {("aggregates", "xlsx"): aggregates, ("answers", "xlsx"): [self.answers], ("answers", "csv"): [self.answers],
                   **{(f"aggregates-{table.name}", "csv"): [table] for table in aggregates}}
        digests = {id(table): fingerprint(table) for table in [*aggregates, self.answers]}
        files = self._built_files() if reuse else {}
        outputs = []
        for name, extension in DATA_FILES:
            tables = sources[name, extension]
            job = Job(ANSWERS if name == "answers" else AGGREGATES, None, None, data_path(self.label, name, extension),
                      fingerprint(extension, renderer_version("en"), [digests[id(table)] for table in tables]))
            kept = self._unchanged(job, files)
            outputs.append(kept or _finished(job, self._temp(job), exports.to_xlsx(tables) if extension == "xlsx"
                                             else exports.to_csv(tables[0])))
        return outputs

    def _write_files(self, on_done: Callable[[Job], None], workers: int | None, kept: set[str],
                     reuse: bool) -> list[Output]:
        """Every file under its temporary name: the exports are written here while the pool renders the PDFs."""
        tasks = [(job, self._temp(job), self.responses.get(job.iso3)) for job in self.jobs if job.path not in kept]
        workers = min(workers or os.cpu_count() or 1, len(tasks))
        if workers <= 1:
            outputs = self._exports(reuse)
            renderer = Renderer(current_app._get_current_object())
            for task in tasks:
                outputs.append(render_job(renderer, self.content, self.profiles, *task))
                on_done(task[0])
            return outputs
        settings = {key: current_app.config[key] for key in WORKER_SETTINGS if key in current_app.config}
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=_start_worker,
                                 initargs=(settings, self.content, self.profiles)) as pool:
            futures = [pool.submit(_run_in_worker, *task) for task in tasks]
            try:
                outputs = self._exports(reuse)
                for future in as_completed(futures):
                    outputs.append(future.result())
                    on_done(outputs[-1].job)
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
        return outputs

    def _publish(self, outputs: list[Output], build_id: int | None = None) -> None:
        """Rename into place, then the manifest; database rows only for the app's own reports folder."""
        with write_transaction():
            if self.in_app_folder:
                self._record(outputs)
                if build_id is not None:
                    _finish_row(build_id, BuildState.DONE)
            for output in outputs:
                if not output.reused:
                    os.replace(output.temp, self.folder / output.job.path)
            self._write_manifest(outputs)
        if self.in_app_folder:  # a published cycle's open data follows its reports
            from reporting.opendata.files import write_cycle_files

            write_cycle_files(db.session.get(Cycle, self.cycle_id), None if self.content.draft else self.content)

    def _record(self, outputs: list[Output]) -> None:
        now = datetime.now(timezone.utc)
        paths = [f"{self.folder.name}/{output.job.path}" for output in outputs]
        existing = {row.path: row for row in db.session.scalars(select(ReportFile).where(ReportFile.path.in_(paths)))}
        for path, output in zip(paths, outputs):
            row = existing.get(path) or ReportFile(path=path)
            row.cycle_id, row.kind, row.lang = self.cycle_id, output.job.kind, output.job.language
            row.country_id = self.country_ids.get(output.job.iso3)
            row.sha256, row.pages, row.size = output.sha256, output.pages, output.size
            row.inputs_sha256 = output.job.inputs or None
            if not output.reused or row.created_at is None:
                row.created_at = now
            db.session.add(row)
        audit.record("reports.built", "cycle", self.cycle_id, new={
            "files": len(outputs), "languages": sorted({o.job.language for o in outputs if o.job.language}),
            "countries": len(self.country_ids), "kept": sum(output.reused for output in outputs)})

    def _write_manifest(self, outputs: list[Output]) -> None:
        """Merged with the previous manifest, so building one language keeps the others' entries."""
        path = self.folder / MANIFEST
        try:
            files = json.loads(path.read_text())["files"]
        except (OSError, ValueError, KeyError):
            files = {}
        built_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        for output in outputs:
            if output.reused and output.job.path in files:
                continue
            files[output.job.path] = {
                "kind": output.job.kind, "language": output.job.language, "country": output.job.iso3,
                "sha256": output.sha256, "pages": output.pages, "size": output.size, "built_at": built_at,
                **({"inputs": output.job.inputs} if output.job.inputs else {}),
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


# --- builds started from the web, or queued from the CLI --------------------------------

class BuildCancelled(Exception):
    pass


def _local_runner() -> str:
    return f"local:{socket.gethostname()}:{os.getpid()}"


def _set_row(build_id: int, **values) -> None:
    with write_transaction():
        db.session.execute(update(ReportBuild).where(ReportBuild.id == build_id)
                           .values(updated_at=datetime.now(timezone.utc), **values))


def _finish_row(build_id: int, state: BuildState, message: str | None = None) -> None:
    """Inside the caller's write transaction: the build's outcome (a cancelled build stays cancelled)."""
    now = datetime.now(timezone.utc)
    db.session.execute(update(ReportBuild).where(ReportBuild.id == build_id, ReportBuild.state != BuildState.CANCELLED.value)
                       .values(state=state.value, message=message, updated_at=now, finished_at=now,
                               **({"done": ReportBuild.total} if state is BuildState.DONE else {})))


def _advance(build_id: int, done: int = 1) -> BuildState:
    """Count finished PDFs; returns the build's state, so that a worker notices a cancel."""
    with write_transaction():
        db.session.execute(update(ReportBuild).where(ReportBuild.id == build_id).values(
            done=ReportBuild.done + done, updated_at=datetime.now(timezone.utc)))
        return BuildState(db.session.scalar(select(ReportBuild.state).where(ReportBuild.id == build_id)))


def _state(build_id: int) -> BuildState:
    """A build's state read afresh, in a read transaction ended at once (a rendering follows)."""
    db.session.expire_all()
    state = BuildState(db.session.scalar(select(ReportBuild.state).where(ReportBuild.id == build_id)))
    end_read_transaction()
    return state


def current_build(cycle: Cycle) -> ReportBuild | None:
    """The cycle's latest build, with a web worker's build that died with its worker marked failed."""
    row = db.session.scalars(select(ReportBuild).where(ReportBuild.cycle_id == cycle.id)
                             .order_by(ReportBuild.id.desc()).limit(1)).first()
    if row is not None and row.state_enum.active and row.runner.startswith("local:"):
        _, host, pid = row.runner.split(":")
        if host == socket.gethostname() and not _alive(int(pid)):
            with write_transaction():
                _finish_row(row.id, BuildState.FAILED, "the build was interrupted: the web server process "
                                                       "running it stopped; build again")
            db.session.refresh(row)
    return row


def start_build(cycle_label: str, languages: list[str], countries: str, user: User | None = None) -> ReportBuild:
    """Prepare the build in this request (so that bad input is reported at once) and start it:
    on the task queue when ``REDIS_URL`` is set, else in a thread of this process."""
    cycle = report_cycle(cycle_label)
    running = current_build(cycle)
    if running is not None and running.state_enum.active or lock_holder(Path(current_app.config["REPORTS_DIR"]) / cycle.label):
        raise ReportError("a build of this cycle is already running; wait for it to finish or cancel it")
    build = Build(cycle, languages, parse_countries(countries), Path(current_app.config["REPORTS_DIR"]))
    kept = build.kept()
    queued = queue_enabled()
    with write_transaction():
        row = ReportBuild(cycle_id=cycle.id, state=BuildState.QUEUED.value, languages=",".join(languages),
                          countries=len(build.country_ids), total=len(build.jobs), done=len(kept), reused=len(kept),
                          runner="queue" if queued else _local_runner(),
                          requested_by_id=user.id if user else None)
        db.session.add(row)
        db.session.flush()
        audit.record("reports.build_started", "report_build", row.id, new={
            "cycle": cycle.label, "languages": languages, "countries": len(build.country_ids),
            "files": len(build.jobs), "kept": len(kept), "queue": queued})
    if queued:
        _enqueue_parts(row.id, build, kept)
    else:
        _start_thread(row.id, build)
    return row


def cancel_build(build_id: int) -> ReportBuild:
    """Stop a queued or running build: its workers stop after the PDF they are on; nothing is published."""
    row = db.session.get(ReportBuild, build_id)
    if row is None:
        raise ReportError(f"no report build {build_id}")
    if not row.state_enum.active:
        raise ReportError(f"build {build_id} is already {row.state}; there is nothing to cancel")
    with write_transaction():
        now = datetime.now(timezone.utc)
        db.session.execute(update(ReportBuild).where(ReportBuild.id == build_id).values(
            state=BuildState.CANCELLED.value, message=None, updated_at=now, finished_at=now))
        audit.record("reports.build_cancelled", "report_build", build_id, old={"state": row.state})
    db.session.refresh(row)
    return row


def _start_thread(build_id: int, build: Build) -> threading.Thread:
    def run(app: Flask) -> None:
        lower_priority(app.config["BUILD_NICENESS"])
        with app.app_context():
            def progress(_job: Job) -> None:
                if _advance(build_id) is BuildState.CANCELLED:
                    raise BuildCancelled()

            _set_row(build_id, state=BuildState.RUNNING.value, done=0)
            try:
                build.run(on_done=progress, build_id=build_id)
            except BuildCancelled:
                pass
            except Exception as error:  # the page shows the message; the log keeps the traceback
                app.logger.exception("report build of cycle %s failed", build.label)
                with write_transaction():
                    _finish_row(build_id, BuildState.FAILED, str(error))

    thread = threading.Thread(target=run, args=(current_app._get_current_object(),),
                              name=f"report-build-{build.label}", daemon=True)
    thread.start()
    return thread


# --- queued builds: parts rendered by any queue worker, then one publishing task ---------

def _plan_path(folder: Path, build_id: int) -> Path:
    return folder / PLANS / f"{build_id}.pickle"


def _cached(folder: Path, job: Job) -> tuple[Path, Path]:
    """A part's rendering of ``job``: the PDF and its details, named by its inputs fingerprint."""
    return folder / CACHE / f"{job.inputs}.pdf", folder / CACHE / f"{job.inputs}.json"


def _exports_done(folder: Path, build_id: int) -> Path:
    return folder / CACHE / f"data-files-{build_id}.json"


def _enqueue_parts(build_id: int, build: Build, kept: dict[str, Output]) -> None:
    """The queue tasks of a build: each cycle report alone (one takes about as long as ten profiles),
    the data files, then the profiles ``PART_SIZE`` at a time, the longest first so that the workers
    finish together; and the publishing task once they have all ended."""
    (build.folder / PLANS).mkdir(exist_ok=True)
    (build.folder / CACHE).mkdir(exist_ok=True)
    write_atomic(_plan_path(build.folder, build_id), pickle.dumps(build))
    todo = [index for index, job in enumerate(build.jobs) if job.path not in kept]
    reports = [index for index in todo if build.jobs[index].kind == REPORT]
    profiles = [index for index in todo if build.jobs[index].kind != REPORT]
    parts = [enqueue("reporting.reports.build:render_part", build_id, str(build.folder), [index], retries=PART_RETRIES,
                     description=f"report build {build_id}: PDFs: {build.jobs[index].path}")
             for index in reports]
    parts.append(enqueue("reporting.reports.build:export_part", build_id, str(build.folder), retries=PART_RETRIES,
                         description=f"report build {build_id}: data files"))
    parts += [enqueue("reporting.reports.build:render_part", build_id, str(build.folder), profiles[start:start + PART_SIZE],
                      retries=PART_RETRIES,
                      description=f"report build {build_id}: PDFs {start + 1}–{start + PART_SIZE} of the profiles")
              for start in range(0, len(profiles), PART_SIZE)]
    enqueue("reporting.reports.build:finish_build", build_id, str(build.folder), depends_on=parts,
            description=f"report build {build_id}: publish")


def export_part(build_id: int, folder: str) -> int:
    """A queue task: write the data files (aggregates, answers) under the build's temporary names while
    other workers render PDFs, and note them done; ``finish_build`` publishes them (or writes them
    itself if this task did not finish)."""
    if _state(build_id) is BuildState.CANCELLED:
        return 0
    lower_priority(current_app.config["BUILD_NICENESS"])
    build = _load_plan(folder, build_id)
    written = build._exports()
    write_atomic(_exports_done(build.folder, build_id), json.dumps(
        [[output.job.kind, output.job.path, output.job.inputs, output.sha256, output.size, output.temp and str(output.temp)]
         for output in written]).encode())
    return sum(not output.reused for output in written)


def _written_exports(build: Build, build_id: int) -> list[Output] | None:
    """The data files ``export_part`` wrote or kept, if it finished and they are all there, whole."""
    try:
        entries = json.loads(_exports_done(build.folder, build_id).read_text())
    except (OSError, ValueError):
        return None
    files = build._built_files()
    outputs = []
    for kind, path, inputs, sha256, size, temp in entries:
        job = Job(kind, None, None, path, inputs)
        if temp is None:
            kept = build._unchanged(job, files)
            if kept is None:
                return None
            outputs.append(kept)
        elif Path(temp).is_file() and Path(temp).stat().st_size == size:
            outputs.append(Output(job, Path(temp), sha256, size))
        else:
            return None
    return outputs if len(outputs) == len(DATA_FILES) else None


def _load_plan(folder: str, build_id: int) -> Build:
    try:
        return pickle.loads(_plan_path(Path(folder), build_id).read_bytes())
    except OSError as error:
        raise ReportError(f"build {build_id}: its prepared data is gone ({error.strerror}); build again") from None


def render_part(build_id: int, folder: str, indices: list[int]) -> int:
    """A queue task: render these PDFs of the build into the cache; returns how many it rendered."""
    if _state(build_id) is BuildState.CANCELLED:
        return 0
    lower_priority(current_app.config["BUILD_NICENESS"])
    build = _load_plan(folder, build_id)
    _set_row(build_id, state=BuildState.RUNNING.value) if _state(build_id) is BuildState.QUEUED else None
    renderer = Renderer(current_app._get_current_object())
    rendered = 0
    for index in indices:
        job = build.jobs[index]
        pdf, details = _cached(build.folder, job)
        if not details.is_file():  # a retried part skips what it finished before its worker died
            temp = pdf.with_name(f".{pdf.name}.{secrets.token_hex(6)}.part")
            try:
                output = render_job(renderer, build.content, build.profiles, job, temp, build.responses.get(job.iso3))
                os.replace(temp, pdf)
            finally:
                temp.unlink(missing_ok=True)
            write_atomic(details, json.dumps({"sha256": output.sha256, "size": output.size, "pages": output.pages,
                                              "missing_glyphs": output.missing_glyphs}).encode())
            rendered += 1
            if _advance(build_id) is BuildState.CANCELLED:
                break
        elif _state(build_id) is BuildState.CANCELLED:
            break
    return rendered


def finish_build(build_id: int, folder: str) -> str:
    """The last queue task: publish everything the parts rendered, or say what is missing."""
    path = _plan_path(Path(folder), build_id)
    try:
        if _state(build_id) is BuildState.CANCELLED:
            return BuildState.CANCELLED.value
        build = _load_plan(folder, build_id)
        kept = build.kept()
        outputs, missing = list(kept.values()), []
        for job in build.jobs:
            if job.path in kept:
                continue
            pdf, details = _cached(build.folder, job)
            try:
                entry = json.loads(details.read_text())
            except (OSError, ValueError):
                missing.append(job.path)
                continue
            outputs.append(Output(job, pdf, entry["sha256"], entry["size"], entry["pages"],
                                  missing_glyphs=tuple(entry["missing_glyphs"])))
        if missing:
            raise ReportError(f"{len(missing)} of {len(build.jobs)} PDFs were not rendered (first: {missing[0]}): "
                              f"a queue task failed or its worker stopped; see `flask queue info`, then build again "
                              f"(the {len(build.jobs) - len(missing)} PDFs done are kept)")
        with _lock(build.folder):
            exports_written = _written_exports(build, build_id) or build._exports()
            try:
                build._publish(outputs + exports_written, build_id=build_id)
            except BaseException:
                for output in exports_written:
                    output.temp.unlink(missing_ok=True)
                raise
        for output in outputs:
            if not output.reused:
                _cached(build.folder, output.job)[1].unlink(missing_ok=True)
        return BuildState.DONE.value
    except Exception as error:
        current_app.logger.exception("report build %s failed", build_id)
        with write_transaction():
            _finish_row(build_id, BuildState.FAILED, str(error))
        return BuildState.FAILED.value
    finally:
        path.unlink(missing_ok=True)
        done = _exports_done(Path(folder), build_id)
        try:  # data files that a cancelled or failed build wrote and did not publish
            for *_entry, temp in json.loads(done.read_text()):
                if temp:
                    Path(temp).unlink(missing_ok=True)
        except (OSError, ValueError):
            pass
        done.unlink(missing_ok=True)


def warm_up(app: Flask) -> None:
    """Load the fonts and templates once in a queue worker, before it forks a process per task."""
    with app.app_context():
        Renderer(app).pdf("<p>warm-up</p>")

"""``flask report build``: the files, the manifest, the database rows, and every bad input."""
import hashlib
import io
import json
import os
from pathlib import Path

from pypdf import PdfReader
import pytest
from sqlalchemy import func, select

from reporting.models import AuditEvent, ReportFile
from reporting.reports import build as build_module

from ..conftest import ON_POSTGRESQL
from .conftest import make_cycle

REPORTS = ["en/progress-report-2026-en.pdf", "fr/progress-report-2026-fr.pdf"]
PROFILES = ["en/country-profile-FRA-2026-en.pdf", "en/country-profile-NGA-2026-en.pdf",
            "fr/country-profile-FRA-2026-fr.pdf", "fr/country-profile-NGA-2026-fr.pdf"]
DATA = ["data/aggregates-2026.xlsx", *(f"data/aggregates-{sheet}-2026.csv" for sheet in build_module.AGGREGATE_SHEETS),
        "data/answers-2026.xlsx", "data/answers-2026.csv"]


def build(runner, *args):
    return runner.invoke(args=["report", "build", *args])


def leftovers(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.name.endswith(".part") or path.name == ".build.lock"]


@pytest.mark.parametrize("workers", ["1", "2"])  # in this process, and in a pool of two
def test_build_writes_pdfs_exports_manifest_and_rows(runner, app, db, cycles, workers):
    result = build(runner, "--cycle", "2026", "--lang", "en,fr", "--countries", "FRA,NGA", "--workers", workers)
    assert result.exit_code == 0, result.output
    folder = Path(app.config["REPORTS_DIR"]) / "2026"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["cycle"] == "2026"
    assert sorted(manifest["files"]) == sorted(REPORTS + PROFILES + DATA)
    for name, entry in manifest["files"].items():
        data = (folder / name).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest() and entry["size"] == len(data)
        if name.endswith(".pdf"):
            assert entry["pages"] == len(PdfReader(io.BytesIO(data)).pages) > 0
    assert manifest["files"]["en/country-profile-NGA-2026-en.pdf"]["country"] == "NGA"
    assert not leftovers(folder)
    rows = db.session.scalars(select(ReportFile).order_by(ReportFile.path)).all()
    assert sorted(row.path for row in rows) == sorted(f"2026/{name}" for name in manifest["files"])
    assert {row.kind for row in rows} == {"report", "profile", "aggregates", "answers"}
    assert all((row.country_id is not None) == (row.kind == "profile") for row in rows)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "reports.built")) == 1
    assert f"Wrote {len(REPORTS + PROFILES + DATA)} files" in result.output


def test_rebuilding_one_language_keeps_the_others_in_the_manifest(runner, app, cycles):
    assert build(runner, "--lang", "en,fr", "--countries", "none").exit_code == 0  # the latest cycle: 2026
    assert build(runner, "--lang", "fr", "--countries", "none").exit_code == 0
    files = json.loads((Path(app.config["REPORTS_DIR"]) / "2026" / "manifest.json").read_text())["files"]
    assert set(REPORTS) <= set(files)


def test_build_to_another_folder_is_not_offered_in_the_web_ui(runner, db, cycles, tmp_path):
    result = build(runner, "--lang", "en", "--countries", "none", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "2026" / REPORTS[0]).is_file()
    assert "not offered for download in the web UI" in result.output
    assert db.session.scalar(select(func.count()).select_from(ReportFile)) == 0


def test_cycle_without_responses_builds_a_report_that_says_so(runner, app, db):
    from datetime import date

    make_cycle("2027", date(2027, 6, 30))
    result = build(runner, "--lang", "en", "--countries", "none")
    assert result.exit_code == 0, result.output
    assert (Path(app.config["REPORTS_DIR"]) / "2027" / "en" / "progress-report-2027-en.pdf").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cycle", "1999"], "unknown cycle '1999' (known cycles: 2025, 2026)"),
        (["--lang", "en,xx"], "unknown language xx (use all or a comma-separated list of ar, zh, en, fr, ru, es)"),
        (["--countries", "FRA,XXX"], "unknown country code XXX (use all, none or ISO 3166 alpha-3 codes"),
        (["--workers", "0"], "Invalid value for '--workers'"),
    ],
)
def test_bad_arguments(runner, app, cycles, args, message):
    result = build(runner, *args)
    assert result.exit_code != 0
    assert message in result.output
    assert not (Path(app.config["REPORTS_DIR"]) / "2026").exists() or not any((Path(app.config["REPORTS_DIR"]) / "2026").rglob("*.pdf"))


def test_no_cycle_yet(runner, db):
    result = build(runner)
    assert result.exit_code == 1
    assert "there is no reporting cycle yet" in result.output


def test_unwritable_output_folder(runner, cycles, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = build(runner, "--lang", "en", "--countries", "none", "--out", str(blocker / "reports"))
    assert result.exit_code == 1
    assert f"cannot write to {blocker / 'reports' / '2026'}" in result.output


def test_missing_fonts_name_the_debian_packages(runner, app, cycles, monkeypatch):
    from reporting.reports import fonts

    monkeypatch.setattr(fonts, "installed_families", lambda: {"Noto Sans"})
    result = build(runner, "--lang", "ar,zh", "--countries", "none")
    assert result.exit_code == 1
    assert ("fonts not installed: Noto Naskh Arabic, Noto Sans CJK SC; "
            "install them with: apt-get install fonts-noto-cjk fonts-noto-core") in result.output
    assert not (Path(app.config["REPORTS_DIR"]) / "2026").exists()


def test_a_failed_build_leaves_no_file_and_the_previous_build_intact(runner, app, cycles, monkeypatch):
    assert build(runner, "--lang", "en", "--countries", "none").exit_code == 0
    folder = Path(app.config["REPORTS_DIR"]) / "2026"
    before = {path: path.read_bytes() for path in folder.rglob("*") if path.is_file()}

    monkeypatch.setitem(build_module.TEMPLATES, "profile", "reports/pdf/no-such-template.html")
    result = build(runner, "--lang", "en", "--countries", "FRA", "--workers", "1")
    assert result.exit_code == 1
    assert "template error in reports/pdf/no-such-template.html: TemplateNotFound" in result.output
    assert {path: path.read_bytes() for path in folder.rglob("*") if path.is_file()} == before
    assert not leftovers(folder)


def test_a_failure_in_a_worker_process_cleans_up_too(runner, app, cycles, monkeypatch):
    real = build_module.cycle_content

    def broken(cycle):
        content = real(cycle)
        content.coverage = {}  # the cycle report formats it; the profiles and exports do not read it
        return content

    monkeypatch.setattr(build_module, "cycle_content", broken)
    result = build(runner, "--lang", "en", "--countries", "FRA,NGA", "--workers", "2")
    assert result.exit_code == 1
    assert "template error in reports/pdf/_report_body.html:" in result.output
    folder = Path(app.config["REPORTS_DIR"]) / "2026"
    assert not [path for path in folder.rglob("*") if path.is_file()]


def test_one_build_per_cycle_at_a_time(runner, app, cycles):
    folder = Path(app.config["REPORTS_DIR"]) / "2026"
    folder.mkdir(parents=True)
    (folder / ".build.lock").write_text(str(os.getpid()))
    result = build(runner, "--lang", "en", "--countries", "none")
    assert result.exit_code == 1
    assert f"another build of this cycle is running (process {os.getpid()})" in result.output
    (folder / ".build.lock").write_text("999999999")  # a process that no longer exists
    assert build(runner, "--lang", "en", "--countries", "none").exit_code == 0


def test_a_rebuild_renders_again_only_the_pdfs_that_print_something_new(runner, app, db, cycles):
    """A profile's fingerprint is what it prints: France's own measures text changes its profile only;
    the cycle report and Nigeria's profile (same figures as printed) are kept. So are the aggregates
    files (the same tables); the answers files, which hold the text, are written again."""
    from reporting.database import write_transaction
    from reporting.models import Answer, Country, Submission

    from .conftest import MEASURES

    assert build(runner, "--lang", "en", "--countries", "FRA,NGA", "--workers", "1").exit_code == 0
    folder = Path(app.config["REPORTS_DIR"]) / "2026"
    names = ["en/progress-report-2026-en.pdf", "en/country-profile-FRA-2026-en.pdf", "en/country-profile-NGA-2026-en.pdf",
             *DATA]
    before = {name: (folder / name).stat().st_mtime_ns for name in names}
    with write_transaction():
        france = db.session.scalar(select(Submission).join(Country).where(
            Country.iso3 == "FRA", Submission.cycle_id == cycles[1].id))
        db.session.scalar(select(Answer).where(Answer.submission_id == france.id, Answer.key == MEASURES)).value = "Plan 2027"
    result = build(runner, "--lang", "en", "--countries", "FRA,NGA", "--workers", "1")
    assert result.exit_code == 0, result.output
    after = {name: (folder / name).stat().st_mtime_ns for name in names}
    assert [name for name in names if after[name] != before[name]] == [
        "en/country-profile-FRA-2026-en.pdf", "data/answers-2026.xlsx", "data/answers-2026.csv"]
    event = db.session.scalars(select(AuditEvent.new).where(AuditEvent.action == "reports.built").order_by(AuditEvent.id.desc())).first()
    assert event["kept"] == len(names) - 3
    manifest = json.loads((folder / "manifest.json").read_text())["files"]
    assert all(manifest[name]["sha256"] == hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in names)
    assert build(runner, "--lang", "en", "--countries", "FRA,NGA", "--workers", "1", "--rebuild").exit_code == 0
    assert all((folder / name).stat().st_mtime_ns != after[name] for name in names)  # --rebuild writes everything


def test_profile_bars_are_drawn_as_printed_so_one_reply_among_thousands_does_not_move_them():
    from reporting.reports.aggregation import StatusCounts
    from reporting.reports.profiles import Bar

    counts = {"not_started": 400, "planned": 500, "in_progress": 600, "implemented": 500}
    bar = Bar.of(StatusCounts(counts))
    assert bar.n == 2000 and sum(share for _status, share in bar.shares) == pytest.approx(1)
    assert bar.shares == (("not_started", 0.2), ("planned", 0.25), ("in_progress", 0.3), ("implemented", 0.25))
    moved = Bar.of(StatusCounts({**counts, "planned": 499, "implemented": 501}))  # one reply: 0.05 % of the bar
    assert moved == bar
    assert Bar.of(StatusCounts({**counts, "planned": 480, "implemented": 520})) != bar  # twenty replies: 1 %
    assert Bar.of(StatusCounts({"not_applicable": 3})) == Bar((), 0)


@pytest.mark.skipif(ON_POSTGRESQL, reason="SQLite's write-ahead log")
def test_a_build_holds_no_read_snapshot_while_it_renders(app, db, cycles):
    """While PDFs render, saves go on and SQLite's WAL is checkpointed in full: a read transaction
    left open by the build would pin the log, which then grows with every save until the build ends."""
    import sqlite3

    from reporting.reports.build import Build
    from reporting.reports.services import parse_countries

    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    checkpoints = []

    def a_save_then_a_checkpoint(_job):
        with sqlite3.connect(path, isolation_level=None) as other:
            other.execute("UPDATE answers SET value = value WHERE id = (SELECT min(id) FROM answers)")
            checkpoints.append(other.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone())

    report = Build(cycles[1], ["en"], parse_countries("FRA,NGA"), Path(app.config["REPORTS_DIR"]))
    report.run(on_done=a_save_then_a_checkpoint, workers=1)
    assert len(checkpoints) == 3
    assert all(busy == 0 and log == 0 for busy, log, _done in checkpoints), checkpoints


def test_rendering_runs_at_the_configured_niceness_never_raised():
    """Builds yield the processor to the web workers; lowering twice or to less does not raise it back."""
    from concurrent.futures import ProcessPoolExecutor

    def niceness_after(*levels):
        with ProcessPoolExecutor(1) as pool:
            return pool.submit(_lowered, levels).result()

    assert niceness_after(10) == 10
    assert niceness_after(10, 5) == 10
    assert niceness_after(5, 12) == 12
    assert niceness_after(0) == os.getpriority(os.PRIO_PROCESS, 0)


def _autogroup_niceness() -> str | None:
    """This process's autogroup niceness, or None where the scheduler groups it otherwise: no
    autogroups, or a cgroup (a container, a systemd unit), where the file is there but empty."""
    try:
        text = Path("/proc/self/autogroup").read_text()
    except OSError:
        return None
    return text.rsplit("nice", 1)[1].strip() if "nice" in text else None


@pytest.mark.parametrize("own_session", [True, False])
def test_a_build_leading_its_own_session_lowers_the_session_share_too(own_session):
    """Across sessions (autogroups), niceness does not count: a queue worker started with setsid lowers its
    session's share; a rendering process inside someone else's session (a web worker's) leaves it alone."""
    import subprocess
    import sys

    before = _autogroup_niceness()
    if before is None:
        pytest.skip("the scheduler groups this process by cgroup, not by autogroup")
    script = ("import pathlib; from reporting.reports.build import lower_priority; lower_priority(7); "
              "print(pathlib.Path('/proc/self/autogroup').read_text().split('nice')[1].strip())")
    after = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                           start_new_session=own_session).stdout.strip()
    assert after == ("7" if own_session else before)


def _lowered(levels):
    for level in levels:
        build_module.lower_priority(level)
    return os.getpriority(os.PRIO_PROCESS, 0)

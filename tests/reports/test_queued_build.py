"""Builds on the task queue (real Redis, real `flask queue worker` processes) and incremental builds:
progress in the database, cancel, spreading over workers, a worker killed mid-build, unchanged PDFs kept."""
import io
import json
import os
from pathlib import Path

from pypdf import PdfReader
import pytest
from sqlalchemy import func, select

from reporting.database import write_transaction
from reporting.extensions import db as _db
from reporting.models import Answer, AuditEvent, BuildState, Country, ReportBuild, ReportFile, Submission
from reporting.reports import build as build_module

from ..conftest import csrf_token, wait_for
from .conftest import S1

PDFS = ["en/progress-report-2026-en.pdf", "en/country-profile-FRA-2026-en.pdf", "en/country-profile-NGA-2026-en.pdf",
        "fr/progress-report-2026-fr.pdf", "fr/country-profile-FRA-2026-fr.pdf", "fr/country-profile-NGA-2026-fr.pdf"]


def start(client, lang=("en", "fr"), countries="FRA,NGA"):
    token = csrf_token(client, "/reports/2026/")
    response = client.post("/reports/2026/build", data={"csrf_token": token, "lang": list(lang), "countries": countries},
                           follow_redirects=True)
    assert "The reports are being built." in response.get_data(as_text=True), response.get_data(as_text=True)
    _db.session.rollback()
    return _db.session.scalars(select(ReportBuild).order_by(ReportBuild.id.desc())).first()


def ended(build_id: int, timeout: float = 240) -> ReportBuild:
    return wait_for(lambda: (row := _db.session.get(ReportBuild, build_id)) and not row.state_enum.active and row,
                    timeout, f"build {build_id} did not end")


def published(app) -> dict:
    folder = Path(app.config["REPORTS_DIR"]) / "2026"
    files = json.loads((folder / "manifest.json").read_text())["files"]
    for name in PDFS:
        assert len(PdfReader(io.BytesIO((folder / name).read_bytes())).pages) > 0
    return files


def test_web_build_spreads_over_two_queue_workers_and_shows_progress(client, app, db, login_as, cycles,
                                                                      queue_workers, monkeypatch):
    monkeypatch.setattr(build_module, "PART_SIZE", 2)  # six PDFs: three parts
    login_as("compiler", None)
    queue_workers.start(2)
    row = start(client)
    assert row.runner == "queue" and row.total == 6
    page = wait_for(lambda: "Building:" in (text := client.get("/reports/2026/").get_data(as_text=True)) and text,
                    120, "no progress shown")
    assert "Cancel the build" in page
    row = ended(row.id)
    assert row.state == "done" and row.done == row.total == 6 and row.reused == 0, row.message
    files = published(app)
    assert all(files[name]["inputs"] for name in PDFS)
    rows = {r.path: r for r in db.session.scalars(select(ReportFile))}
    assert rows["2026/en/country-profile-FRA-2026-en.pdf"].inputs_sha256 == files["en/country-profile-FRA-2026-en.pdf"]["inputs"]
    page = client.get("/reports/2026/").get_data(as_text=True)
    assert "Building:" not in page and 'href="/reports/2026/fr/NGA.pdf"' in page

    from redis import Redis
    from rq import Queue
    from rq.registry import FinishedJobRegistry

    queue = Queue("reporting", connection=Redis.from_url(queue_workers.url))
    jobs = [queue.fetch_job(job_id) for job_id in FinishedJobRegistry(queue=queue).get_job_ids()]
    # each report alone, the four profiles two by two, the data files, and the publishing task
    assert sorted(job.description.split(": ", 1)[1] for job in jobs) == [
        "PDFs 1–2 of the profiles", "PDFs 3–4 of the profiles", "PDFs: en/progress-report-2026-en.pdf",
        "PDFs: fr/progress-report-2026-fr.pdf", "data files", "publish"]
    assert len({job.worker_name for job in jobs if "PDFs" in job.description}) == 2  # both workers rendered


def test_a_second_build_keeps_unchanged_pdfs_and_redoes_what_changed(client, app, db, login_as, cycles, queue_workers):
    login_as("compiler", None)
    queue_workers.start(1)
    assert ended(start(client).id).state == "done"
    folder = Path(app.config["REPORTS_DIR"]) / "2026"
    before = {name: (folder / name).stat().st_mtime_ns for name in PDFS}

    row = start(client)  # nothing changed: no PDF is rendered again
    assert row.reused == 6
    row = ended(row.id)
    assert row.state == "done" and row.reused == 6
    assert {name: (folder / name).stat().st_mtime_ns for name in PDFS} == before

    data = {name: (folder / "data" / name).stat().st_mtime_ns for name in os.listdir(folder / "data")}
    _, current = cycles  # Mexico's response is in progress: not counted, so no PDF changes, only the answers files
    with write_transaction():
        mexico = db.session.scalar(select(Submission).join(Country).where(Country.iso3 == "MEX", Submission.cycle_id == current.id))
        db.session.scalar(select(Answer).where(Answer.submission_id == mexico.id, Answer.key == S1)).value = "planned"
    assert ended(start(client).id).reused == 6
    assert sorted(name for name, time in data.items() if (folder / "data" / name).stat().st_mtime_ns != time) == [
        "answers-2026.csv", "answers-2026.xlsx"]

    with write_transaction():  # France's accepted answer changes: the world figures in every PDF change
        france = db.session.scalar(select(Submission).join(Country).where(Country.iso3 == "FRA", Submission.cycle_id == current.id))
        db.session.scalar(select(Answer).where(Answer.submission_id == france.id, Answer.key == S1)).value = "planned"
    row = ended(start(client).id)
    assert row.state == "done" and row.reused == 0
    assert all((folder / name).stat().st_mtime_ns != before[name] for name in PDFS)
    kept = db.session.scalars(select(AuditEvent.new).where(AuditEvent.action == "reports.built").order_by(AuditEvent.id)).all()
    # Files kept: everything; all but the 2 answers files; of the 11 data files, the tables no status counts in.
    assert [event["kept"] for event in kept] == [0, 6 + 11, 6 + 9, 6]


def test_cancel_a_queued_build(client, app, db, login_as, cycles, queue_workers):
    login_as("compiler", None)
    row = start(client)  # no worker yet: it waits in the queue
    page = client.get("/reports/2026/").get_data(as_text=True)
    assert "Waiting for a queue worker to start the build." in page
    token = csrf_token(client, "/reports/2026/")
    assert client.post(f"/reports/2026/builds/{row.id + 1}/cancel", data={"csrf_token": token}).status_code == 404
    response = client.post(f"/reports/2026/builds/{row.id}/cancel", data={"csrf_token": token}, follow_redirects=True)
    assert "The build was cancelled." in response.get_data(as_text=True)
    queue_workers.start(1)
    from redis import Redis
    from rq import Queue

    queue = Queue("reporting", connection=Redis.from_url(queue_workers.url))
    wait_for(lambda: queue.count == 0 and queue.deferred_job_registry.count == 0
             and queue.started_job_registry.count == 0, 120, "the workers did not drain the queue")
    db.session.refresh(row)
    assert row.state == "cancelled"
    assert not (Path(app.config["REPORTS_DIR"]) / "2026" / "manifest.json").exists()
    assert db.session.scalar(select(func.count()).select_from(ReportFile)) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "reports.build_cancelled")) == 1
    response = client.post(f"/reports/2026/builds/{row.id}/cancel", data={"csrf_token": token}, follow_redirects=True)
    assert f"The build could not be cancelled: build {row.id} is already cancelled" in response.get_data(as_text=True)


def test_a_queue_worker_killed_during_a_build_is_replaced_and_the_build_completes(client, app, db, login_as, cycles,
                                                                                   queue_workers, monkeypatch):
    """SIGKILL a worker (and the process rendering) mid-build, start another: the interrupted part is
    retried, what was rendered before the kill is not rendered again, everything is published."""
    monkeypatch.setattr(build_module, "PART_SIZE", 3)
    login_as("compiler", None)
    worker = queue_workers.start(1)[0]
    row = start(client)
    wait_for(lambda: _db.session.get(ReportBuild, row.id).done >= 1, 120, "the build did not start")
    queue_workers.kill(worker)
    done_at_kill = _db.session.get(ReportBuild, row.id).done
    assert done_at_kill < 6
    queue_workers.start(1)
    row = ended(row.id, timeout=300)
    assert row.state == "done", row.message
    published(app)
    folder = Path(app.config["REPORTS_DIR"]) / "2026"
    assert not list((folder / build_module.CACHE).glob("*.json")) and not list(folder.rglob("*.part"))


def test_a_build_that_cannot_finish_says_so(client, app, db, login_as, cycles, queue_workers):
    login_as("compiler", None)
    row = start(client)
    (Path(app.config["REPORTS_DIR"]) / "2026" / build_module.PLANS / f"{row.id}.pickle").unlink()  # e.g. a full disk
    queue_workers.start(1)
    row = ended(row.id, timeout=180)
    assert row.state == "failed"
    assert f"build {row.id}: its prepared data is gone" in row.message
    page = client.get("/reports/2026/").get_data(as_text=True)
    assert "The last build failed: build" in page


def test_a_web_build_whose_server_stopped_is_reported_interrupted(client, app, db, login_as, cycles):
    _, current = cycles
    with write_transaction():
        db.session.add(ReportBuild(cycle_id=current.id, state="running", languages="en", countries=0, total=1,
                                   done=0, reused=0, runner=f"local:{build_module.socket.gethostname()}:999999999"))
    login_as("compiler", None)
    page = client.get("/reports/2026/").get_data(as_text=True)
    assert "The last build failed: the build was interrupted" in page
    db.session.rollback()
    assert db.session.scalar(select(ReportBuild.state)) == BuildState.FAILED.value


def test_cancel_a_build_running_in_the_web_server(client, app, db, login_as, cycles):
    login_as("compiler", None)
    row = start(client, countries="FRA,NGA,DEU,GBR,MEX,JPN,ITA,ESP")  # 18 PDFs: long enough to cancel
    assert row.runner.startswith("local:")
    token = csrf_token(client, "/reports/2026/")
    client.post(f"/reports/2026/builds/{row.id}/cancel", data={"csrf_token": token})
    import threading

    for thread in threading.enumerate():
        if thread.name == "report-build-2026":
            thread.join(timeout=120)
    db.session.rollback()
    db.session.refresh(row)
    assert row.state == "cancelled" and row.done < row.total
    folder = Path(app.config["REPORTS_DIR"]) / "2026"
    assert not (folder / "manifest.json").exists() and not list(folder.rglob("*.part"))

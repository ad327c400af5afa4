"""The open-data files of a published cycle: what they hold, and only public values."""
import csv
import hashlib
import io
import json
import time

from openpyxl import load_workbook
import pytest

from reporting.opendata.files import FILES, folder_of, read_manifest, write_cycle_files
from reporting.reports.build import AGGREGATE_SHEETS
from tests.opendata.conftest import MARKERS, PUBLIC_TEXT, make_published
from tests.reports.conftest import MEASURES, S1, SPEC


def file_text(name: str, body: bytes) -> str:
    """Everything a file says, as text: a workbook's every cell, a CSV or JSON as decoded."""
    if name.endswith(".xlsx"):
        workbook = load_workbook(io.BytesIO(body), read_only=True)
        return "\n".join(str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True)
                         for cell in row if cell is not None)
    return body.decode("utf-8-sig")


def csv_rows(body: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def download(client, label: str, name: str) -> bytes:
    response = client.get(f"/public/data/{label}/{name}")
    assert response.status_code == 200, (name, response.status_code)
    return response.data


def test_every_file_is_written_listed_and_served_as_listed(client, published):
    cycle, _closed = published
    manifest = read_manifest(cycle.label)
    assert set(manifest["files"]) == {file.name for file in FILES}
    assert manifest["published_at"] == "2025-09-01T12:00:00+00:00"
    for name, entry in manifest["files"].items():
        body = download(client, cycle.label, name)
        assert len(body) == entry["size"] and hashlib.sha256(body).hexdigest() == entry["sha256"], name
    # Only the current generation is kept on disk.
    assert [path.name for path in folder_of(cycle.label).iterdir() if path.is_dir()] == [manifest["generation"]]


def test_no_private_value_in_any_file(client, published):
    cycle, _closed = published
    texts = {file.name: file_text(file.name, download(client, cycle.label, file.name)) for file in FILES}
    for name, text in texts.items():
        for marker in MARKERS:
            assert marker not in text, (name, marker)
    # The consenting country's words are there (the test would see a leak: the files are read whole).
    assert PUBLIC_TEXT in texts["answers.csv"] and PUBLIC_TEXT in texts["answers.xlsx"]
    assert PUBLIC_TEXT in texts["answers.json"]


def test_answers_hold_the_accepted_submissions_public_parts_only(client, published):
    cycle, _closed = published
    rows = csv_rows(download(client, cycle.label, "answers.csv"))
    assert {row["iso3"] for row in rows} == {"FRA", "DEU", "NGA"}  # accepted only: not GBR, JPN, MEX
    by_key = {(row["iso3"], row["question"]): row for row in rows}
    assert by_key["DEU", S1]["value"] == "implemented"  # statuses are public without consent
    assert by_key["DEU", "poa2009.I.2.c.indicator.1"]["value"] == "300"  # and figures
    assert ("DEU", MEASURES) not in by_key  # its words are not
    assert by_key["FRA", MEASURES]["value"] == PUBLIC_TEXT
    assert by_key["FRA", S1]["commitment"] == "ungass2016.1.a"
    countries = json.loads(download(client, cycle.label, "answers.json"))["countries"]
    assert set(countries) == {"FRA", "DEU", "NGA"}
    assert countries["FRA"]["country"] == "France" and countries["FRA"]["answers"][MEASURES] == PUBLIC_TEXT


def test_aggregates_count_accepted_submissions_only(client, published):
    cycle, _closed = published
    status = csv_rows(download(client, cycle.label, "aggregates-status.csv"))
    world = next(row for row in status if row["question"] == S1 and row["level"] == "world")
    # FRA and DEU implemented, NGA not started: GBR (submitted), JPN (returned), MEX (in progress) do not count.
    assert (world["replies"], world["implemented"], world["not_started"], world["in_progress"]) == ("3", "2", "1", "0")
    workbook = load_workbook(io.BytesIO(download(client, cycle.label, "aggregates.xlsx")), read_only=True)
    assert workbook.sheetnames == list(AGGREGATE_SHEETS)
    tables = json.loads(download(client, cycle.label, "aggregates.json"))["tables"]
    assert list(tables) == list(AGGREGATE_SHEETS)
    assert len(tables["status"]["rows"]) == len(status)


def test_dictionary_has_a_row_per_question_with_units_and_crosswalk(client, published):
    cycle, _closed = published
    rows = csv_rows(download(client, cycle.label, "dictionary.csv"))
    keys = [item["key"] for pillar in SPEC["pillars"] for section in pillar["sections"] for item in section["items"]]
    assert [row["id"] for row in rows] == keys
    number = next(row for row in rows if row["id"] == "poa2009.I.2.c.indicator.1")
    assert (number["kind"], number["unit"], number["number_type"], number["minimum"]) == ("number", "people", "integer", "0")
    assert number["commitments"] == "poa2009.I.2.c"
    status = next(row for row in rows if row["id"] == S1)
    assert status["allowed_values"] == "not_started; planned; in_progress; implemented; not_applicable"
    assert status["label_fr"] and status["label_ar"] and status["label"] == "Implementation status"


def test_dictionary_of_the_real_questionnaire_names_indicators_modules_and_sdg(app):
    from reporting.opendata.dictionary import INDICATOR, MEASURE, dictionary_table
    from reporting.questionnaire.schema import SPECS_DIR
    import yaml

    content = yaml.safe_load((SPECS_DIR / "arq-2.0.0.yaml").read_text())
    table = dictionary_table(content)
    rows = [dict(zip(table.columns, row)) for row in table.rows]
    treatment = next(row for row in rows if row["record_type"] == INDICATOR and row["id"] == "ind.treatment_persons")
    assert treatment["arq_module"] == "treatment" and treatment["sdg_indicators"] == "3.5.1"
    assert "poa2009.I.10.a" in treatment["commitments"].split(";")
    persons = next(row for row in rows if row["record_type"] == MEASURE and row["id"] == "ind.treatment_persons"
                   and row["measure"] == "persons")
    assert persons["unit"] == "persons" and persons["number_type"] == "integer"
    questions = [item for pillar in content["pillars"] for section in pillar["sections"] for item in section["items"]]
    assert len({row["id"] for row in rows}) == len(questions)


def test_an_unpublished_cycle_gets_no_files(client, published):
    _cycle, closed = published
    assert write_cycle_files(closed) is None
    assert read_manifest(closed.label) is None
    assert not folder_of(closed.label).exists()


def test_a_rewrite_writes_only_when_something_public_changed_and_keeps_unchanged_files_dates(published):
    from reporting.database import write_transaction
    from reporting.extensions import db
    from reporting.models import Answer, Country, Submission
    from sqlalchemy import select

    cycle, _closed = published
    first = read_manifest(cycle.label)
    assert write_cycle_files(cycle)["generation"] == first["generation"]  # nothing changed: nothing written
    with write_transaction():  # a change the public cannot see (a non-consenting country's words)
        db.session.execute(Answer.__table__.update().where(Answer.key == MEASURES, Answer.submission_id == select(
            Submission.id).join(Country).where(Country.iso3 == "DEU", Submission.cycle_id == cycle.id).scalar_subquery())
            .values(value="still not public"))
    assert write_cycle_files(cycle)["generation"] == first["generation"]
    with write_transaction():  # a public one: Nigeria consents to publish its words
        db.session.scalar(select(Submission).join(Country).where(
            Country.iso3 == "NGA", Submission.cycle_id == cycle.id)).may_publish = True
        nigeria = db.session.scalar(select(Submission).join(Country).where(Country.iso3 == "NGA", Submission.cycle_id == cycle.id))
        db.session.add(Answer(submission_id=nigeria.id, key=MEASURES, value="Programme du Nigeria"))
    time.sleep(1.1)  # dates are to the second: a changed file must get a later one
    second = write_cycle_files(cycle)
    assert second["generation"] != first["generation"]
    assert second["files"]["answers.csv"]["modified"] > first["files"]["answers.csv"]["modified"]
    for name in ("dictionary.csv", "aggregates-status.csv"):
        assert second["files"][name]["sha256"] == first["files"][name]["sha256"]
        assert second["files"][name]["modified"] == first["files"][name]["modified"]
    assert second["files"]["answers.csv"]["sha256"] != first["files"]["answers.csv"]["sha256"]


@pytest.mark.parametrize("path", [
    "/public/data/2025/manifest.json",  # on disk, but not a file of the open data
    "/public/data/2025/..%2Fmanifest.json",
    "/public/data/2025/%2e%2e/2026/answers.csv",
    "/public/data/2025/../2026/answers.csv",
    "/public/data/2025/answers.csv%00.txt",
    "/public/data/2025/ANSWERS.CSV",
    "/public/data/2025/answers.pdf",
    "/public/data/2026/answers.csv",  # closed, not published
    "/public/data/2026/",
    "/public/data/nope/answers.csv",
    "/public/data/..%2F..%2Fetc/passwd",
])
def test_path_tricks_and_unpublished_cycles_are_404(client, published, path):
    response = client.get(path)
    assert response.status_code == 404
    for marker in MARKERS:
        assert marker.encode() not in response.data


def test_publishing_from_the_cli_writes_the_open_data(app, db):
    from tests.opendata.conftest import PUBLISHED
    from reporting.models import CycleState

    cycle = make_published(PUBLISHED)
    from reporting.database import write_transaction

    with write_transaction():
        cycle.state = CycleState.CLOSED.value
    result = app.test_cli_runner().invoke(args=["cycle", "publish", "2025"])
    assert result.exit_code == 0, result.output
    assert f"Open data written: {len(FILES)} files." in result.output
    assert read_manifest("2025")["files"]["answers.csv"]["size"] > 0


def test_opendata_build_refuses_an_unpublished_cycle(app, published):
    result = app.test_cli_runner().invoke(args=["opendata", "build", "--cycle", "2026"])
    assert result.exit_code == 1 and "only a published cycle has open data" in result.output
    result = app.test_cli_runner().invoke(args=["opendata", "build"])
    assert result.exit_code == 0 and f"Cycle 2025: {len(FILES)} files" in result.output


def test_a_report_build_of_a_published_cycle_writes_its_open_data(app, db):
    from tests.opendata.conftest import PUBLISHED

    make_published(PUBLISHED)
    result = app.test_cli_runner().invoke(args=["report", "build", "--cycle", "2025", "--lang", "en",
                                                "--countries", "none", "--workers", "1"])
    assert result.exit_code == 0, result.output
    manifest = read_manifest("2025")
    assert set(manifest["files"]) == {file.name for file in FILES}
    # A build elsewhere (--out) is not what the app serves: it leaves the open data alone.
    generation = manifest["generation"]
    result = app.test_cli_runner().invoke(args=["report", "build", "--cycle", "2025", "--lang", "en",
                                                "--countries", "none", "--workers", "1", "--out", str(folder_of("x").parent.parent / "elsewhere")])
    assert result.exit_code == 0, result.output
    assert read_manifest("2025")["generation"] == generation

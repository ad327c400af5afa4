"""Exports and report builds never crash on a stored value: a value no file
can hold (stored before the input boundary existed) is left empty and named,
country and question, while every other answer is written."""
from datetime import date
import io
from pathlib import Path

from openpyxl import load_workbook

from reporting.reports.exports import answers_table, to_csv, to_xlsx

from .conftest import ANSWERS, MEASURES, N1, S1, fill, make_cycle

BAD = {"FRA": ("accepted", {S1: "implemented", MEASURES: "From Word\x0bwith a vertical tab"}),
       "DEU": ("accepted", {S1: "planned", MEASURES: "bad \ud800 surrogate", N1: 5}),
       "GBR": ("submitted", {S1: "in_progress", MEASURES: "Fine text"})}


def test_exports_leave_unwritable_values_empty_and_name_them(db):
    cycle = fill(make_cycle("2027", date(2027, 6, 30)), BAD)
    table = answers_table(cycle)
    assert table.unwritable == [
        f"DEU {MEASURES}: It contains an invalid character (an unpaired surrogate, U+D800).",
        f"FRA {MEASURES}: It contains a control character (U+000B); remove it and try again.",
    ]
    sheet = load_workbook(io.BytesIO(to_xlsx([table])))["answers"]
    values = [row[9].value for row in sheet.iter_rows(min_row=2)]
    assert "Fine text" in values and 5 in values
    text = to_csv(table).decode("utf-8-sig")
    assert "Fine text" in text and "\x0b" not in text


def test_report_build_names_the_country_and_question_and_finishes(runner, app, db):
    fill(make_cycle("2027", date(2027, 6, 30)), {**ANSWERS, **BAD})
    result = runner.invoke(args=["report", "build", "--cycle", "2027", "--lang", "en", "--countries", "none", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert f"warning: answer not written to the exports (left empty): FRA {MEASURES}: It contains a control character (U+000B)" in result.output
    assert f"DEU {MEASURES}: It contains an invalid character (an unpaired surrogate" in result.output
    folder = Path(app.config["REPORTS_DIR"]) / "2027"
    assert (folder / "data" / "answers-2027.xlsx").is_file() and (folder / "en" / "progress-report-2027-en.pdf").is_file()


def test_country_download_names_what_it_left_out(client, login_as, db):
    fill(make_cycle("2027", date(2027, 6, 30)), BAD)
    login_as("focal_point", "FRA")
    response = client.get("/reports/2027/FRA/answers.xlsx")
    assert response.status_code == 200
    assert response.headers["X-Unwritable-Values"].startswith(f"FRA {MEASURES}: It contains a control character")

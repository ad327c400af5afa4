"""CSV/XLSX exports of the aggregates and the answers."""
from datetime import date
import csv
import io

from openpyxl import load_workbook
import pytest

from reporting.extensions import db
from reporting.models import Country
from reporting.reports.content import cycle_content
from reporting.reports.exports import aggregate_tables, answers_table, to_csv, to_xlsx

from .conftest import FRENCH_TEXT, GERMAN_TEXT, MEASURES, N1, S1, S2, make_cycle, make_submission


def rows_of(table):
    return [dict(zip(table.columns, row)) for row in table.rows]


def test_aggregates_by_question_and_area(cycles):
    tables = aggregate_tables(cycle_content(cycles[1]))
    status, summary, targets, commitments, indicators, coverage, _figures, _sdg = tables
    by_area = {(row["question"], row["level"], row["code"]): row for row in rows_of(status)}
    world = by_area[(S1, "world", 1)]
    assert world["area"] == "World" and world["member_states"] == 193 and world["replies"] == 4
    assert (world["not_started"], world["planned"], world["in_progress"], world["implemented"], world["not_applicable"]) == (1, 0, 1, 2, 0)
    assert world["response_rate"] == pytest.approx(4 / 193) and world["base"] == 4
    # Four applicable replies are fewer than five: no share is published, and the note says why.
    assert world["share_implemented"] is None and world["note"] == "too few replies"
    assert (world["compared"], world["implemented_before"], world["implemented_now"], world["change_points"]) == (3, 1, 2, None)
    europe = by_area[(S1, "region", 150)]
    assert (europe["area"], europe["member_states"], europe["replies"], europe["implemented"]) == ("Europe", 43, 3, 2)
    assert by_area[(S1, "subregion", 419)]["replies"] == 0  # Latin America: every area has a row
    weog = by_area[(S1, "regional_group", "western_european_other_states")]
    assert (weog["area"], weog["member_states"], weog["replies"]) == ("Western European and other States", 29, 3)
    s2 = by_area[(S2, "world", 1)]
    assert (s2["replies"], s2["not_applicable"], s2["base"]) == (4, 1, 3)  # "not applicable" is not in the base
    sofia = by_area[("sofia2018.8.status", "world", 1)]
    assert sofia["member_states"] == 60 and sofia["response_rate"] == pytest.approx(2 / 60)
    assert by_area[("sofia2018.8.status", "scope", "eu+celac")]["area"] == "European Union + Community of Latin American and Caribbean States"
    indicator = {(row["level"], row["code"]): row for row in rows_of(indicators)}[("world", 1)]
    assert (indicator["question"], indicator["count"], indicator["sum"], indicator["median"]) == (N1, 4, 1450, 200)
    assert (indicator["minimum"], indicator["maximum"], indicator["previous_median"]) == (50, 1000, 200)
    assert {row["commitment"] for row in rows_of(commitments)} == {"ungass2016.1.a", "poa2009.I.2.c", "sofia2018.8"}
    everything = next(row for row in rows_of(summary) if row["grouping"] == "all")
    assert everything["questions"] == 0 and everything["too_few"] == 3 and everything["median_share_implemented"] is None


def test_exports_name_areas_and_countries_as_the_un_does(cycles):
    """M49 area names and UN short names (English, the exports' language), in CSV and XLSX alike."""
    status = aggregate_tables(cycle_content(cycles[1]))[0]
    areas = {row["code"]: row["area"] for row in rows_of(status) if row["level"] != "regional_group"}
    assert (areas[1], areas[419], areas[202], areas[53], areas[21]) == (
        "World", "Latin America and the Caribbean", "Sub-Saharan Africa", "Australia and New Zealand",
        "Northern America")
    answers = answers_table(cycles[1])
    names = {row["iso3"]: row["country"] for row in rows_of(answers)}
    assert names["GBR"] == "United Kingdom of Great Britain and Northern Ireland"
    assert names["PSE"] == "State of Palestine"
    text = to_csv(answers).decode("utf-8-sig")
    assert "United Kingdom of Great Britain and Northern Ireland" in text and "United Kingdom," not in text
    workbook = load_workbook(io.BytesIO(to_xlsx([status, answers])))
    cells = {cell.value for sheet in workbook for row in sheet.iter_rows(min_row=2) for cell in row}
    assert {"Latin America and the Caribbean", "State of Palestine", "Australia and New Zealand"} <= cells
    assert not {"Latin America", "Australasia", "Palestinian Territories", "UK"} & cells


def test_answers_of_one_country_only(cycles):
    france = db.session.query(Country).filter_by(iso3="FRA").one()
    table = answers_table(cycles[1], france)
    rows = rows_of(table)
    assert {row["iso3"] for row in rows} == {"FRA"}
    assert {row["question"]: row["value"] for row in rows}[MEASURES] == FRENCH_TEXT
    assert GERMAN_TEXT not in to_csv(table).decode("utf-8-sig")
    measures = next(row for row in rows if row["question"] == MEASURES)
    assert (measures["commitment"], measures["kind"], measures["submission_state"]) == ("ungass2016.1.a", "text", "accepted")
    everyone = {row["iso3"] for row in rows_of(answers_table(cycles[1]))}
    assert everyone == {"FRA", "DEU", "GBR", "NGA", "MEX", "JPN", "PSE"}  # every state, for compilers


def test_spreadsheet_formulas_are_neutralised(db):
    cycle = make_cycle("2027", date(2027, 6, 30))
    make_submission(cycle, "FRA", "submitted", {MEASURES: '=HYPERLINK("http://evil.example","x")', N1: -5})
    table = answers_table(cycle)
    text = to_csv(table).decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(text))) == table.columns
    assert "'=HYPERLINK" in text and ",-5," in text  # numbers stay numbers
    sheet = load_workbook(io.BytesIO(to_xlsx([table])))["answers"]
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    formula = next(cell for cell in cells if isinstance(cell.value, str) and "HYPERLINK" in cell.value)
    assert formula.data_type == "s" and formula.value.startswith("'=")
    assert -5 in [cell.value for cell in cells]

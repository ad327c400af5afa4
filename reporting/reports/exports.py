"""CSV and XLSX exports of the aggregates and of the answers.

Column names are stable machine names and area names are English, so the files
can be joined with other data; one row per commitment (or indicator) and area.
Text that a spreadsheet would run as a formula is neutralised.
"""
import csv
from dataclasses import dataclass, field
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from sqlalchemy import select

from forms.spec import Spec
from reporting.core.inputs import text_problem
from reporting.countries.services import country_name, region_name
from reporting.extensions import db
from reporting.models import Answer, Country, Cycle, Submission
from reporting.questionnaire.measures import NO_DATA
from reporting.questionnaire.scale import STATUS_VALUES
from reporting.reports.aggregation import WORLD, Area
from reporting.reports.content import IMPLEMENTED, ReportContent

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Table:
    name: str  # sheet name
    columns: list[str]
    rows: list[list[Any]]
    # Values that could not be written (left empty), each naming the country and question.
    unwritable: list[str] = field(default_factory=list)


def _area_name(area: Area) -> str:
    return region_name(area.m49, "en")


def _areas(content: ReportContent) -> list[Area]:
    return [WORLD] + [area for region, subregions in content.regions for area in (region, *subregions)]


def aggregate_tables(content: ReportContent) -> list[Table]:
    """The figures of the cycle report: status by commitment and area, then numeric indicators."""
    status = Table("status", [
        "cycle", "pillar", "thematic_area", "commitment", "question", "level", "m49", "area", "member_states",
        "replies", "response_rate", *STATUS_VALUES, "share_implemented", "share_in_progress",
        "previous_share_implemented", "change_points",
    ], [])
    indicators = Table("indicators", [
        "cycle", "pillar", "thematic_area", "commitment", "question", "indicator", "unit", "level", "m49", "area",
        "count", "sum", "median", "minimum", "maximum", "previous_median",
    ], [])
    areas = _areas(content)
    for pillar in content.pillars:
        for section in pillar.sections:
            where = [content.cycle, pillar.key, section.key]
            for row in section.commitments:
                for area in areas:
                    counts, before = row.at(area), row.before(area)
                    status.rows.append([
                        *where, row.id, row.key, area.level, area.m49, _area_name(area),
                        row.member_states.get(area, 0), counts.responding, row.response_rate(area),
                        *(counts.count(value) for value in STATUS_VALUES),
                        counts.share(IMPLEMENTED), counts.share("in_progress"),
                        before.share(IMPLEMENTED) if before else None, row.change if area == WORLD else None,
                    ])
            for indicator in section.indicators:
                for area in areas:
                    stats = indicator.at(area)
                    if stats is None:
                        continue
                    previous = (indicator.previous or {}).get(area)
                    indicators.rows.append([
                        *where, indicator.commitment, indicator.key, indicator.label, indicator.unit,
                        area.level, area.m49, _area_name(area), stats.count, stats.total, stats.median,
                        stats.minimum, stats.maximum, previous.median if previous else None,
                    ])
    return [status, indicators]


def _plain(value: Any) -> Any:
    """A JSON answer as one cell: lists joined, numbers kept as numbers."""
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    if isinstance(value, dict):
        return str(value)
    return value


def answers_table(cycle: Cycle, country: Country | None = None) -> Table:
    """Every answer of the cycle (all states, the state in a column), or one country's only."""
    items = Spec(cycle.spec_version.content).items_by_key
    query = (
        select(Country.iso2, Country.iso3, Country.region_m49, Country.subregion_m49, Submission.state,
               Answer.key, Answer.value, Answer.carried_over, Answer.updated_at)
        .join(Submission, Submission.country_id == Country.id)
        .join(Answer, Answer.submission_id == Submission.id)
        .where(Submission.cycle_id == cycle.id)
        .order_by(Country.iso3, Answer.key)
    )
    if country is not None:
        query = query.where(Country.id == country.id)
    rows, unwritable = [], []
    for iso2, iso3, region, subregion, state, key, value, carried_over, updated_at in db.session.execute(query):
        item = items.get(key, {})
        for value_, row, measure, unit, no_data in _cells(item, value):
            problem = text_problem(value_) if isinstance(value_, str) else None
            if problem:
                # Stored before the input boundary existed (the migration repairs such values):
                # one bad answer must not stop every other country's export.
                unwritable.append(f"{iso3} {key}: {problem}")
                value_ = None
            rows.append([
                cycle.label, iso3, country_name(iso2, "en"), region, subregion, state, key,
                ";".join(item.get("commitments", [])), item.get("kind"), value_, carried_over,
                updated_at.replace(tzinfo=None) if updated_at else None, row, measure, unit, no_data,
            ])
    return Table("answers", [
        "cycle", "iso3", "country", "region_m49", "subregion_m49", "submission_state", "question", "commitment",
        "kind", "value", "carried_over", "updated_at_utc", "row", "measure", "unit", "no_data",
    ], rows, unwritable)


def _cells(item: dict, value: Any) -> list[tuple[Any, str, str, str, bool]]:
    """(value, row, measure, unit, no_data) lines of one answer: one per cell of a table, with its unit and
    "no data" kept apart from an empty value; the table's reference year and note on lines of their own."""
    if item.get("kind") != "table" or not isinstance(value, dict):
        return [(_plain(value), "", "", (item.get("number") or {}).get("unit", ""), False)]
    columns = {column["key"]: column["unit"] for column in item["table"]["columns"]}
    lines = [(None if cell == NO_DATA else cell, row, column, columns.get(column, ""), cell == NO_DATA)
             for row, cells in value.get("rows", {}).items() for column, cell in cells.items()]
    if value.get("year") is not None:
        lines.append((value["year"], "", "reference_year", "year", False))
    if value.get("note"):
        lines.append((value["note"], "", "note", "", False))
    return lines


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark, which spreadsheet programs need to read it as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(["" if value is None else _safe(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(tables: list[Table]) -> bytes:
    workbook = Workbook(write_only=True)
    bold, fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="0B2F55")
    for table in tables:
        sheet = workbook.create_sheet(table.name)
        sheet.freeze_panes = "A2"
        header = []
        for column in table.columns:
            cell = WriteOnlyCell(sheet, value=column)
            cell.font, cell.fill = bold, fill
            header.append(cell)
        sheet.append(header)
        for row in table.rows:
            sheet.append([_safe(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


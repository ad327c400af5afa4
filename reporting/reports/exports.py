"""CSV and XLSX exports of the aggregates and of the answers.

Column names are stable machine names and area names are English, so the files
can be joined with other data; one row per policy question (or indicator,
target, commitment) and area. Shares are blank where the report says "too few
replies"; the base of every share is in its own column. Text that a
spreadsheet would run as a formula is neutralised.
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
from reporting.countries.groupings import regional_groups
from reporting.countries.services import country_name, group_name, region_name
from reporting.extensions import db
from reporting.models import Answer, Country, Cycle, Submission
from reporting.questionnaire.measures import NO_DATA
from reporting.questionnaire.scale import STATUS_VALUES
from reporting.reports.aggregation import IMPLEMENTED, WORLD, Area
from reporting.reports.content import TREND_VALUES, QuestionRow, ReportContent

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Table:
    name: str  # sheet name
    columns: list[str]
    rows: list[list[Any]]
    # Values that could not be written (left empty), each naming the country and question.
    unwritable: list[str] = field(default_factory=list)


def _area_name(area: Area) -> str:
    """English names, so the files join with other data whatever the reader's language."""
    if area.level == "regional_group":
        return regional_groups()[area.code]["name"]
    if area.level == "scope":
        return " + ".join(group_name(key) for key in area.code.split("+"))
    return region_name(area.code, "en")


STATUS_COLUMNS = [
    "cycle", "pillar", "thematic_area", "chapter", "question", "commitments", "level", "code", "area",
    "member_states", "replies", "response_rate", *STATUS_VALUES, "base", "share_implemented", "share_in_progress", "note",
    "compared", "implemented_before", "implemented_now", "change_points",
]


def _status_row(content: ReportContent, pillar, section, row: QuestionRow, area: Area) -> list:
    counts, pairs = row.at(area), row.pairs_at(area)
    note = "" if counts.enough else ("too few replies" if counts.applicable else "no applicable replies")
    return [
        content.cycle, pillar.key, section.key, section.chapter, row.key, ";".join(cid for cid, _r in row.commitments),
        area.level, area.code, _area_name(area), row.member_states.get(area, 0), counts.responding,
        row.response_rate(area), *(counts.count(value) for value in STATUS_VALUES), counts.applicable,
        counts.reported_share(IMPLEMENTED), counts.reported_share("in_progress"), note,
        pairs.countries if pairs else None, pairs.implemented_before if pairs else None,
        pairs.implemented_now if pairs else None, pairs.change if pairs else None,
    ]


def _row_areas(content: ReportContent, section) -> list[Area]:
    """A regional module's questions are reported for its own scope, not for the other scopes."""
    return [area for area in content.areas
            if area.level != "scope" or (section.regional and area.code == section.scope)]


def status_table(content: ReportContent, sections=None) -> Table:
    """One row per policy question and area: replies, statuses, base, shares (blank under the minimum)
    and the like-for-like change."""
    table = Table("status", STATUS_COLUMNS, [])
    for pillar in content.pillars:
        for section in pillar.sections:
            if sections is not None and section not in sections:
                continue
            for row in section.questions:
                for area in _row_areas(content, section):
                    table.rows.append(_status_row(content, pillar, section, row, area))
    return table


def commitments_table(content: ReportContent) -> Table:
    """Per commitment, worldwide and by region: a commitment's status is its question's status."""
    table = Table("commitments", ["cycle", "commitment", "document", "question", "level", "code", "area", "base",
                                  "implemented", "share_implemented", "note"], [])
    areas = [WORLD] + [region for region, _subregions in content.regions]
    for row in content.world.questions:
        for cid, record in row.commitments:
            for area in areas:
                counts = row.at(area)
                table.rows.append([content.cycle, cid, record.get("document"), row.key, area.level, area.code,
                                   _area_name(area), counts.applicable, counts.count(IMPLEMENTED),
                                   counts.reported_share(IMPLEMENTED), "" if counts.enough else "too few replies"])
    return table


def summary_table(content: ReportContent) -> Table:
    """The executive summary: per pillar and UNGASS chapter, the spread of the questions' shares."""
    table = Table("summary", ["cycle", "grouping", "group", "questions", "too_few", "median_share_implemented",
                              "lower_quartile", "upper_quartile", "minimum", "maximum", "median_change_points",
                              "questions_compared"], [])
    groups = [("pillar", group) for group in content.pillars] + [("ungass_chapter", group) for group in content.chapters]
    for grouping, group in groups + [("all", content.world)]:
        spread = group.spread()
        table.rows.append([content.cycle, grouping, group.key, spread.questions, spread.too_few, spread.median,
                           spread.lower_quartile, spread.upper_quartile, spread.minimum, spread.maximum,
                           group.change, len(group.paired())])
    return table


def targets_table(content: ReportContent) -> Table:
    """The 2019 targets: countries per trend answer and per data source named, by area."""
    table = Table("targets", ["cycle", "target", "commitments", "level", "code", "area", "replies",
                              *TREND_VALUES, "sources_replies", "sources"], [])
    for target in content.targets:
        for area in content.areas:
            trend, named = target.trend_at(area), target.sources_at(area)
            if not trend and not named:
                continue
            table.rows.append([
                content.cycle, target.key, ";".join(cid for cid, _r in target.commitments), area.level, area.code,
                _area_name(area), trend["n"], *(trend[value] for value in TREND_VALUES), named["n"],
                "; ".join(f"{value}={named[value]}" for value, _label in target.source_choices)])
    return table


def indicators_table(content: ReportContent) -> Table:
    """Numeric answers: count, median and range; a sum only where it means something (not years)."""
    table = Table("indicators", [
        "cycle", "pillar", "thematic_area", "commitment", "question", "indicator", "unit", "number_type", "level",
        "code", "area", "count", "sum", "median", "minimum", "maximum", "previous_median",
    ], [])
    for pillar in content.pillars:
        for section in pillar.sections:
            for indicator in section.indicators:
                for area in content.areas:
                    stats = indicator.at(area)
                    if stats is None:
                        continue
                    previous = (indicator.previous or {}).get(area)
                    table.rows.append([
                        content.cycle, pillar.key, section.key, indicator.commitment, indicator.key, indicator.label,
                        indicator.unit, indicator.number_type, area.level, area.code, _area_name(area), stats.count,
                        stats.total if indicator.summable else None, stats.median, stats.minimum, stats.maximum,
                        previous.median if previous else None,
                    ])
    return table


INDICATOR_FIGURE_COLUMNS = [
    "cycle", "module", "indicator", "question", "row", "measure", "unit", "summable", "level", "code", "area",
    "countries_reporting", "no_data", "sum", "median", "minimum", "maximum",
    "compared", "before", "now", "change_relative", "change_note",
]


def indicator_figures_table(content: ReportContent, keys: set[str] | None = None) -> Table:
    """The indicator chapter (table questions): per indicator, row and measure, worldwide and by region, the
    Member States reporting a number, the sum (summable units only) or median and range; "no data" apart
    (worldwide); the change over the Member States that reported it in both cycles (``before``/``now``: their
    sum, or median) with "too few replies" under the minimum. ``keys``: only these indicators."""
    table = Table("indicator_figures", INDICATOR_FIGURE_COLUMNS, [])
    chapter = content.indicators
    for indicator in chapter.indicators:
        if keys is not None and indicator.key not in keys:
            continue
        for line in indicator.lines:
            change = line.change
            compared = [change.n, change.before, change.now, change.relative,
                        "" if change.enough else "too few replies"] if change else [None, None, None, None, ""]
            for area in [WORLD, *chapter.regions]:
                figure = line.at(area)
                table.rows.append([
                    content.cycle, indicator.module, indicator.indicator, indicator.key, line.row, line.column, line.unit,
                    line.summable, area.level, area.code, _area_name(area), figure.n,
                    line.no_data if area == WORLD else None, figure.total, figure.median, figure.minimum,
                    figure.maximum, *(compared if area == WORLD else [None, None, None, None, ""]),
                ])
    return table


def sdg_351_table(content: ReportContent) -> Table:
    """SDG 3.5.1 by region and worldwide: people in treatment over people with drug use disorders, over the
    Member States that reported both; the share blank under the minimum number of them."""
    table = Table("sdg_351", ["cycle", "level", "code", "area", "countries_both_parts", "people_in_treatment",
                              "people_with_disorders", "coverage", "note"], [])
    chapter = content.indicators
    for area in [*chapter.regions, WORLD]:
        cover = chapter.sdg_351.get(area)
        n = cover.n if cover else 0
        table.rows.append([content.cycle, area.level, area.code, _area_name(area), n,
                           cover.treated if n else None, cover.disorders if n else None,
                           cover.share if cover else None,
                           "" if cover and cover.share is not None else ("too few replies" if n else "")])
    return table


def coverage_table(content: ReportContent) -> Table:
    return Table("coverage", ["cycle", "level", "code", "area", "member_states", "reporting", "response_rate"], [
        [content.cycle, area.level, area.code, _area_name(area), cover.member_states, cover.reporting, cover.rate]
        for area in content.areas if (cover := content.coverage.get(area))])


def aggregate_tables(content: ReportContent) -> list[Table]:
    """Every figure of the cycle report, one sheet each."""
    return [status_table(content), summary_table(content), targets_table(content), commitments_table(content),
            indicators_table(content), coverage_table(content), indicator_figures_table(content), sdg_351_table(content)]


def figure_table(content: ReportContent, table_id: str) -> Table | None:
    """The table behind one figure of the report (its HTML id), for the web version's CSV links."""
    if table_id in ("t-summary-pillars", "t-summary-chapters"):
        return summary_table(content)
    if table_id == "t-coverage":
        return coverage_table(content)
    if table_id == "t-changes":
        keep = {row.key for row in content.world.largest_changes()}
        table = status_table(content)
        table.rows = [row for row in table.rows if row[4] in keep and row[6] == "world"]
        return table
    if table_id == "t-sdg-351":
        return sdg_351_table(content)
    if table_id.startswith("t-ind."):
        keys = {indicator.key for indicator in content.indicators.indicators if table_id == f"t-{indicator.key}"}
        return indicator_figures_table(content, keys) if keys else None
    for target in content.targets:
        if table_id in (f"t-target-{target.key}", f"t-target-{target.key}-sources"):  # trend, data sources
            table = targets_table(content)
            table.rows = [row for row in table.rows if row[1] == target.key]
            return table
        if table_id == f"t-target-{target.key}-indicators":
            return indicator_figures_table(content, {indicator.key for indicator in content.target_indicators(target)})
    for pillar in content.pillars:
        if table_id == f"t-{pillar.key}-regions":
            return status_table(content, pillar.sections)
        for section in pillar.sections:
            if table_id == f"t-{section.key}":
                return status_table(content, [section])
            if table_id == f"t-{section.key}-indicators":
                table = indicators_table(content)
                table.rows = [row for row in table.rows if row[2] == section.key]
                return table
    return None


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
        select(Country.iso2, Country.iso3, Country.region_m49, Country.subregion_m49, Country.is_member_state,
               Submission.state, Answer.key, Answer.value, Answer.carried_over, Answer.updated_at)
        .join(Submission, Submission.country_id == Country.id)
        .join(Answer, Answer.submission_id == Submission.id)
        .where(Submission.cycle_id == cycle.id)
        .order_by(Country.iso3, Answer.key)
    )
    if country is not None:
        query = query.where(Country.id == country.id)
    rows, unwritable = [], []
    for iso2, iso3, region, subregion, member, state, key, value, carried_over, updated_at in db.session.execute(query):
        item = items.get(key, {})
        for value_, row, measure, unit, no_data in answer_cells(item, value):
            value_ = writable(value_, f"{iso3} {key}", unwritable)
            rows.append([
                cycle.label, iso3, country_name(iso2, "en"), region, subregion, state, key,
                ";".join(item.get("commitments", [])), item.get("kind"), value_, carried_over,
                updated_at.replace(tzinfo=None) if updated_at else None, row, measure, unit, no_data, member,
            ])
    return Table("answers", [
        "cycle", "iso3", "country", "region_m49", "subregion_m49", "submission_state", "question", "commitment",
        "kind", "value", "carried_over", "updated_at_utc", "row", "measure", "unit", "no_data", "member_state",
    ], rows, unwritable)


def writable(value: Any, where: str, unwritable: list[str]) -> Any:
    """``value``, or None (an empty cell) for text no file can hold, noted in ``unwritable`` with ``where``.

    Such text was stored before the input boundary existed (the migration repairs it):
    one bad answer must not stop every other country's export."""
    problem = text_problem(value) if isinstance(value, str) else None
    if problem:
        unwritable.append(f"{where}: {problem}")
        return None
    return value


def answer_cells(item: dict, value: Any) -> list[tuple[Any, str, str, str, bool]]:
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


"""Indicator figures of the cycle report and the country profiles, from the table answers.

Per indicator, per row (substance, sex, age group, crop) and measure: the
number of Member States reporting a number, then by M49 region and for the
world either the sum — only where a sum means something (quantities seized,
hectares, people; see ``measures.UNITS``) — or the median and range (rates,
shares, prices, purity). Reference years are shown as a span, never summed.
"No data" ("--") is counted apart and never as zero.

The change since the previous cycle compares only the Member States that
reported the same cell in both cycles, with their number shown; fewer than
``MIN_REPLIES`` give "too few replies". SDG 3.5.1 (treatment coverage) is
derived per region as people in treatment over people with drug use disorders,
over the countries that reported both parts.

A table answer is one JSON value; its cells are read in Python from one query
per cycle (a few thousand rows for 193 countries), which reads the same on
SQLite and PostgreSQL.
"""
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from sqlalchemy import select

from forms.spec import Spec
from reporting.extensions import db
from reporting.models import Answer, Country, Cycle, Submission
from reporting.questionnaire.measures import MODULES, NO_DATA, SDG_351, UNITS
from reporting.reports.aggregation import WORLD, Area
from reporting.reports.services import counted_states
from reporting.responses.cycles import previous_cycle

MIN_REPLIES = 5  # fewer replies give "too few replies", not a figure (methodology annex)


@dataclass(frozen=True)
class Figure:
    """One cell line (row × measure) in one area."""

    n: int  # Member States reporting a number
    total: float | None  # sum, for summable units only
    median: float | None
    minimum: float | None
    maximum: float | None

    @classmethod
    def of(cls, values: list[float], summable: bool) -> "Figure":
        if not values:
            return cls(0, None, None, None, None)
        return cls(len(values), sum(values) if summable else None, median(values), min(values), max(values))


@dataclass(frozen=True)
class Change:
    """Change of one line since the previous cycle, over the Member States that reported it in both."""

    n: int
    before: float | None  # sum (summable) or median, previous cycle, over those countries
    now: float | None

    @property
    def enough(self) -> bool:
        return self.n >= MIN_REPLIES

    @property
    def relative(self) -> float | None:
        """now / before − 1 (0.25 for +25 %); None with too few replies or nothing before."""
        if not self.enough or not self.before:
            return None
        return self.now / self.before - 1


@dataclass
class Line:
    row: str
    row_label: str
    column: str
    column_label: str
    unit: str
    unit_label: str
    summable: bool
    figures: dict[Area, Figure]
    no_data: int  # Member States that said "no data" for this cell
    change: Change | None  # None: no previous cycle

    def at(self, area: Area) -> Figure:
        return self.figures.get(area) or Figure(0, None, None, None, None)


@dataclass
class IndicatorFigures:
    key: str
    indicator: str
    module: str
    module_title: str
    label: str
    help: str | None
    sdg: list[str]
    commitments: list[str]
    references: list[tuple[str, dict[str, Any]]]  # (id, record) of its commitments, cited by document and paragraph
    countries: int  # Member States that reported at least one number
    years: tuple[int, int] | None  # span of the reference years given (latest-available indicators)
    lines: list[Line]


@dataclass(frozen=True)
class Coverage:
    """SDG 3.5.1 in one area: people in treatment over people with drug use disorders."""

    n: int  # Member States with both parts
    treated: float
    disorders: float

    @property
    def share(self) -> float | None:
        return self.treated / self.disorders if self.n >= MIN_REPLIES and self.disorders else None


@dataclass
class IndicatorContent:
    indicators: list[IndicatorFigures] = field(default_factory=list)
    sdg_351: dict[Area, Coverage] = field(default_factory=dict)
    regions: list[Area] = field(default_factory=list)
    previous_cycle: str | None = None

    def by_module(self) -> list[tuple[str, str, list[IndicatorFigures]]]:
        """(module key, title, its indicators) in ARQ module order."""
        grouped: dict[str, list[IndicatorFigures]] = {}
        for indicator in self.indicators:
            grouped.setdefault(indicator.module, []).append(indicator)
        return [(key, MODULES[key], grouped[key]) for key in MODULES if key in grouped]


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _answers(cycle: Cycle) -> dict[str, dict[str, tuple[int, Any]]]:
    """Table answers of the Member States whose response counts: key → iso3 → (region M49, value)."""
    rows = db.session.execute(
        select(Answer.key, Country.iso3, Country.region_m49, Answer.value)
        .join(Submission, Submission.id == Answer.submission_id)
        .join(Country, Country.id == Submission.country_id)
        .where(Submission.cycle_id == cycle.id, Submission.state.in_(counted_states(cycle)),
               Country.is_member_state, Answer.key.like("ind.%"))
    )
    answers: dict[str, dict[str, tuple[int, Any]]] = {}
    for key, iso3, region, value in rows:
        if isinstance(value, dict):
            answers.setdefault(key, {})[iso3] = (region, value)
    return answers


def _cell(value: dict, row: str, column: str) -> Any:
    cells = value.get("rows", {}).get(row)
    return cells.get(column) if isinstance(cells, dict) else None


def _line(item: dict, row: dict, column: dict, now: dict[str, tuple[int, Any]],
          before: dict[str, tuple[int, Any]] | None, regions: list[Area]) -> Line:
    summable = UNITS[column["unit"]].summable
    by_area: dict[Area, list[float]] = {area: [] for area in [WORLD, *regions]}
    no_data = 0
    numbers: dict[str, float] = {}
    for iso3, (region, value) in now.items():
        cell = _cell(value, row["value"], column["key"])
        if cell == NO_DATA:
            no_data += 1
        number = _number(cell)
        if number is None:
            continue
        numbers[iso3] = number
        by_area[WORLD].append(number)
        by_area.setdefault(Area("region", region), []).append(number)
    change = None
    if before is not None:
        pairs = [(_number(_cell(before[iso3][1], row["value"], column["key"])), number)
                 for iso3, number in numbers.items() if iso3 in before]
        pairs = [(then, number) for then, number in pairs if then is not None]
        if pairs:
            aggregate = sum if summable else median
            change = Change(len(pairs), aggregate([p[0] for p in pairs]), aggregate([p[1] for p in pairs]))
        else:
            change = Change(0, None, None)
    return Line(row["value"], row["label"], column["key"], column["label"], column["unit"], UNITS[column["unit"]].label, summable,
                {area: Figure.of(values, summable) for area, values in by_area.items()}, no_data, change)


def _sdg_351(answers: dict, regions: list[Area]) -> dict[Area, Coverage]:
    (numerator, num_column), (denominator, den_column) = SDG_351["numerator"], SDG_351["denominator"]
    treated_by_country = answers.get(f"ind.{numerator}", {})
    disorders_by_country = answers.get(f"ind.{denominator}", {})
    sums: dict[Area, list[float]] = {area: [0, 0.0, 0.0] for area in [WORLD, *regions]}
    for iso3, (region, value) in treated_by_country.items():
        if iso3 not in disorders_by_country:
            continue
        treated = [_number(cells.get(num_column)) for cells in value.get("rows", {}).values()]
        disorders = [_number(cells.get(den_column)) for cells in disorders_by_country[iso3][1].get("rows", {}).values()]
        treated, disorders = [t for t in treated if t is not None], [d for d in disorders if d is not None]
        if not treated or not disorders or not sum(disorders):
            continue
        for area in (WORLD, Area("region", region)):
            total = sums.setdefault(area, [0, 0.0, 0.0])
            total[0] += 1
            total[1] += sum(treated)
            total[2] += sum(disorders)
    return {area: Coverage(int(n), treated, disorders) for area, (n, treated, disorders) in sums.items()}


def indicator_content(cycle: Cycle, regions: list[Area]) -> IndicatorContent:
    """The indicator figures of a cycle, by M49 region (``regions``) and for the world."""
    spec = Spec(cycle.spec_version.content)
    tables = [item for section in spec.sections for item in section.items if item["kind"] == "table"]
    if not tables:
        return IndicatorContent(regions=regions)
    answers = _answers(cycle)
    before_cycle = previous_cycle(cycle)
    before = _answers(before_cycle) if before_cycle else None
    figures = []
    order = list(MODULES)
    for item in sorted(tables, key=lambda item: order.index(item["table"]["module"])):
        table, now = item["table"], answers.get(item["key"], {})
        previous = (before or {}).get(item["key"], {}) if before is not None else None
        lines = [_line(item, row, column, now, previous, regions)
                 for row in (*table["rows"], *table.get("optional_rows", ())) for column in table["columns"]]
        years = [value["year"] for _region, value in now.values() if isinstance(value.get("year"), int)]
        reporting = sum(1 for _region, value in now.values()
                        if any(_number(cell) is not None for cells in value.get("rows", {}).values() for cell in cells.values()))
        figures.append(IndicatorFigures(
            key=item["key"], indicator=table["indicator"], module=table["module"], module_title=MODULES[table["module"]],
            label=item["label"], help=table.get("help"), sdg=table.get("sdg", []), commitments=item["commitments"],
            references=[(cid, spec.commitments[cid]) for cid in item["commitments"] if cid in spec.commitments],
            countries=reporting, years=(min(years), max(years)) if years else None,
            lines=[line for line in lines if line.at(WORLD).n or line.no_data],
        ))
    return IndicatorContent(figures, _sdg_351(answers, regions), regions, before_cycle.label if before_cycle else None)

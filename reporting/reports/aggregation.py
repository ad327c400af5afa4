"""The cycle's figures, computed in SQL: a few GROUP BY statements, not Python
loops over answers, so 193 countries × hundreds of questions stay well under a
second on SQLite and PostgreSQL alike.

Every figure is wanted for many areas at once — the world, M49 regions and
sub-regions, the Commission's regional groups, the register's regional scopes —
and the areas overlap. ``Geography`` sorts the Member States into *cells*
(countries that fall into exactly the same areas) and passes two small tables
to SQL: country → cell and cell → area. Each statement groups the answers once
by cell, then joins that small result to the areas and sums, so the answers are
read once whatever the number of groupings. Only Member States are in the
tables, so only they count; which submissions count is the caller's choice
(see ``services.counted_states``).

Statistics rules (stated in the report's methodology annex):
- a share's base is the replies other than "not applicable";
- a figure over fewer than ``MIN_REPLIES`` replies is not shown as a share;
- a change between cycles compares the same countries: those that gave an
  applicable status to the question in both cycles (``Pairs``).
"""
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
import json

from sqlalchemy import Integer, String, Text, and_, case, cast, column, func, or_, select, values

from reporting.countries.groupings import regional_group, scope_key
from reporting.countries.services import country_scopes
from reporting.extensions import db
from reporting.models import Answer, Country, Submission
from reporting.questionnaire.scale import STATUS_VALUES

WORLD_M49 = 1  # UN M49 "World", named like the regions (countries/data/m49_regions.csv)
MIN_REPLIES = 5  # below this, "too few replies" instead of a share or a change
NOT_APPLICABLE, IMPLEMENTED = "not_applicable", "implemented"


@dataclass(frozen=True)
class Area:
    """The world, an M49 region or sub-region (code: M49 number), a regional group or a scope (code: its key)."""

    level: str  # "world", "region", "subregion", "regional_group" or "scope"
    code: int | str

    @property
    def m49(self) -> int | str:
        return self.code


WORLD = Area("world", WORLD_M49)


@dataclass
class StatusCounts:
    """How many responding Member States chose each status of the scale."""

    counts: dict[str, int] = field(default_factory=dict)

    @property
    def responding(self) -> int:
        return sum(self.counts.values())

    @property
    def applicable(self) -> int:
        """The base of every share: replies other than "not applicable"."""
        return self.responding - self.count(NOT_APPLICABLE)

    @property
    def enough(self) -> bool:
        return self.applicable >= MIN_REPLIES

    def count(self, status: str) -> int:
        return self.counts.get(status, 0)

    def share(self, *statuses: str) -> float | None:
        """Share of the applicable replies that chose one of ``statuses``; None without any."""
        if not self.applicable:
            return None
        return sum(self.count(status) for status in statuses if status != NOT_APPLICABLE) / self.applicable

    def reported_share(self, *statuses: str) -> float | None:
        """The share as published: None under ``MIN_REPLIES`` applicable replies."""
        return self.share(*statuses) if self.enough else None

    @classmethod
    def pooled(cls, parts: Iterable["StatusCounts"]) -> "StatusCounts":
        total: dict[str, int] = defaultdict(int)
        for part in parts:
            for status, n in part.counts.items():
                total[status] += n
        return cls(dict(total))


@dataclass(frozen=True)
class Pairs:
    """One question, like for like: the countries with an applicable status in both cycles."""

    countries: int = 0
    implemented_before: int = 0
    implemented_now: int = 0

    @property
    def enough(self) -> bool:
        return self.countries >= MIN_REPLIES

    @property
    def change(self) -> float | None:
        """Change of the share implemented over the same countries, in percentage points; None under the minimum."""
        if not self.enough:
            return None
        return 100 * (self.implemented_now - self.implemented_before) / self.countries

    def __add__(self, other: "Pairs") -> "Pairs":
        return Pairs(self.countries + other.countries, self.implemented_before + other.implemented_before,
                     self.implemented_now + other.implemented_now)


@dataclass(frozen=True)
class NumberStats:
    count: int
    total: float
    median: float
    minimum: float
    maximum: float


@dataclass(frozen=True)
class Coverage:
    member_states: int
    reporting: int

    @property
    def rate(self) -> float | None:
        return self.reporting / self.member_states if self.member_states else None


@dataclass
class Figures:
    """One cycle's figures, by question key and area."""

    coverage: dict[Area, Coverage]
    status: dict[str, dict[Area, StatusCounts]]
    numbers: dict[str, dict[Area, NumberStats]]
    choices: dict[str, dict[Area, Counter]] = field(default_factory=dict)  # value → countries; "n" → base


class Geography:
    """Which areas each Member State counts in, as cells (see the module docstring)."""

    def __init__(self, countries: Iterable[Country], scopes: Iterable[tuple[str, ...]] = ()):
        regional = [tuple(scope) for scope in dict.fromkeys(scopes) if "global" not in scope]
        self.areas: list[Area] = []
        self.country_areas: dict[int, tuple[Area, ...]] = {}
        self.members: Counter = Counter()
        cells: dict[tuple[Area, ...], int] = {}
        self.country_cell: dict[int, int] = {}
        for country in countries:
            areas = [WORLD, Area("region", country.region_m49), Area("subregion", country.subregion_m49)]
            group = regional_group(country)
            if group:
                areas.append(Area("regional_group", group))
            own = country_scopes(country)
            areas += [Area("scope", scope_key(scope)) for scope in regional if own.intersection(scope)]
            key = tuple(areas)
            self.country_areas[country.id] = key
            self.country_cell[country.id] = cells.setdefault(key, len(cells))
            self.members.update(areas)
        self.cell_areas = {cell: areas for areas, cell in cells.items()}
        self.area_ids = {area: index for index, area in enumerate(dict.fromkeys(
            area for areas in cells for area in areas))}
        self.areas = list(self.area_ids)

    @classmethod
    def of_member_states(cls, scopes: Iterable[tuple[str, ...]] = ()) -> "Geography":
        return cls(db.session.scalars(select(Country).where(Country.is_member_state).order_by(Country.id)), scopes)

    def country_table(self):
        return values(column("country_id", Integer), column("cell", Integer), name="country_cells").data(
            list(self.country_cell.items()) or [(-1, -1)]).cte("country_cells")

    def area_table(self):
        rows = [(cell, self.area_ids[area]) for cell, areas in self.cell_areas.items() for area in areas]
        return values(column("cell", Integer), column("area", Integer), name="cell_areas").data(rows or [(-1, -1)]).cte("cell_areas")

    def area(self, area_id: int) -> Area:
        return self.areas[area_id]


def aggregate(cycle_id: int, states: tuple[str, ...], status_keys: list[str], number_keys: list[str],
              geography: Geography, choice_keys: list[str] = ()) -> Figures:
    """All figures of one cycle, counting the submissions in ``states``."""
    return Figures(
        coverage=_coverage(cycle_id, states, geography),
        status=_status(cycle_id, states, status_keys, geography),
        numbers=_numbers(cycle_id, states, number_keys, geography),
        choices=_choices(cycle_id, states, list(choice_keys), geography),
    )


def _counted(cycle_id: int, states: tuple[str, ...], cells, keys: list[str]):
    """The answers to ``keys`` in the counted submissions of Member States, with each country's cell."""
    return (
        select()
        .select_from(Answer)
        .join(Submission, Submission.id == Answer.submission_id)
        .join(cells, cells.c.country_id == Submission.country_id)
        .where(Submission.cycle_id == cycle_id, Submission.state.in_(states), Answer.key.in_(keys))
    )


def _coverage(cycle_id: int, states: tuple[str, ...], geography: Geography) -> dict[Area, Coverage]:
    cells, areas = geography.country_table(), geography.area_table()
    fine = (
        select(cells.c.cell, func.count(Submission.id).label("n"))
        .select_from(Submission).join(cells, cells.c.country_id == Submission.country_id)
        .where(Submission.cycle_id == cycle_id, Submission.state.in_(states))
        .group_by(cells.c.cell).cte("fine")
    )
    reporting = dict(db.session.execute(
        select(areas.c.area, func.sum(fine.c.n)).join(areas, areas.c.cell == fine.c.cell).group_by(areas.c.area)).all())
    # int(): PostgreSQL sums integers as NUMERIC.
    return {area: Coverage(geography.members[area], int(reporting.get(geography.area_ids[area], 0)))
            for area in geography.areas}


def _status(cycle_id: int, states: tuple[str, ...], keys: list[str], geography: Geography) -> dict[str, dict[Area, StatusCounts]]:
    if not keys:
        return {}
    cells, areas = geography.country_table(), geography.area_table()
    status = Answer.value[()].as_string()
    fine = (
        _counted(cycle_id, states, cells, keys)
        .add_columns(Answer.key, status.label("status"), cells.c.cell, func.count().label("n"))
        .where(status.in_(STATUS_VALUES))
        .group_by(Answer.key, status, cells.c.cell)
        .cte("fine")
    )
    rolled = (select(fine.c.key, fine.c.status, areas.c.area, func.sum(fine.c.n).label("n"))
              .join(areas, areas.c.cell == fine.c.cell).group_by(fine.c.key, fine.c.status, areas.c.area))
    result: dict[str, dict[Area, StatusCounts]] = defaultdict(lambda: defaultdict(StatusCounts))
    for row in db.session.execute(rolled):
        result[row.key][geography.area(row.area)].counts[row.status] = int(row.n)
    return {key: dict(by_area) for key, by_area in result.items()}


def _choices(cycle_id: int, states: tuple[str, ...], keys: list[str], geography: Geography) -> dict[str, dict[Area, Counter]]:
    """Countries per chosen value of single- and multiple-choice questions, and the base ``"n"``
    (countries that answered). SQL groups by the JSON text of the answer — few distinct texts —
    and a multiple choice's list is split here, over that small result."""
    if not keys:
        return {}
    cells, areas = geography.country_table(), geography.area_table()
    text = cast(Answer.value, Text)
    fine = (
        _counted(cycle_id, states, cells, keys)
        .add_columns(Answer.key, text.label("value"), cells.c.cell, func.count().label("n"))
        .where(Answer.value.is_not(None))
        .group_by(Answer.key, text, cells.c.cell)
        .cte("fine")
    )
    rolled = (select(fine.c.key, fine.c.value, areas.c.area, func.sum(fine.c.n).label("n"))
              .join(areas, areas.c.cell == fine.c.cell).group_by(fine.c.key, fine.c.value, areas.c.area))
    result: dict[str, dict[Area, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for row in db.session.execute(rolled):
        value = json.loads(row.value)
        chosen = value if isinstance(value, list) else [value]
        if not chosen:
            continue
        counter = result[row.key][geography.area(row.area)]
        counter["n"] += int(row.n)
        for item in dict.fromkeys(str(choice) for choice in chosen):
            counter[item] += int(row.n)
    return {key: dict(by_area) for key, by_area in result.items()}


def _numbers(cycle_id: int, states: tuple[str, ...], keys: list[str], geography: Geography) -> dict[str, dict[Area, NumberStats]]:
    """Count, sum, median, minimum and maximum of numeric answers; the median by ranking
    the values with window functions (portable, where ``percentile_cont`` is not)."""
    if not keys:
        return {}
    cells, areas = geography.country_table(), geography.area_table()
    number = Answer.value[()].as_float()
    values_ = (
        _counted(cycle_id, states, cells, keys)
        .add_columns(Answer.key, number.label("v"), cells.c.cell)
        .where(number.is_not(None))
        .cte("answer_values")
    )
    window = {"partition_by": (values_.c.key, areas.c.area)}
    ranked = (
        select(values_.c.key, values_.c.v, areas.c.area,
               func.row_number().over(order_by=values_.c.v, **window).label("rank"),
               func.count().over(**window).label("size"))
        .join(areas, areas.c.cell == values_.c.cell)
        .subquery()
    )
    middle = or_(ranked.c.rank == (ranked.c.size + 1) // 2, ranked.c.rank == (ranked.c.size + 2) // 2)
    query = (
        select(ranked.c.area, ranked.c.key, func.count().label("count"), func.sum(ranked.c.v).label("total"),
               func.avg(case((middle, ranked.c.v))).label("median"), func.min(ranked.c.v).label("minimum"),
               func.max(ranked.c.v).label("maximum"))
        .group_by(ranked.c.area, ranked.c.key)
    )
    result: dict[str, dict[Area, NumberStats]] = defaultdict(dict)
    for row in db.session.execute(query):
        result[row.key][geography.area(row.area)] = NumberStats(
            row.count, row.total, row.median, row.minimum, row.maximum)
    return dict(result)


def like_for_like(cycle_id: int, states: tuple[str, ...], previous_id: int, previous_states: tuple[str, ...],
                  mapping: Mapping[str, tuple[str, ...]], geography: Geography) -> dict[str, dict[Area, Pairs]]:
    """Per question and area, the countries with an applicable status in both cycles and how many of
    them reported it implemented before and now.

    ``mapping`` gives, for each question of this cycle, the question(s) of the previous cycle it
    continues (``questionnaire.diff.question_mapping``). A country's previous status for a question
    that continues several is their common status when all were answered alike, else none.
    """
    rows = [(new, old, len(olds)) for new, olds in mapping.items() for old in olds]
    if not rows:
        return {}
    cells, areas = geography.country_table(), geography.area_table()
    links = values(column("new_key", String), column("old_key", String), column("olds", Integer),
                   name="links").data(rows).cte("links")
    status = Answer.value[()].as_string()
    before = (
        select(Submission.country_id, links.c.new_key, func.min(status).label("low"), func.max(status).label("high"),
               func.count().label("answered"), func.max(links.c.olds).label("olds"))
        .select_from(Answer)
        .join(Submission, Submission.id == Answer.submission_id)
        .join(links, links.c.old_key == Answer.key)
        .where(Submission.cycle_id == previous_id, Submission.state.in_(previous_states), status.in_(STATUS_VALUES))
        .group_by(Submission.country_id, links.c.new_key)
        .cte("before")
    )
    now = (
        _counted(cycle_id, states, cells, list(mapping))
        .add_columns(Submission.country_id, Answer.key, status.label("status"), cells.c.cell)
        .where(status.in_(STATUS_VALUES), status != NOT_APPLICABLE)
        .cte("now")
    )
    fine = (
        select(now.c.key, now.c.cell, func.count().label("countries"),
               func.sum(case((before.c.low == IMPLEMENTED, 1), else_=0)).label("before"),
               func.sum(case((now.c.status == IMPLEMENTED, 1), else_=0)).label("now"))
        .join(before, and_(before.c.country_id == now.c.country_id, before.c.new_key == now.c.key))
        .where(before.c.low == before.c.high, before.c.answered == before.c.olds, before.c.low != NOT_APPLICABLE)
        .group_by(now.c.key, now.c.cell)
        .cte("fine")
    )
    rolled = (select(fine.c.key, areas.c.area, func.sum(fine.c.countries).label("countries"),
                     func.sum(fine.c.before).label("before"), func.sum(fine.c.now).label("now"))
              .join(areas, areas.c.cell == fine.c.cell).group_by(fine.c.key, areas.c.area))
    result: dict[str, dict[Area, Pairs]] = defaultdict(dict)
    for row in db.session.execute(rolled):
        result[row.key][geography.area(row.area)] = Pairs(int(row.countries), int(row.before), int(row.now))
    return dict(result)

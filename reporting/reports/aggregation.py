"""The cycle's figures, computed in SQL: a few GROUP BY statements, not Python
loops over answers, so 193 countries × hundreds of questions stay well under a
second on SQLite and PostgreSQL alike.

Every figure is wanted for many areas at once — the world, M49 regions and
sub-regions, the Commission's regional groups, the register's regional scopes —
and the areas overlap. ``Geography`` sorts the Member States into *cells*
(countries that fall into exactly the same areas) and passes SQL country → cell
(a CASE expression) and cell → area (a small table). Each statement groups the
answers once by cell, then joins that small result to the areas and sums, so
the answers are read once whatever the number of groupings. Only Member States are in the
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

from sqlalchemy import Integer, String, Text, and_, case, cast, column, func, null, or_, select, values
from sqlalchemy.orm import aliased

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


class Cells:
    """Member States sorted into cells of countries that fall into exactly the same areas."""

    def __init__(self, country_areas: dict[int, tuple[Area, ...]]):
        cells: dict[tuple[Area, ...], int] = {}
        self.country_cell = {country_id: cells.setdefault(areas, len(cells))
                             for country_id, areas in country_areas.items() if areas}
        self.cell_areas = {cell: areas for areas, cell in cells.items()}
        self.areas = list(dict.fromkeys(area for areas in cells for area in areas))
        self.area_ids = {area: index for index, area in enumerate(self.areas)}

    def cell_of(self, country_id):
        """The cell of the country in ``country_id``; NULL for a country in none (not a Member State).

        A CASE over the country ids rather than a joined table: SQLite has no index on a VALUES
        table, and looking the cell up per answer this way costs less than joining."""
        if not self.country_cell:  # typed: PostgreSQL refuses a bare NULL constant in GROUP BY
            return cast(null(), Integer)
        return case(self.country_cell, value=country_id, else_=None)

    def area_table(self):
        rows = [(cell, self.area_ids[area]) for cell, areas in self.cell_areas.items() for area in areas]
        return values(column("cell", Integer), column("area", Integer), name="cell_areas").data(
            rows or [(-1, -1)]).cte("cell_areas")

    def area(self, area_id: int) -> Area:
        return self.areas[area_id]


class Geography:
    """Which areas each Member State counts in (see the module docstring).

    Two sets of cells: ``base`` (world, M49 region and sub-region, regional group) for every
    question, and ``scoped`` (the register's regional scopes) for the questions of regional
    modules only: splitting every cell by scope would multiply the rows the aggregation groups."""

    def __init__(self, countries: Iterable[Country], scopes: Iterable[tuple[str, ...]] = ()):
        regional = [tuple(scope) for scope in dict.fromkeys(scopes) if "global" not in scope]
        self.country_areas: dict[int, tuple[Area, ...]] = {}
        self.members: Counter = Counter()
        base, scoped = {}, {}
        for country in countries:
            areas = [WORLD, Area("region", country.region_m49), Area("subregion", country.subregion_m49)]
            group = regional_group(country)
            if group:
                areas.append(Area("regional_group", group))
            own = country_scopes(country)
            in_scopes = tuple(Area("scope", scope_key(scope)) for scope in regional if own.intersection(scope))
            base[country.id], scoped[country.id] = tuple(areas), in_scopes
            self.country_areas[country.id] = (*areas, *in_scopes)
            self.members.update(self.country_areas[country.id])
        self.base, self.scoped = Cells(base), Cells(scoped)
        self.areas = self.base.areas + self.scoped.areas

    @classmethod
    def of_member_states(cls, scopes: Iterable[tuple[str, ...]] = ()) -> "Geography":
        return cls(db.session.scalars(select(Country).where(Country.is_member_state).order_by(Country.id)), scopes)


def _merged(first: dict, second: dict) -> dict:
    for key, by_area in second.items():
        first.setdefault(key, {}).update(by_area)
    return first


def aggregate(cycle_id: int, states: tuple[str, ...], status_keys: list[str], number_keys: list[str],
              geography: Geography, choice_keys: list[str] = (), regional_keys: Iterable[str] = ()) -> Figures:
    """All figures of one cycle, counting the submissions in ``states``; the regional scopes'
    figures only for ``regional_keys`` (the questions of regional modules)."""
    regional = set(regional_keys)

    def both(function, keys):
        keys = list(keys)
        return _merged(function(cycle_id, states, keys, geography.base),
                       function(cycle_id, states, [key for key in keys if key in regional], geography.scoped))

    return Figures(
        coverage={**_coverage(cycle_id, states, geography.base, geography.members),
                  **_coverage(cycle_id, states, geography.scoped, geography.members)},
        status=both(_status, status_keys),
        numbers=both(_numbers, number_keys),
        choices=both(_choices, choice_keys),
    )


def _counted(cycle_id: int, states: tuple[str, ...], cell, keys: list[str]):
    """The answers to ``keys`` in the counted submissions of Member States (``cell`` not null)."""
    return (
        select()
        .select_from(Answer)
        .join(Submission, Submission.id == Answer.submission_id)
        .where(Submission.cycle_id == cycle_id, Submission.state.in_(states), Answer.key.in_(keys),
               cell.is_not(None))
    )


def _coverage(cycle_id: int, states: tuple[str, ...], cells: Cells, members: Counter) -> dict[Area, Coverage]:
    cell, areas = cells.cell_of(Submission.country_id).label("cell"), cells.area_table()
    fine = (
        select(cell, func.count(Submission.id).label("n"))
        .where(Submission.cycle_id == cycle_id, Submission.state.in_(states), cell.is_not(None))
        .group_by(cell).cte("fine")
    )
    reporting = dict(db.session.execute(
        select(areas.c.area, func.sum(fine.c.n)).join(areas, areas.c.cell == fine.c.cell).group_by(areas.c.area)).all())
    # int(): PostgreSQL sums integers as NUMERIC.
    return {area: Coverage(members[area], int(reporting.get(cells.area_ids[area], 0))) for area in cells.areas}


def _status(cycle_id: int, states: tuple[str, ...], keys: list[str], cells: Cells) -> dict[str, dict[Area, StatusCounts]]:
    if not keys:
        return {}
    cell, areas = cells.cell_of(Submission.country_id).label("cell"), cells.area_table()
    status = Answer.value[()].as_string()
    fine = (
        _counted(cycle_id, states, cell, keys)
        .add_columns(Answer.key, status.label("status"), cell, func.count().label("n"))
        .where(status.in_(STATUS_VALUES))
        .group_by(Answer.key, status, cell)
        .cte("fine")
    )
    rolled = (select(fine.c.key, fine.c.status, areas.c.area, func.sum(fine.c.n).label("n"))
              .join(areas, areas.c.cell == fine.c.cell).group_by(fine.c.key, fine.c.status, areas.c.area))
    result: dict[str, dict[Area, StatusCounts]] = defaultdict(lambda: defaultdict(StatusCounts))
    for row in db.session.execute(rolled):
        result[row.key][cells.area(row.area)].counts[row.status] = int(row.n)
    return {key: dict(by_area) for key, by_area in result.items()}


def _choices(cycle_id: int, states: tuple[str, ...], keys: list[str], cells: Cells) -> dict[str, dict[Area, Counter]]:
    """Countries per chosen value of single- and multiple-choice questions, and the base ``"n"``
    (countries that answered). SQL groups by the JSON text of the answer — few distinct texts —
    and a multiple choice's list is split here, over that small result."""
    if not keys:
        return {}
    cell, areas = cells.cell_of(Submission.country_id).label("cell"), cells.area_table()
    text = cast(Answer.value, Text)
    fine = (
        _counted(cycle_id, states, cell, keys)
        .add_columns(Answer.key, text.label("value"), cell, func.count().label("n"))
        .where(Answer.value.is_not(None))
        .group_by(Answer.key, text, cell)
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
        counter = result[row.key][cells.area(row.area)]
        counter["n"] += int(row.n)
        for item in dict.fromkeys(str(choice) for choice in chosen):
            counter[item] += int(row.n)
    return {key: dict(by_area) for key, by_area in result.items()}


def _numbers(cycle_id: int, states: tuple[str, ...], keys: list[str], cells: Cells) -> dict[str, dict[Area, NumberStats]]:
    """Count, sum, median, minimum and maximum of numeric answers; the median by ranking
    the values with window functions (portable, where ``percentile_cont`` is not)."""
    if not keys:
        return {}
    cell, areas = cells.cell_of(Submission.country_id).label("cell"), cells.area_table()
    number = Answer.value[()].as_float()
    values_ = (
        _counted(cycle_id, states, cell, keys)
        .add_columns(Answer.key, number.label("v"), cell)
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
        result[row.key][cells.area(row.area)] = NumberStats(
            row.count, row.total, row.median, row.minimum, row.maximum)
    return dict(result)


APPLICABLE = tuple(value for value in STATUS_VALUES if value != NOT_APPLICABLE)


def like_for_like(cycle_id: int, states: tuple[str, ...], previous_id: int, previous_states: tuple[str, ...],
                  mapping: Mapping[str, tuple[str, ...]], geography: Geography,
                  regional_keys: Iterable[str] = ()) -> dict[str, dict[Area, Pairs]]:
    """Per question and area, the countries with an applicable status in both cycles and how many of
    them reported it implemented before and now.

    ``mapping`` gives, for each question of this cycle, the question(s) of the previous cycle it
    continues (``questionnaire.diff.question_mapping``). A question that keeps its key is paired
    answer to answer through the answers' unique (submission, key) index; a country's previous
    status for a question that continues others is their common status when all were answered
    alike, else none.
    """
    regional = set(regional_keys)
    result: dict[str, dict[Area, Pairs]] = {}
    for cells, keys in ((geography.base, list(mapping)), (geography.scoped, [key for key in mapping if key in regional])):
        same = [key for key in keys if mapping[key] == (key,)]
        other = {key: mapping[key] for key in keys if mapping[key] != (key,)}
        fines = ([_same_key_pairs(cycle_id, states, previous_id, previous_states, same, cells)] if same else []) + \
                ([_mapped_pairs(cycle_id, states, previous_id, previous_states, other, cells)] if other else [])
        for fine in fines:
            areas = cells.area_table()
            rolled = (select(fine.c.key, areas.c.area, func.sum(fine.c.countries).label("countries"),
                             func.sum(fine.c.before).label("before"), func.sum(fine.c.now).label("now"))
                      .join(areas, areas.c.cell == fine.c.cell).group_by(fine.c.key, areas.c.area))
            for key, area, countries, before, now in db.session.execute(rolled):
                result.setdefault(key, {})[cells.area(area)] = Pairs(int(countries), int(before), int(now))
    return result


def _pair_counts(key, cell, before, now):
    return (key, cell, func.count().label("countries"),
            func.sum(case((before == IMPLEMENTED, 1), else_=0)).label("before"),
            func.sum(case((now == IMPLEMENTED, 1), else_=0)).label("now"))


def _same_key_pairs(cycle_id, states, previous_id, previous_states, keys, cells: Cells):
    """Per (question, cell): answer now joined to the same country's answer to the same key before."""
    earlier_submission, earlier = aliased(Submission), aliased(Answer)
    cell = cells.cell_of(Submission.country_id).label("cell")
    now, before = Answer.value[()].as_string(), earlier.value[()].as_string()
    return (
        _counted(cycle_id, states, cell, keys)
        .add_columns(*_pair_counts(Answer.key, cell, before, now))
        .join(earlier_submission, and_(earlier_submission.country_id == Submission.country_id,
                                       earlier_submission.cycle_id == previous_id,
                                       earlier_submission.state.in_(previous_states)))
        .join(earlier, and_(earlier.submission_id == earlier_submission.id, earlier.key == Answer.key))
        .where(now.in_(APPLICABLE), before.in_(APPLICABLE))
        .group_by(Answer.key, cell)
        .cte("fine")
    )


def _mapped_pairs(cycle_id, states, previous_id, previous_states, mapping, cells: Cells):
    """Per (question, cell), for questions that continue other keys (another version of the questionnaire)."""
    rows = [(new, old, len(olds)) for new, olds in mapping.items() for old in olds]
    links = values(column("new_key", String), column("old_key", String), column("olds", Integer),
                   name="links").data(rows).cte("links")
    status = Answer.value[()].as_string()
    before = (
        select(Submission.country_id, links.c.new_key, func.min(status).label("low"), func.max(status).label("high"),
               func.count().label("answered"), func.max(links.c.olds).label("olds"))
        .select_from(Answer)
        .join(Submission, Submission.id == Answer.submission_id)
        .join(links, links.c.old_key == Answer.key)
        .where(Submission.cycle_id == previous_id, Submission.state.in_(previous_states),
               Answer.key.in_(sorted({old for _new, old, _n in rows})), status.in_(STATUS_VALUES))
        .group_by(Submission.country_id, links.c.new_key)
        .cte("before")
    )
    cell = cells.cell_of(Submission.country_id).label("cell")
    now = (
        _counted(cycle_id, states, cell, list(mapping))
        .add_columns(Submission.country_id, Answer.key, status.label("status"), cell)
        .where(status.in_(APPLICABLE))
        .cte("now")
    )
    return (
        select(*_pair_counts(now.c.key, now.c.cell, before.c.low, now.c.status))
        .join(before, and_(before.c.country_id == now.c.country_id, before.c.new_key == now.c.key))
        .where(before.c.low == before.c.high, before.c.answered == before.c.olds, before.c.low != NOT_APPLICABLE)
        .group_by(now.c.key, now.c.cell)
        .cte("fine")
    )

"""The cycle's figures, computed in SQL: a few GROUP BY statements, not Python
loops over answers, so 193 countries × hundreds of questions stay well under a
second on SQLite and PostgreSQL alike.

Each statement groups once at the finest level (M49 sub-region) and sums that
small result up to regions and the world in the same statement, so the answers
are read once. Only Member States count; which submissions count is the
caller's choice (see ``services.counted_states``).
"""
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import CTE, ColumnElement, and_, case, func, literal, or_, select, union_all

from reporting.extensions import db
from reporting.models import Answer, Country, Submission
from reporting.questionnaire.scale import STATUS_VALUES

WORLD_M49 = 1  # UN M49 "World", named like the regions (countries/data/m49_regions.csv)


@dataclass(frozen=True)
class Area:
    """The world, an M49 region or an M49 sub-region."""

    level: str  # "world", "region" or "subregion"
    m49: int


WORLD = Area("world", WORLD_M49)


@dataclass
class StatusCounts:
    """How many responding Member States chose each status of the scale."""

    counts: dict[str, int] = field(default_factory=dict)

    @property
    def responding(self) -> int:
        return sum(self.counts.values())

    def count(self, status: str) -> int:
        return self.counts.get(status, 0)

    def share(self, *statuses: str) -> float | None:
        """Share of the responding Member States that chose one of ``statuses``; None without responses."""
        if not self.responding:
            return None
        return sum(self.count(status) for status in statuses) / self.responding

    @classmethod
    def pooled(cls, parts: Iterable["StatusCounts"]) -> "StatusCounts":
        """Answers to several questions counted together (a thematic area, a pillar)."""
        total: dict[str, int] = defaultdict(int)
        for part in parts:
            for status, n in part.counts.items():
                total[status] += n
        return cls(dict(total))


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


def aggregate(cycle_id: int, states: tuple[str, ...], status_keys: list[str], number_keys: list[str]) -> Figures:
    """All figures of one cycle, counting the submissions in ``states``."""
    return Figures(
        coverage=_coverage(cycle_id, states),
        status=_status(cycle_id, states, status_keys),
        numbers=_numbers(cycle_id, states, number_keys),
    )


def _levels(region: ColumnElement, subregion: ColumnElement) -> tuple[tuple[str, ColumnElement], ...]:
    return (("world", literal(WORLD_M49)), ("region", region), ("subregion", subregion))


def _rolled_up(fine: CTE, keys: tuple[str, ...], sums: tuple[str, ...]):
    """Sum a per-sub-region result up to every level, as rows (level, m49, *keys, *sums)."""
    parts = []
    for level, area in _levels(fine.c.region_m49, fine.c.subregion_m49):
        key_columns = [fine.c[key] for key in keys]
        parts.append(
            select(literal(level).label("level"), area.label("m49"), *key_columns,
                   *(func.sum(fine.c[name]).label(name) for name in sums))
            .group_by(*key_columns, *([] if level == "world" else [area]))
        )
    return union_all(*parts)


def _counted_answers(cycle_id: int, states: tuple[str, ...], keys: list[str]):
    """The answers to ``keys`` in the counted submissions of Member States (columns added by the caller)."""
    return (
        select()
        .select_from(Answer)
        .join(Submission, Submission.id == Answer.submission_id)
        .join(Country, Country.id == Submission.country_id)
        .where(Submission.cycle_id == cycle_id, Submission.state.in_(states), Country.is_member_state, Answer.key.in_(keys))
    )


def _coverage(cycle_id: int, states: tuple[str, ...]) -> dict[Area, Coverage]:
    fine = (
        select(Country.region_m49, Country.subregion_m49,
               func.count(Country.id).label("member_states"), func.count(Submission.id).label("reporting"))
        .outerjoin(Submission, and_(Submission.country_id == Country.id, Submission.cycle_id == cycle_id,
                                    Submission.state.in_(states)))
        .where(Country.is_member_state)
        .group_by(Country.region_m49, Country.subregion_m49)
        .cte("fine")
    )
    rows = db.session.execute(_rolled_up(fine, (), ("member_states", "reporting")))
    # int(): PostgreSQL sums integers as NUMERIC.
    return {Area(row.level, row.m49): Coverage(int(row.member_states), int(row.reporting)) for row in rows}


def _status(cycle_id: int, states: tuple[str, ...], keys: list[str]) -> dict[str, dict[Area, StatusCounts]]:
    if not keys:
        return {}
    status = Answer.value[()].as_string()
    fine = (
        _counted_answers(cycle_id, states, keys)
        .add_columns(Answer.key, status.label("status"), Country.region_m49, Country.subregion_m49,
                     func.count().label("n"))
        .where(status.in_(STATUS_VALUES))
        .group_by(Answer.key, status, Country.region_m49, Country.subregion_m49)
        .cte("fine")
    )
    result: dict[str, dict[Area, StatusCounts]] = defaultdict(lambda: defaultdict(StatusCounts))
    for row in db.session.execute(_rolled_up(fine, ("key", "status"), ("n",))):
        result[row.key][Area(row.level, row.m49)].counts[row.status] = int(row.n)
    return {key: dict(areas) for key, areas in result.items()}


def _numbers(cycle_id: int, states: tuple[str, ...], keys: list[str]) -> dict[str, dict[Area, NumberStats]]:
    """Count, sum, median, minimum and maximum of numeric answers; the median by ranking
    the values with window functions (portable, where ``percentile_cont`` is not)."""
    if not keys:
        return {}
    number = Answer.value[()].as_float()
    values = (
        _counted_answers(cycle_id, states, keys)
        .add_columns(Answer.key, number.label("v"), Country.region_m49, Country.subregion_m49)
        .where(number.is_not(None))
        .cte("answer_values")
    )
    parts = []
    for level, area in _levels(values.c.region_m49, values.c.subregion_m49):
        window = {"partition_by": (values.c.key, area)}
        ranked = select(
            literal(level).label("level"), area.label("m49"), values.c.key, values.c.v,
            func.row_number().over(order_by=values.c.v, **window).label("rank"),
            func.count().over(**window).label("size"),
        ).subquery()
        middle = or_(ranked.c.rank == (ranked.c.size + 1) // 2, ranked.c.rank == (ranked.c.size + 2) // 2)
        parts.append(
            select(ranked.c.level, ranked.c.m49, ranked.c.key, func.count().label("count"),
                   func.sum(ranked.c.v).label("total"), func.avg(case((middle, ranked.c.v))).label("median"),
                   func.min(ranked.c.v).label("minimum"), func.max(ranked.c.v).label("maximum"))
            .group_by(ranked.c.level, ranked.c.m49, ranked.c.key)
        )
    result: dict[str, dict[Area, NumberStats]] = defaultdict(dict)
    for row in db.session.execute(union_all(*parts)):
        result[row.key][Area(row.level, row.m49)] = NumberStats(
            row.count, row.total, row.median, row.minimum, row.maximum)
    return dict(result)

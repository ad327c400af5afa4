"""The cycle's figures arranged as the reports read them: pillar → thematic area
→ commitment, with the commitment texts frozen in the cycle's spec, the change
against the previous cycle, and the countries' own answers for their profiles.

Everything here is plain picklable data, computed once in the parent process
and shipped to the rendering workers, which never touch the database.
"""
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, select

from forms.spec import Section as SpecSection, Spec
from reporting.countries.services import country_scopes
from reporting.extensions import db
from reporting.models import Answer, Country, Cycle, Submission
from reporting.questionnaire.scale import STATUS_VALUES
from reporting.reports.aggregation import WORLD, Area, Coverage, Figures, NumberStats, StatusCounts, aggregate
from reporting.reports.indicators import IndicatorContent, indicator_content
from reporting.reports.services import counted_states, is_draft
from reporting.responses.cycles import previous_cycle

IMPLEMENTED = "implemented"
FREE_TEXT_KINDS = ("text", "url")
# Africa, Americas, Asia, Europe, Oceania: the order of UN regional tables.
REGION_ORDER = (2, 19, 142, 150, 9)


def _change(now: StatusCounts, before: StatusCounts) -> float | None:
    """Change of the share implemented, in percentage points."""
    if not now.responding or not before.responding:
        return None
    return 100 * (now.share(IMPLEMENTED) - before.share(IMPLEMENTED))


@dataclass
class CommitmentRow:
    id: str
    key: str  # its status question
    record: dict[str, Any]  # document, label, title, text, as the spec froze them
    regional: bool
    member_states: dict[Area, int]  # Member States it applies to, per area: the response rate's base
    figures: dict[Area, StatusCounts]
    previous: dict[Area, StatusCounts] | None  # None: the question was not asked in the previous cycle
    details: list[tuple[str, str]] = field(default_factory=list)  # (label, key) of its text and link questions

    @property
    def title(self) -> str:
        return self.record["title"]

    def at(self, area: Area) -> StatusCounts:
        return self.figures.get(area) or StatusCounts()

    def before(self, area: Area = WORLD) -> StatusCounts | None:
        return None if self.previous is None else self.previous.get(area) or StatusCounts()

    def response_rate(self, area: Area = WORLD) -> float | None:
        base = self.member_states.get(area)
        return self.at(area).responding / base if base else None

    @property
    def change(self) -> float | None:
        before = self.before()
        return None if before is None else _change(self.at(WORLD), before)


@dataclass
class IndicatorRow:
    key: str
    commitment: str
    record: dict[str, Any] | None  # the commitment as the spec froze it, for its reference
    label: str
    unit: str | None
    figures: dict[Area, NumberStats]
    previous: dict[Area, NumberStats] | None

    def at(self, area: Area) -> NumberStats | None:
        return self.figures.get(area)


@dataclass
class Group:
    """A thematic area or a pillar: its answers counted together."""

    key: str
    title: str
    commitments: list[CommitmentRow]

    def at(self, area: Area) -> StatusCounts:
        return StatusCounts.pooled(row.at(area) for row in self.commitments)

    def trend(self) -> tuple[StatusCounts, StatusCounts] | None:
        """(previous, current) counts over the questions asked in both cycles; None if there are none."""
        both = [row for row in self.commitments if row.previous is not None]
        if not both:
            return None
        return StatusCounts.pooled(row.before() for row in both), StatusCounts.pooled(row.at(WORLD) for row in both)

    @property
    def change(self) -> float | None:
        trend = self.trend()
        return None if trend is None else _change(trend[1], trend[0])


@dataclass
class Section(Group):
    chapter: int | None = None
    regional: bool = False
    indicators: list[IndicatorRow] = field(default_factory=list)
    comments_key: str | None = None


@dataclass
class Pillar(Group):
    sections: list[Section] = field(default_factory=list)


@dataclass(frozen=True)
class Place:
    """A country as the templates need it (names come from CLDR at render time)."""

    iso2: str
    iso3: str
    region_m49: int
    subregion_m49: int


@dataclass
class CountryResponse:
    place: Place
    state: str | None  # the submission's state; None when the country has none this cycle
    counted: bool
    answers: dict[str, Any]

    def status_counts(self, rows: list[CommitmentRow]) -> StatusCounts:
        """The country's own statuses over ``rows``, to set beside its region and the world."""
        return StatusCounts(dict(Counter(self.answers[row.key] for row in rows if self.answers.get(row.key) in STATUS_VALUES)))


@dataclass
class ReportContent:
    cycle: str
    deadline: date
    state: str
    draft: bool
    demo: bool
    report_date: date
    previous_cycle: str | None
    spec_title: str
    spec_version: str
    coverage: dict[Area, Coverage]
    previous_coverage: dict[Area, Coverage] | None
    regions: list[tuple[Area, list[Area]]]  # each M49 region with its sub-regions
    pillars: list[Pillar]
    reporting: list[Place]  # Member States whose response is counted
    indicators: IndicatorContent = field(default_factory=IndicatorContent)  # the table questions' figures

    @property
    def world(self) -> Group:
        return Group("world", "", [row for pillar in self.pillars for row in pillar.commitments])

    @property
    def sections(self) -> list[Section]:
        return [section for pillar in self.pillars for section in pillar.sections]


def _place(country: Country) -> Place:
    return Place(country.iso2, country.iso3, country.region_m49, country.subregion_m49)


def _areas_of(place: Place) -> tuple[Area, Area, Area]:
    return WORLD, Area("region", place.region_m49), Area("subregion", place.subregion_m49)


def _member_states(countries: list[Country], scope: tuple[str, ...]) -> dict[Area, int]:
    """Member States per area that a section with ``scope`` applies to (groups such as EU or CELAC
    are defined in the countries' data, not in SQL, hence counted here over 193 rows)."""
    counts: Counter = Counter()
    for country in countries:
        if "global" in scope or country_scopes(country).intersection(scope):
            counts.update(_areas_of(_place(country)))
    return dict(counts)


def _regions(countries: list[Country]) -> list[tuple[Area, list[Area]]]:
    pairs = {(country.region_m49, country.subregion_m49) for country in countries}
    return [
        (Area("region", region), [Area("subregion", sub) for sub in sorted(s for r, s in pairs if r == region)])
        for region in REGION_ORDER
    ]


def _section(spec: Spec, section: SpecSection, figures: Figures, previous: Figures | None,
             member_states: dict[Area, int]) -> Section:
    regional = "global" not in section.scope
    commitments = []
    for item in section.status_items:
        cid = item["commitments"][0]
        commitments.append(CommitmentRow(
            id=cid,
            key=item["key"],
            record=spec.commitments[cid],
            regional=regional,
            member_states=member_states,
            figures=figures.status.get(item["key"], {}),
            previous=previous.status.get(item["key"]) if previous else None,
            details=[(detail["label"], detail["key"]) for detail in section.items
                     if detail["kind"] in FREE_TEXT_KINDS and detail["commitments"][:1] == [cid]],
        ))
    indicators = [
        IndicatorRow(
            key=item["key"],
            commitment=item["commitments"][0],
            record=spec.commitments.get(item["commitments"][0]),
            label=item["label"],
            unit=item["number"].get("unit"),
            figures=figures.numbers.get(item["key"], {}),
            previous=previous.numbers.get(item["key"]) if previous else None,
        )
        for item in section.items if item["kind"] == "number"
    ]
    comments = [item["key"] for item in section.items if item["kind"] == "comment"]
    return Section(section.key, section.title, commitments, chapter=section.chapter, regional=regional,
                   indicators=indicators, comments_key=comments[0] if comments else None)


def cycle_content(cycle: Cycle, today: date | None = None) -> ReportContent:
    """Everything the cycle report and the country profiles show, from a handful of queries."""
    spec = Spec(cycle.spec_version.content)
    items = spec.items_by_key.values()
    status_keys = [item["key"] for item in items if item["kind"] == "status"]
    number_keys = [item["key"] for item in items if item["kind"] == "number"]
    figures = aggregate(cycle.id, counted_states(cycle), status_keys, number_keys)
    before = previous_cycle(cycle)
    previous = aggregate(before.id, counted_states(before), status_keys, number_keys) if before else None
    members = list(db.session.scalars(select(Country).where(Country.is_member_state)))
    in_scope = {scope: _member_states(members, scope) for scope in {section.scope for section in spec.sections}}
    pillars: dict[str, Pillar] = {}
    for spec_section in spec.sections:
        section = _section(spec, spec_section, figures, previous, in_scope[spec_section.scope])
        pillar = pillars.setdefault(spec_section.pillar_key, Pillar(spec_section.pillar_key, spec_section.pillar_title, []))
        pillar.sections.append(section)
        pillar.commitments += section.commitments
    reporting = db.session.scalars(
        select(Country).join(Submission, Submission.country_id == Country.id)
        .where(Submission.cycle_id == cycle.id, Submission.state.in_(counted_states(cycle)), Country.is_member_state)
        .order_by(Country.iso3)
    )
    draft = is_draft(cycle)
    regions = _regions(members)
    return ReportContent(
        cycle=cycle.label,
        deadline=cycle.deadline,
        state=cycle.state,
        draft=draft,
        demo=cycle.is_demo,
        report_date=cycle.published_at.date() if cycle.published_at and not draft else (today or date.today()),
        previous_cycle=before.label if before else None,
        spec_title=spec.content["title"],
        spec_version=spec.version,
        coverage=figures.coverage,
        previous_coverage=previous.coverage if previous else None,
        regions=regions,
        pillars=list(pillars.values()),
        reporting=[_place(country) for country in reporting],
        indicators=indicator_content(cycle, [region for region, _subregions in regions]),
    )


def country_responses(cycle: Cycle, countries: list[Country]) -> list[CountryResponse]:
    """Each country's own answers, for its profile; answers of a response that does not count are left out."""
    counted = counted_states(cycle)
    rows = db.session.execute(
        select(Country.id, Submission.state, Answer.key, Answer.value)
        .select_from(Country)
        .outerjoin(Submission, and_(Submission.country_id == Country.id, Submission.cycle_id == cycle.id))
        .outerjoin(Answer, and_(Answer.submission_id == Submission.id, Submission.state.in_(counted)))
        .where(Country.id.in_([country.id for country in countries]))
    )
    states: dict[int, str | None] = {}
    answers: dict[int, dict[str, Any]] = {country.id: {} for country in countries}
    for country_id, state, key, value in rows:
        states[country_id] = state
        if key is not None:
            answers[country_id][key] = value
    return [
        CountryResponse(_place(country), states.get(country.id), states.get(country.id) in counted, answers[country.id])
        for country in countries
    ]

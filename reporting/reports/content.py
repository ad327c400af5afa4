"""The cycle's figures arranged as the reports read them: pillar → thematic area
→ policy question (a spec's status item, which may cover several commitments;
a commitment's status is its question's status), with like-for-like changes
against the previous cycle, the 2019 targets, the marked examples of measures
and the countries' own answers for their profiles.

Everything here is plain picklable data, computed once in the parent process
and shipped to the rendering workers (and to the web pages), which never touch
the database. The PDF and the HTML report read the same ``ReportContent``.
"""
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
import statistics
from typing import Any

from sqlalchemy import and_, select

from forms.spec import Section as SpecSection, Spec
from reporting.countries.groupings import REGIONAL_GROUP_NAMES, regional_groups, scope_key
from reporting.extensions import db
from reporting.models import Answer, Country, Cycle, MeasureExample, Submission, SubmissionState
from reporting.publication import policy
from reporting.questionnaire.diff import question_mapping
from reporting.questionnaire.scale import STATUS_VALUES
from reporting.reports.aggregation import (
    IMPLEMENTED, WORLD, Area, Coverage, Figures, Geography, NumberStats, Pairs, StatusCounts, aggregate, like_for_like,
)
from reporting.reports.indicators import IndicatorContent, indicator_content
from reporting.reports.services import counted_states, is_draft
from reporting.responses.cycles import previous_cycle

FREE_TEXT_KINDS = ("text", "url")
TREND_VALUES = ("decreased", "stable", "increased", "not_known")  # "not known" is reported as "no data"
# Africa, Americas, Asia, Europe, Oceania: the order of UN regional tables.
REGION_ORDER = (2, 19, 142, 150, 9)
LARGEST_CHANGES = 5


def _references(spec: Spec, item: dict) -> list[tuple[str, dict]]:
    return [(cid, spec.commitments[cid]) for cid in item["commitments"] if cid in spec.commitments]


@dataclass(frozen=True)
class Spread:
    """Shares of several questions at one area: their median, quartiles and range.

    ``questions`` counts only the questions with enough applicable replies; the others
    (``too_few``) are not part of any figure."""

    questions: int
    too_few: int
    median: float | None = None
    lower_quartile: float | None = None
    upper_quartile: float | None = None
    minimum: float | None = None
    maximum: float | None = None

    @classmethod
    def of(cls, shares: list[float | None]) -> "Spread":
        known = sorted(share for share in shares if share is not None)
        too_few = len(shares) - len(known)
        if not known:
            return cls(0, too_few)
        if len(known) == 1:
            lower = upper = known[0]
        else:
            lower, _middle, upper = statistics.quantiles(known, n=4, method="inclusive")
        return cls(len(known), too_few, statistics.median(known), lower, upper, known[0], known[-1])


@dataclass
class QuestionRow:
    """One policy question (a status item) and its figures."""

    key: str
    label: str  # the question's wording, an English msgid
    commitments: list[tuple[str, dict[str, Any]]]  # (id, record as the spec froze it)
    regional: bool
    member_states: dict[Area, int]  # Member States it applies to, per area: the response rate's base
    figures: dict[Area, StatusCounts]
    pairs: dict[Area, Pairs] | None  # None: a new question, not asked in the previous cycle
    measures_key: str | None = None  # its "measures taken" text question
    details: list[tuple[str, str]] = field(default_factory=list)  # (label, key) of its text and link questions

    @property
    def id(self) -> str:
        """The first commitment it covers: the reference printed beside it."""
        return self.commitments[0][0] if self.commitments else self.key

    @property
    def title(self) -> str:
        return self.label

    def at(self, area: Area) -> StatusCounts:
        return self.figures.get(area) or StatusCounts()

    def pairs_at(self, area: Area = WORLD) -> Pairs | None:
        return None if self.pairs is None else self.pairs.get(area, Pairs())

    def response_rate(self, area: Area = WORLD) -> float | None:
        base = self.member_states.get(area)
        return self.at(area).responding / base if base else None

    @property
    def change(self) -> float | None:
        pairs = self.pairs_at()
        return None if pairs is None else pairs.change


@dataclass
class IndicatorRow:
    key: str
    commitment: str
    record: dict[str, Any] | None  # the commitment as the spec froze it, for its reference
    label: str
    unit: str | None
    number_type: str  # integer, decimal, percent or year: years are never summed
    figures: dict[Area, NumberStats]
    previous: dict[Area, NumberStats] | None

    @property
    def summable(self) -> bool:
        """A sum means something for quantities (people, kilograms), not for years or percentages."""
        return self.number_type in ("integer", "decimal") and self.unit not in (None, "%")

    def at(self, area: Area) -> NumberStats | None:
        return self.figures.get(area)


@dataclass
class Group:
    """Questions read together: a thematic area, a pillar, an UNGASS chapter, the world."""

    key: str
    title: str
    commitments: list[QuestionRow]  # the questions (the name stays for the templates' sake)

    @property
    def questions(self) -> list[QuestionRow]:
        return self.commitments

    def at(self, area: Area) -> StatusCounts:
        """All replies to its questions counted together (the status distribution charts)."""
        return StatusCounts.pooled(row.at(area) for row in self.commitments)

    def spread(self, area: Area = WORLD, status: str = IMPLEMENTED) -> Spread:
        """The share reporting ``status``, per question, summarised over the questions."""
        return Spread.of([row.at(area).reported_share(status) for row in self.commitments])

    def paired(self) -> list[QuestionRow]:
        """Questions with enough countries answering both cycles to show a change."""
        return [row for row in self.commitments if row.change is not None]

    def trend(self) -> tuple[float, float, int] | None:
        """(median share implemented before, now, questions) over the paired questions, same countries each."""
        rows = self.paired()
        if not rows:
            return None
        before = statistics.median(row.pairs_at().implemented_before / row.pairs_at().countries for row in rows)
        now = statistics.median(row.pairs_at().implemented_now / row.pairs_at().countries for row in rows)
        return before, now, len(rows)

    @property
    def change(self) -> float | None:
        """Median over the paired questions of their like-for-like change, in percentage points."""
        rows = self.paired()
        return statistics.median(row.change for row in rows) if rows else None

    def largest_changes(self, count: int = LARGEST_CHANGES) -> list[QuestionRow]:
        return sorted(self.paired(), key=lambda row: (-abs(row.change), row.key))[:count]


@dataclass
class Example:
    """A country's "measures taken", marked by a compiler for the report; quoted as submitted."""

    iso2: str
    question: str  # the question's label (msgid)
    commitment: str
    text: str
    language: str  # the language it was written in (BCP 47)


@dataclass
class Section(Group):
    chapter: int | None = None
    regional: bool = False
    scope: str | None = None  # the scope area's key for a regional module
    indicators: list[IndicatorRow] = field(default_factory=list)
    comments_key: str | None = None
    examples: list[Example] = field(default_factory=list)


@dataclass
class Pillar(Group):
    sections: list[Section] = field(default_factory=list)

    @property
    def examples(self) -> list[Example]:
        return [example for section in self.sections for example in section.examples]


@dataclass
class TargetRow:
    """A dated target (e.g. Political Declaration 2009, para. 36): countries' trend and data sources."""

    key: str  # the trend question
    label: str  # the target's title
    commitments: list[tuple[str, dict[str, Any]]]
    trend: dict[Area, Counter]  # value → countries; "n" → countries answering
    sources_key: str | None
    source_choices: list[tuple[str, str]]  # (value, label msgid)
    sources: dict[Area, Counter]
    indicators: list[IndicatorRow]

    def trend_at(self, area: Area) -> Counter:
        return self.trend.get(area) or Counter()

    def sources_at(self, area: Area) -> Counter:
        return self.sources.get(area) or Counter()


@dataclass(frozen=True)
class Place:
    """A country as the templates need it (names are looked up at render time)."""

    iso2: str
    iso3: str
    region_m49: int
    subregion_m49: int


@dataclass
class CountryResponse:
    place: Place
    state: str | None  # the submission's state this cycle; None when the country has none
    counted: bool
    answers: dict[str, Any]  # the answers the profile shows (this cycle's, or the fallback's)
    answers_from: str | None = None  # the earlier cycle ``answers`` come from when this cycle has none counted
    previous: dict[str, Any] = field(default_factory=dict)  # statuses of its previous accepted submission, by question
    previous_from: str | None = None
    # A published profile prints none of its own words: it did not consent to their publication.
    words_withheld: bool = False

    def status_counts(self, rows: list[QuestionRow]) -> StatusCounts:
        """The country's own statuses over ``rows``, to set beside its region and the world."""
        return StatusCounts(dict(Counter(self.answers[row.key] for row in rows if self.answers.get(row.key) in STATUS_VALUES)))

    def changes(self, rows: list[QuestionRow]) -> list[tuple[QuestionRow, str, str]]:
        """(question, before, now) where its status differs from its previous accepted submission."""
        return [(row, self.previous[row.key], self.answers[row.key]) for row in rows
                if row.key in self.previous and self.answers.get(row.key) in STATUS_VALUES
                and self.answers[row.key] != self.previous[row.key]]


@dataclass
class ReportContent:
    cycle: str
    deadline: date
    state: str
    draft: bool
    demo: bool
    report_date: date
    previous_cycle: str | None
    previous_spec_version: str | None
    spec_title: str
    spec_version: str
    documents: list[str]  # document keys the questionnaire covers, in register order
    coverage: dict[Area, Coverage]
    previous_coverage: dict[Area, Coverage] | None
    regions: list[tuple[Area, list[Area]]]  # each M49 region with its sub-regions
    regional_groups: list[Area]
    scopes: list[Area]
    pillars: list[Pillar]
    targets: list[TargetRow]
    new_questions: int  # questions with nothing to compare in the previous cycle
    reporting: list[Place]  # Member States whose response is counted
    indicators: IndicatorContent = field(default_factory=IndicatorContent)  # the table questions' figures

    @property
    def world(self) -> Group:
        return Group("world", "", [row for pillar in self.pillars for row in pillar.commitments])

    @property
    def sections(self) -> list[Section]:
        return [section for pillar in self.pillars for section in pillar.sections]

    @property
    def chapters(self) -> list[Group]:
        """The questions by UNGASS chapter (1–7), across pillars."""
        chapters: dict[int, list[QuestionRow]] = {}
        for section in self.sections:
            if section.chapter:
                chapters.setdefault(section.chapter, []).extend(section.commitments)
        return [Group(str(number), str(number), rows) for number, rows in sorted(chapters.items()) if rows]

    @property
    def areas(self) -> list[Area]:
        """Every area of the tables and exports: world, regions and sub-regions, regional groups, scopes."""
        return [WORLD, *(area for region, subregions in self.regions for area in (region, *subregions)),
                *self.regional_groups, *self.scopes]

    def target_indicators(self, target: "TargetRow") -> list:
        """The indicator tables (quantitative core) on the commitments of a target: the figures that measure it."""
        covered = {cid for cid, _record in target.commitments}
        return [indicator for indicator in self.indicators.indicators if covered.intersection(indicator.commitments)]

    @property
    def has_replies(self) -> bool:
        return bool(self.coverage.get(WORLD) and self.coverage[WORLD].reporting)


def _place(country: Country) -> Place:
    return Place(country.iso2, country.iso3, country.region_m49, country.subregion_m49)


def _regions(countries: list[Country]) -> list[tuple[Area, list[Area]]]:
    pairs = {(country.region_m49, country.subregion_m49) for country in countries}
    return [
        (Area("region", region), [Area("subregion", sub) for sub in sorted(s for r, s in pairs if r == region)])
        for region in REGION_ORDER
    ]


def _member_states(geography: Geography, scope: tuple[str, ...]) -> dict[Area, int]:
    """Member States per area that a section with ``scope`` applies to."""
    if "global" in scope:
        return dict(geography.members)
    scope_area = Area("scope", scope_key(scope))
    counts: Counter = Counter()
    for areas in geography.country_areas.values():
        if scope_area in areas:
            counts.update(areas)
    return dict(counts)


def _indicator(spec: Spec, item: dict, figures: Figures, previous: Figures | None) -> IndicatorRow:
    number = item.get("number") or {}
    commitment = (item["commitments"] or [""])[0]
    return IndicatorRow(
        key=item["key"], commitment=commitment, record=spec.commitments.get(commitment), label=item["label"],
        unit=number.get("unit"),
        number_type=number.get("type", "decimal"), figures=figures.numbers.get(item["key"], {}),
        previous=previous.numbers.get(item["key"]) if previous else None)


def _section(spec: Spec, section: SpecSection, figures: Figures, previous: Figures | None,
             pairs: dict[str, dict[Area, Pairs]] | None, mapped: set[str], member_states: dict[Area, int]) -> Section:
    regional = "global" not in section.scope
    questions = []
    for item in section.status_items:
        covered = set(item["commitments"])
        details = [(detail["label"], detail["key"]) for detail in section.items
                   if detail["kind"] in FREE_TEXT_KINDS and detail["commitments"]
                   and set(detail["commitments"]) <= covered]
        measures = [key for label, key in details if key.endswith(".measures")]
        questions.append(QuestionRow(
            key=item["key"], label=item["label"], commitments=_references(spec, item), regional=regional,
            member_states=member_states, figures=figures.status.get(item["key"], {}),
            pairs=(pairs.get(item["key"], {}) if item["key"] in mapped else None) if pairs is not None else None,
            measures_key=measures[0] if measures else None, details=details,
        ))
    indicators = [_indicator(spec, item, figures, previous) for item in section.items if item["kind"] == "number"]
    comments = [item["key"] for item in section.items if item["kind"] == "comment"]
    return Section(section.key, section.title, questions, chapter=section.chapter, regional=regional,
                   scope=scope_key(section.scope) if regional else None, indicators=indicators,
                   comments_key=comments[0] if comments else None)


def _is_trend(item: dict) -> bool:
    return item["kind"] == "single_choice" and {choice["value"] for choice in item.get("choices", ())} == set(TREND_VALUES)


def _targets(spec: Spec, figures: Figures, previous: Figures | None) -> list[TargetRow]:
    """Every commitment with a dated target gets a trend question (and a data-sources question) in the spec."""
    targets = []
    items = list(spec.items_by_key.values())
    for item in items:
        if not _is_trend(item):
            continue
        covered = set(item["commitments"])
        related = [other for other in items if other is not item and covered.intersection(other["commitments"])]
        # its data-sources question: a multiple choice on the same commitments (not a checklist of measures)
        sources = [other for other in related if other["kind"] == "multiple_choice" and not other.get("checklist")]
        references = _references(spec, item)
        targets.append(TargetRow(
            key=item["key"],
            label=references[0][1]["title"] if references else item["label"],
            commitments=references,
            trend=figures.choices.get(item["key"], {}),
            sources_key=sources[0]["key"] if sources else None,
            source_choices=[(choice["value"], choice["label"]) for choice in sources[0]["choices"]] if sources else [],
            sources=figures.choices.get(sources[0]["key"], {}) if sources else {},
            indicators=[_indicator(spec, other, figures, previous) for other in related if other["kind"] == "number"],
        ))
    return sorted(targets, key=lambda target: [cid for cid, _record in target.commitments])


def _documents(spec: Spec) -> list[str]:
    """The documents whose commitments the questionnaire asks about, in the order they were adopted."""
    order = ("pd2009", "poa2009", "jms2014", "jms2014-priorities", "ungass2016", "honlea2017", "sofia2018")
    found = {record.get("document") for record in spec.commitments.values()}
    return [key for key in order if key in found] + sorted(key for key in found - set(order) if key)


def examples(cycle: Cycle, spec: Spec) -> dict[str, list[Example]]:
    """Marked examples of measures from the counted submissions, by section key; the text is the
    compiler's excerpt or, without one, the country's answer as it stands. A published report
    quotes only the countries that agreed to publish their descriptions of measures."""
    rows = db.session.execute(
        select(MeasureExample, Country.iso2, Answer.value, Submission.may_publish)
        .join(Submission, Submission.id == MeasureExample.submission_id)
        .join(Country, Country.id == Submission.country_id)
        .join(Answer, and_(Answer.submission_id == Submission.id, Answer.key == MeasureExample.key))
        .where(Submission.cycle_id == cycle.id, Submission.state.in_(counted_states(cycle)), Country.is_member_state)
        .order_by(MeasureExample.key, Country.iso3)
    )
    found: dict[str, list[Example]] = {}
    for example, iso2, answer, consented in rows:
        item = spec.items_by_key.get(example.key)
        if item is None or not (example.excerpt or answer) or not policy.may_quote(cycle, consented):
            continue
        status = [other for other in spec.items_by_key.values()
                  if other["kind"] == "status" and set(item["commitments"]) <= set(other["commitments"])]
        found.setdefault(spec.section_of_item[example.key], []).append(Example(
            iso2=iso2, question=status[0]["label"] if status else item["label"],
            commitment=(item["commitments"] or [""])[0], text=example.excerpt or str(answer), language=example.language))
    return found


def cycle_content(cycle: Cycle, today: date | None = None) -> ReportContent:
    """Everything the cycle report, the web pages and the country profiles show, from a handful of queries."""
    spec = Spec(cycle.spec_version.content)
    items = spec.items_by_key.values()
    status_keys = [item["key"] for item in items if item["kind"] == "status"]
    number_keys = [item["key"] for item in items if item["kind"] == "number"]
    choice_keys = [item["key"] for item in items if item["kind"] in ("single_choice", "multiple_choice")]
    members = list(db.session.scalars(select(Country).where(Country.is_member_state).order_by(Country.id)))
    geography = Geography(members, [section.scope for section in spec.sections])
    regional_keys = [item["key"] for section in spec.sections if "global" not in section.scope for item in section.items]
    figures = aggregate(cycle.id, counted_states(cycle), status_keys, number_keys, geography, choice_keys, regional_keys)
    before = previous_cycle(cycle)
    previous = pairs = None
    mapping: dict[str, tuple[str, ...]] = {}
    if before:
        before_spec = Spec(before.spec_version.content)
        previous = aggregate(before.id, counted_states(before), [], [k for k in number_keys if k in before_spec.items_by_key],
                             geography)
        mapping = question_mapping(before_spec.content, spec.content)
        pairs = like_for_like(cycle.id, counted_states(cycle), before.id, counted_states(before), mapping, geography,
                              regional_keys)
    found_examples = examples(cycle, spec)
    pillars: dict[str, Pillar] = {}
    for spec_section in spec.sections:
        section = _section(spec, spec_section, figures, previous, pairs, set(mapping),
                           _member_states(geography, spec_section.scope))
        section.examples = found_examples.get(section.key, [])
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
        previous_spec_version=before.spec_version.version if before else None,
        spec_title=spec.content["title"],
        spec_version=spec.version,
        documents=_documents(spec),
        coverage=figures.coverage,
        previous_coverage=previous.coverage if previous else None,
        regions=regions,
        regional_groups=[Area("regional_group", key) for key in regional_groups() if key in REGIONAL_GROUP_NAMES],
        scopes=[area for area in geography.areas if area.level == "scope"],
        # A pillar with nothing to report (the screening questions, which only switch modules on) is no chapter.
        pillars=[pillar for pillar in pillars.values()
                 if pillar.commitments or any(section.indicators or section.examples for section in pillar.sections)],
        targets=_targets(spec, figures, previous),
        new_questions=len(status_keys) - len(set(mapping) & set(status_keys)) if before else 0,
        reporting=[_place(country) for country in reporting],
        indicators=indicator_content(cycle, [region for region, _subregions in regions]),
    )


def _accepted_answers(cycle: Cycle, country_ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = db.session.execute(
        select(Submission.country_id, Answer.key, Answer.value).join(Answer, Answer.submission_id == Submission.id)
        .where(Submission.cycle_id == cycle.id, Submission.state == SubmissionState.ACCEPTED.value,
               Submission.country_id.in_(country_ids)))
    answers: dict[int, dict[str, Any]] = {}
    for country_id, key, value in rows:
        answers.setdefault(country_id, {})[key] = value
    return answers


def _mapped_statuses(answers: dict[str, Any], mapping: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    """A previous submission's statuses under this cycle's question keys (agreeing statuses only)."""
    mapped = {}
    for key, olds in mapping.items():
        statuses = {answers.get(old) for old in olds}
        if len(statuses) == 1 and None not in statuses:
            mapped[key] = statuses.pop()
    return mapped


def country_responses(cycle: Cycle, countries: list[Country]) -> list[CountryResponse]:
    """Each country's own answers, for its profile: this cycle's counted answers, else the previous
    cycle's accepted ones (marked as such); and its previous accepted statuses, for the change."""
    counted = counted_states(cycle)
    rows = db.session.execute(
        select(Country.id, Submission.state, Submission.may_publish, Answer.key, Answer.value)
        .select_from(Country)
        .outerjoin(Submission, and_(Submission.country_id == Country.id, Submission.cycle_id == cycle.id))
        .outerjoin(Answer, and_(Answer.submission_id == Submission.id, Submission.state.in_(counted)))
        .where(Country.id.in_([country.id for country in countries]))
    )
    states: dict[int, str | None] = {}
    consents: dict[int, bool] = {}
    answers: dict[int, dict[str, Any]] = {country.id: {} for country in countries}
    for country_id, state, consented, key, value in rows:
        states[country_id] = state
        consents[country_id] = bool(consented)
        if key is not None:
            answers[country_id][key] = value
    before = previous_cycle(cycle)
    earlier: dict[int, dict[str, Any]] = {}
    mapping: dict[str, tuple[str, ...]] = {}
    if before:
        earlier = _accepted_answers(before, [country.id for country in countries])
        mapping = question_mapping(before.spec_version.content, cycle.spec_version.content)
    responses = []
    for country in countries:
        state = states.get(country.id)
        own, own_from = answers[country.id], None
        if state not in counted and country.id in earlier:
            own = {key: earlier[country.id][olds[0]] for key, olds in mapping.items()
                   if len(olds) == 1 and olds[0] in earlier[country.id]}
            # free-text answers of the same question key carry over as they are
            own.update({key: value for key, value in earlier[country.id].items() if key not in own})
            own_from = before.label
        previous = _mapped_statuses(earlier.get(country.id, {}), mapping) if own_from is None else {}
        # A published profile prints the country's own words only with its consent (an earlier
        # cycle's words, shown for want of a counted response, are never printed there).
        consented = consents.get(country.id, False)
        own = policy.report_answers(cycle, own, consented and own_from is None)
        withheld = policy.is_published(cycle) and own_from is None and state in counted and not consented
        responses.append(CountryResponse(
            _place(country), state, state in counted, own, answers_from=own_from, previous=previous,
            previous_from=before.label if previous else None, words_withheld=withheld))
    return responses

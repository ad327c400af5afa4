"""What a country profile prints besides the country's own answers: the questions it lists and the
figures of its region and of the world it is set against, rounded as printed.

A profile is rendered from a ``ProfileContent`` (one per M49 region, the same for every country of
the region) and the country's ``CountryResponse``, and from nothing else. So the fingerprint of
those two (see ``build.Build``) covers everything the PDF prints: when one country's answers
change, only the profiles whose printed figures change are rendered again — that country's, and
its region's or the world's only where a rounded figure or a bar moves.

Bars are drawn at half a percent (finer than the eye can tell on a bar 10 cm long, coarse enough
that one changed reply among thousands does not move them); medians as printed (two decimals).
"""
from dataclasses import dataclass
from datetime import date
import unicodedata

from reporting.questionnaire.measures import AGE_GROUPS, SEX
from reporting.questionnaire.scale import STATUS_VALUES
from reporting.reports.aggregation import MIN_REPLIES, NOT_APPLICABLE, WORLD, Area, StatusCounts
from reporting.reports.content import CountryResponse, ReportContent

BAR_STEP = 0.005
EXCERPT_WIDTH = 150  # a measures text is cut after this many columns (a Chinese or Japanese character takes two)
# Rows by sex and age group: a profile gives their total; the breakdown is in the report and the exports.
BREAKDOWN_ROWS = (set(SEX) | set(AGE_GROUPS)) - {"total"}
ORDER = {status: rank for rank, status in enumerate(STATUS_VALUES) if status != NOT_APPLICABLE}


@dataclass(frozen=True)
class Bar:
    """A status distribution as drawn: the share of each status among the applicable replies, with
    the boundaries between segments rounded to ``BAR_STEP``, and its base n."""

    shares: tuple[tuple[str, float], ...]
    n: int

    @property
    def enough(self) -> bool:
        return self.n >= MIN_REPLIES

    def segments(self, colours: dict[str, str]) -> list[tuple[float, str]]:
        return [(share, colours[status]) for status, share in self.shares]

    @classmethod
    def of(cls, counts: StatusCounts) -> "Bar":
        if not counts.applicable:
            return cls((), 0)
        shares, reached, drawn = [], 0, 0.0
        for status in STATUS_VALUES:
            if status == NOT_APPLICABLE:
                continue
            reached += counts.count(status)
            boundary = round(reached / counts.applicable / BAR_STEP) * BAR_STEP
            shares.append((status, round(boundary - drawn, 4)))
            drawn = boundary
        return cls(tuple(shares), counts.applicable)


@dataclass(frozen=True)
class ProfileQuestion:
    key: str
    label: str  # the question's wording (msgid)
    measures_key: str | None


@dataclass(frozen=True)
class ProfileSection:
    title: str
    regional: bool  # a regional module: listed only for a country that answered it
    questions: tuple[ProfileQuestion, ...]


@dataclass(frozen=True)
class ProfilePillar:
    key: str
    title: str
    sections: tuple[ProfileSection, ...]
    region: Bar  # every reply of the region's Member States to the pillar's questions
    world: Bar

    @property
    def questions(self) -> tuple[ProfileQuestion, ...]:
        return tuple(question for section in self.sections for question in section.questions)


@dataclass(frozen=True)
class Median:
    value: float | None  # as printed: two decimals
    n: int  # Member States that reported the figure


@dataclass(frozen=True)
class ProfileLine:
    row: str
    row_label: str
    column: str
    column_label: str
    unit_label: str
    region: Median
    world: Median


@dataclass(frozen=True)
class ProfileIndicator:
    key: str
    label: str
    lines: tuple[ProfileLine, ...]


@dataclass(frozen=True)
class ProfileContent:
    """Everything a profile of a country in ``region`` prints that is not the country's own."""

    cycle: str
    report_date: date
    draft: bool
    demo: bool
    has_replies: bool
    region: Area
    pillars: tuple[ProfilePillar, ...]
    region_all: Bar  # all policy questions, pooled
    world_all: Bar
    indicators: tuple[ProfileIndicator, ...]

    @staticmethod
    def own(response: CountryResponse, questions) -> Bar:
        """The country's own statuses over ``questions``, drawn like its region's."""
        return Bar.of(StatusCounts(dict(_own_counts(response, questions))))

    @staticmethod
    def changes(response: CountryResponse, questions) -> tuple[int, int]:
        """(advanced, went back): statuses that moved along the scale since its previous accepted submission."""
        advanced = back = 0
        for question in questions:
            before, now = response.previous.get(question.key), response.answers.get(question.key)
            if before in ORDER and now in ORDER and before != now:
                advanced += ORDER[now] > ORDER[before]
                back += ORDER[now] < ORDER[before]
        return advanced, back


def _own_counts(response: CountryResponse, questions) -> dict[str, int]:
    counts: dict[str, int] = {}
    for question in questions:
        status = response.answers.get(question.key)
        if status in STATUS_VALUES:
            counts[status] = counts.get(status, 0) + 1
    return counts


def _median(figure) -> Median:
    return Median(round(figure.median, 2) if figure.n and figure.median is not None else None, figure.n)


def profile_content(content: ReportContent, region_m49: int) -> ProfileContent:
    region = Area("region", region_m49)
    pillars = tuple(
        ProfilePillar(pillar.key, pillar.title, tuple(
            ProfileSection(section.title, section.regional,
                           tuple(ProfileQuestion(row.key, row.label, row.measures_key) for row in section.questions))
            for section in pillar.sections), Bar.of(pillar.at(region)), Bar.of(pillar.at(WORLD)))
        for pillar in content.pillars)
    indicators = tuple(
        ProfileIndicator(indicator.key, indicator.label, tuple(
            ProfileLine(line.row, line.row_label, line.column, line.column_label, line.unit_label,
                        _median(line.at(region)), _median(line.at(WORLD)))
            for line in indicator.lines if line.row not in BREAKDOWN_ROWS))
        for indicator in content.indicators.indicators)
    world = content.world
    return ProfileContent(content.cycle, content.report_date, content.draft, content.demo, content.has_replies, region,
                          pillars, Bar.of(world.at(region)), Bar.of(world.at(WORLD)), indicators)


def profile_contents(content: ReportContent) -> dict[int, ProfileContent]:
    """One per M49 region, by its code."""
    return {region.code: profile_content(content, region.code) for region, _subregions in content.regions}


def writing_direction(text: str) -> str:
    """"rtl" or "ltr" from the first strongly directional character, as ``dir="auto"`` would decide
    (WeasyPrint does not implement ``dir="auto"``): a country's own words keep their direction on a
    page of either direction."""
    for character in str(text):
        kind = unicodedata.bidirectional(character)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def excerpt(text: str, width: int = EXCERPT_WIDTH) -> str:
    """The start of a free text, cut at a word boundary where there is one near the limit, with "…"."""
    text = " ".join(str(text).split())
    used = 0
    for index, character in enumerate(text):
        used += 2 if unicodedata.east_asian_width(character) in "WF" else 1
        if used > width:
            cut = text[:index]
            space = cut.rfind(" ")
            if space > len(cut) * 0.75:
                cut = cut[:space]
            return cut.rstrip(" ,;:.—–-") + "…"
    return text

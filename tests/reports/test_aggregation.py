"""Aggregates against the hand-computed fixture in ``conftest.py``."""
from datetime import date

import pytest

from reporting.database import write_transaction
from reporting.reports.aggregation import WORLD, Area, Coverage, Geography, NumberStats, aggregate
from reporting.reports.content import cycle_content
from reporting.reports.services import counted_states

from .conftest import N1, S1, S2, S3, make_cycle

EUROPE, AFRICA, AMERICAS = Area("region", 150), Area("region", 2), Area("region", 19)
WESTERN_EUROPE, NORTHERN_EUROPE = Area("subregion", 155), Area("subregion", 154)


def figures(cycle):
    return aggregate(cycle.id, counted_states(cycle), [S1, S2, S3], [N1], Geography.of_member_states())


def test_draft_counts_submitted_and_accepted(cycles):
    _previous, current = cycles
    result = figures(current)
    # FRA, DEU implemented; GBR in progress; NGA not started. MEX, JPN (not counted) and PSE (observer) left out.
    assert result.status[S1][WORLD].counts == {"implemented": 2, "in_progress": 1, "not_started": 1}
    assert result.status[S1][WORLD].responding == 4
    assert result.status[S1][WORLD].share("implemented") == 0.5
    assert result.status[S1][EUROPE].counts == {"implemented": 2, "in_progress": 1}
    assert result.status[S1][WESTERN_EUROPE].counts == {"implemented": 2}
    assert result.status[S1][NORTHERN_EUROPE].counts == {"in_progress": 1}
    assert result.status[S1][AFRICA].counts == {"not_started": 1}
    assert AMERICAS not in result.status[S1]
    assert result.status[S2][WORLD].counts == {"in_progress": 1, "planned": 1, "not_applicable": 1, "implemented": 1}
    assert result.status[S3][WORLD].counts == {"implemented": 1, "in_progress": 1}


def test_numeric_indicator(cycles):
    result = figures(cycles[1])
    assert result.numbers[N1][WORLD] == NumberStats(count=4, total=1450, median=200, minimum=50, maximum=1000)
    assert result.numbers[N1][EUROPE] == NumberStats(count=3, total=450, median=100, minimum=50, maximum=300)
    assert result.numbers[N1][Area("subregion", 202)] == NumberStats(1, 1000, 1000, 1000, 1000)


def test_coverage(cycles):
    coverage = figures(cycles[1]).coverage
    assert coverage[WORLD] == Coverage(member_states=193, reporting=4)
    assert coverage[EUROPE] == Coverage(member_states=43, reporting=3)
    assert coverage[AFRICA] == Coverage(member_states=54, reporting=1)
    assert coverage[AMERICAS] == Coverage(member_states=35, reporting=0)
    assert coverage[WORLD].rate == pytest.approx(4 / 193)


def test_published_counts_accepted_only(cycles, db):
    current = cycles[1]
    with write_transaction():
        current.state = "published"
    result = figures(current)
    assert result.status[S1][WORLD].counts == {"implemented": 2, "not_started": 1}
    assert result.numbers[N1][WORLD] == NumberStats(count=3, total=1400, median=300, minimum=100, maximum=1000)
    assert result.coverage[WORLD].reporting == 3


def test_change_against_previous_cycle_is_like_for_like(cycles):
    content = cycle_content(cycles[1])
    prevention = content.pillars[0].sections[0]
    s1, s2 = prevention.questions
    # Previous (published, accepted only): FRA in progress, DEU implemented, GBR planned. Current (draft):
    # FRA implemented, DEU implemented, GBR in progress, NGA not started. NGA did not answer before: out.
    pairs = s1.pairs_at()
    assert (pairs.countries, pairs.implemented_before, pairs.implemented_now) == (3, 1, 2)
    # Three countries are fewer than the minimum of five: no change is given.
    assert not pairs.enough and s1.change is None
    assert s1.pairs_at(EUROPE).countries == 3 and s1.pairs_at(AFRICA).countries == 0
    # S2 was asked in the previous cycle (same spec) but nobody answered it: no pairs.
    assert s2.pairs_at().countries == 0
    assert prevention.change is None and prevention.paired() == []
    assert content.previous_cycle == "2025"
    assert content.previous_coverage[WORLD].reporting == 3
    indicator = prevention.indicators[0]
    assert indicator.previous[WORLD] == NumberStats(1, 200, 200, 200, 200)


def test_pooled_thematic_area_and_pillar(cycles):
    content = cycle_content(cycles[1])
    demand = content.pillars[0]
    # S1 (2 implemented, 1 in progress, 1 not started) + S2 (1 each of four statuses).
    assert demand.at(WORLD).counts == {"implemented": 3, "in_progress": 2, "not_started": 1, "planned": 1,
                                       "not_applicable": 1}
    assert content.world.at(WORLD).responding == 10
    assert content.pillars[1].sections[0].regional
    assert [place.iso3 for place in content.reporting] == ["DEU", "FRA", "GBR", "NGA"]
    assert content.draft and content.report_date == date.today()


def test_cycle_without_responses(db):
    cycle = make_cycle("2027", date(2027, 6, 30))
    content = cycle_content(cycle)
    assert content.coverage[WORLD] == Coverage(193, 0)
    row = content.pillars[0].questions[0]
    assert row.at(WORLD).responding == 0 and row.at(WORLD).share("implemented") is None
    assert content.reporting == []


def test_response_rate_bases(cycles):
    content = cycle_content(cycles[1])
    s1 = content.pillars[0].questions[0]
    assert s1.response_rate() == pytest.approx(4 / 193)
    assert s1.response_rate(EUROPE) == pytest.approx(3 / 43)
    # The EU–CELAC commitment applies to 27 + 33 Member States; FRA and DEU replied.
    sofia = content.pillars[1].questions[0]
    assert sofia.regional and sofia.member_states[WORLD] == 60
    assert sofia.response_rate() == pytest.approx(2 / 60)
    assert sofia.member_states[AMERICAS] == 33

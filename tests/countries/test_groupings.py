"""The Commission's regional groups and the register's scopes as report groupings."""
from collections import Counter

from sqlalchemy import select

from reporting.countries.groupings import REGIONAL_GROUP_NAMES, regional_group, regional_groups
from reporting.models import Country
from reporting.reports.aggregation import Area, Geography


def test_every_member_state_is_in_exactly_one_regional_group(db):
    members = list(db.session.scalars(select(Country).where(Country.is_member_state)))
    groups = Counter(regional_group(country) for country in members)
    assert None not in groups
    assert set(groups) == set(regional_groups()) == set(REGIONAL_GROUP_NAMES)
    # United Nations regional groups (DGACM); the United States counted with WEOG for electoral purposes.
    assert groups == {"african_states": 54, "asia_pacific_states": 54, "eastern_european_states": 23,
                      "latin_american_caribbean_states": 33, "western_european_other_states": 29}
    by_iso3 = {country.iso3: regional_group(country) for country in members}
    assert by_iso3["TUR"] == by_iso3["ISR"] == by_iso3["USA"] == by_iso3["AUS"] == "western_european_other_states"
    assert by_iso3["ARM"] == by_iso3["RUS"] == "eastern_european_states"
    assert by_iso3["CYP"] == by_iso3["KIR"] == "asia_pacific_states"


def test_geography_puts_each_member_state_in_its_areas(db):
    geography = Geography.of_member_states([("global",), ("eu", "celac"), ("near_middle_east",)])
    assert geography.members[Area("world", 1)] == 193
    assert geography.members[Area("scope", "eu+celac")] == 60
    assert geography.members[Area("scope", "near_middle_east")] == 24
    assert geography.members[Area("regional_group", "eastern_european_states")] == 23
    assert sum(count for area, count in geography.members.items() if area.level == "region") == 193
    # Countries with exactly the same areas share a cell: far fewer cells than countries.
    assert len(geography.base.cell_areas) < 40 and len(geography.scoped.cell_areas) < 40

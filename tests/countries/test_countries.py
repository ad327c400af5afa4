"""Reference data: the 193 Member States and two observer States."""
from collections import Counter

import pytest
from babel import Locale
from sqlalchemy import select

from reporting.countries.services import CountryDataError, country_name, read_country_file, region_name
from reporting.models import Country

REGIONS = {2: "Africa", 19: "Americas", 142: "Asia", 150: "Europe", 9: "Oceania"}


def test_193_member_states_and_two_observers(db):
    countries = db.session.scalars(select(Country)).all()
    members = [c for c in countries if c.is_member_state]
    observers = sorted(c.iso3 for c in countries if not c.is_member_state)
    assert len(members) == 193
    assert observers == ["PSE", "VAT"]


def test_codes_are_valid_and_unique(db):
    countries = db.session.scalars(select(Country)).all()
    for field in ("iso2", "iso3", "m49"):
        assert len({getattr(c, field) for c in countries}) == len(countries)
    english = Locale("en").territories
    for country in countries:
        assert country.iso2.isalpha() and country.iso2.isupper() and country.iso2 in english
        assert country.iso3.isalpha() and country.iso3.isupper()
        assert 0 < country.m49 < 1000
        assert country.region_m49 in REGIONS
        assert f"{country.subregion_m49:03d}" in english


def test_region_counts_follow_m49(db):
    members = db.session.scalars(select(Country).where(Country.is_member_state)).all()
    assert Counter(REGIONS[c.region_m49] for c in members) == {
        "Africa": 54, "Americas": 35, "Asia": 47, "Europe": 43, "Oceania": 14,
    }


@pytest.mark.parametrize(
    ("iso3", "region", "subregion"),
    [("MEX", 19, 419), ("CYP", 142, 145), ("SDN", 2, 15), ("NGA", 2, 202), ("GBR", 150, 154), ("FJI", 9, 54)],
)
def test_known_assignments(db, iso3, region, subregion):
    country = db.session.scalar(select(Country).where(Country.iso3 == iso3))
    assert (country.region_m49, country.subregion_m49) == (region, subregion)


@pytest.mark.parametrize(
    ("language", "name", "region"),
    [("en", "Mexico", "Americas"), ("fr", "Mexique", "Amériques"), ("es", "México", "América"),
     ("ru", "Мексика", "Америка"), ("zh", "墨西哥", "美洲"), ("ar", "المكسيك", "الأمريكتان")],
)
def test_names_come_from_cldr_in_each_language(language, name, region):
    assert country_name("MX", language) == name
    assert region_name(19, language) == region


def test_malformed_data_file_names_file_and_line(tmp_path):
    bad = tmp_path / "states.csv"
    bad.write_text(
        "iso2,iso3,m49,region_m49,subregion_m49,intermediate_region_m49,status\n"
        "AF,AFG,4,142,34,,member\n"
        "AL,ALB,eight,150,39,,member\n"
    )
    with pytest.raises(CountryDataError, match=r"states.csv:3: invalid literal"):
        read_country_file(bad)

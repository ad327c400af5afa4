"""Reference data: the 193 Member States and two observer States."""
from collections import Counter

import csv

import pytest
from sqlalchemy import select

from reporting.countries.services import (
    NAME_LANGUAGES, NAMES_FILE, REGIONS_FILE, CountryDataError, check_names, country_name, read_country_file,
    read_name_file, region_name, sorted_by_name,
)
from reporting.database import write_transaction
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
    regions = read_name_file(REGIONS_FILE, "m49")
    for country in countries:
        assert country.iso2.isalpha() and country.iso2.isupper()
        assert country.iso3.isalpha() and country.iso3.isupper()
        assert 0 < country.m49 < 1000
        assert country.region_m49 in REGIONS
        assert str(country.subregion_m49) in regions


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


# The UN official short names that CLDR gets wrong or that changed recently, in the six languages.
UN_NAMES = {
    "BOL": {"en": "Bolivia (Plurinational State of)", "fr": "Bolivie (État plurinational de)",
            "es": "Bolivia (Estado Plurinacional de)", "ru": "Боливия (Многонациональное Государство)",
            "ar": "بوليفيا (دولة - المتعددة القوميات)", "zh": "多民族玻利维亚国"},
    "IRN": {"en": "Iran (Islamic Republic of)", "fr": "Iran (République islamique d')",
            "es": "Irán (República Islámica del)", "ru": "Иран (Исламская Республика)",
            "ar": "إيران (جمهورية - الإسلامية)", "zh": "伊朗伊斯兰共和国"},
    "TUR": {"en": "Türkiye", "fr": "Türkiye", "es": "Türkiye", "ru": "Турция", "ar": "تركيا", "zh": "土耳其"},
    "CPV": {"en": "Cabo Verde", "fr": "Cabo Verde", "es": "Cabo Verde", "ru": "Кабо-Верде", "ar": "كابو فيردي",
            "zh": "佛得角"},
    "CZE": {"en": "Czechia", "fr": "Tchéquie", "es": "Chequia", "ru": "Чехия", "ar": "تشيكيا", "zh": "捷克"},
    "CIV": {"en": "Côte d'Ivoire", "fr": "Côte d'Ivoire", "es": "Côte d'Ivoire", "ru": "Кот-д'Ивуар",
            "ar": "كوت ديفوار", "zh": "科特迪瓦"},
    "VEN": {"en": "Venezuela (Bolivarian Republic of)", "fr": "Venezuela (République bolivarienne du)",
            "es": "Venezuela (República Bolivariana de)", "ru": "Венесуэла (Боливарианская Республика)",
            "ar": "فنزويلا (جمهورية - البوليفارية)", "zh": "委内瑞拉玻利瓦尔共和国"},
    "GBR": {"en": "United Kingdom of Great Britain and Northern Ireland",
            "fr": "Royaume-Uni de Grande-Bretagne et d'Irlande du Nord",
            "es": "Reino Unido de Gran Bretaña e Irlanda del Norte",
            "ru": "Соединенное Королевство Великобритании и Северной Ирландии",
            "ar": "المملكة المتحدة لبريطانيا العظمى وآيرلندا الشمالية", "zh": "大不列颠及北爱尔兰联合王国"},
    "USA": {"en": "United States of America", "fr": "États-Unis d'Amérique", "es": "Estados Unidos de América",
            "ru": "Соединенные Штаты Америки", "ar": "الولايات المتحدة الأمريكية", "zh": "美利坚合众国"},
    "KOR": {"en": "Republic of Korea", "fr": "République de Corée", "es": "República de Corea",
            "ru": "Республика Корея", "ar": "جمهورية كوريا", "zh": "大韩民国"},
    "PRK": {"en": "Democratic People's Republic of Korea", "fr": "République populaire démocratique de Corée",
            "es": "República Popular Democrática de Corea", "ru": "Корейская Народно-Демократическая Республика",
            "ar": "جمهورية كوريا الشعبية الديمقراطية", "zh": "朝鲜民主主义人民共和国"},
    "LAO": {"en": "Lao People's Democratic Republic", "fr": "République démocratique populaire lao",
            "es": "República Democrática Popular Lao", "ru": "Лаосская Народно-Демократическая Республика",
            "ar": "جمهورية لاو الديمقراطية الشعبية", "zh": "老挝人民民主共和国"},
    "RUS": {"en": "Russian Federation", "fr": "Fédération de Russie", "es": "Federación de Rusia",
            "ru": "Российская Федерация", "ar": "الاتحاد الروسي", "zh": "俄罗斯联邦"},
    "SYR": {"en": "Syrian Arab Republic", "fr": "République arabe syrienne", "es": "República Árabe Siria",
            "ru": "Сирийская Арабская Республика", "ar": "الجمهورية العربية السورية", "zh": "阿拉伯叙利亚共和国"},
    "VNM": {"en": "Viet Nam", "fr": "Viet Nam", "es": "Viet Nam", "ru": "Вьетнам", "ar": "فييت نام", "zh": "越南"},
    "NLD": {"en": "Netherlands (Kingdom of the)", "fr": "Pays-Bas (Royaume des)", "es": "Países Bajos (Reino de los)",
            "ru": "Нидерланды (Королевство)", "ar": "هولندا (مملكة _)", "zh": "荷兰王国"},
    "FSM": {"en": "Micronesia (Federated States of)", "fr": "Micronésie (États fédérés de)",
            "es": "Micronesia (Estados Federados de)", "ru": "Микронезия (Федеративные Штаты)",
            "ar": "ميكرونيزيا (ولايات - الموحدة)", "zh": "密克罗尼西亚联邦"},
    "MDA": {"en": "Republic of Moldova", "fr": "République de Moldova", "es": "República de Moldova",
            "ru": "Республика Молдова", "ar": "جمهورية مولدوفا", "zh": "摩尔多瓦共和国"},
    "TZA": {"en": "United Republic of Tanzania", "fr": "République-Unie de Tanzanie",
            "es": "República Unida de Tanzanía", "ru": "Объединенная Республика Танзания",
            "ar": "جمهورية تنزانيا المتحدة", "zh": "坦桑尼亚联合共和国"},
    "SWZ": {"en": "Eswatini", "fr": "Eswatini", "es": "Eswatini", "ru": "Эсватини", "ar": "إسواتيني", "zh": "斯威士兰"},
    "MKD": {"en": "North Macedonia", "fr": "Macédoine du Nord", "es": "Macedonia del Norte",
            "ru": "Северная Македония", "ar": "مقدونيا الشمالية", "zh": "北马其顿"},
    "ATG": {"en": "Antigua and Barbuda", "fr": "Antigua-et-Barbuda", "es": "Antigua y Barbuda",
            "ru": "Антигуа и Барбуда", "ar": "أنتيغوا وبربودا", "zh": "安提瓜和巴布达"},
    "VAT": {"en": "Holy See", "fr": "Saint-Siège", "es": "Santa Sede", "ru": "Святой Престол",
            "ar": "الكرسي الرسولي", "zh": "教廷"},
    "PSE": {"en": "State of Palestine", "fr": "État de Palestine", "es": "Estado de Palestina",
            "ru": "Государство Палестина", "ar": "دولة فلسطين", "zh": "巴勒斯坦国"},
}

M49_NAMES = {
    419: {"en": "Latin America and the Caribbean", "fr": "Amérique latine et Caraïbes",
          "es": "América Latina y el Caribe", "ru": "Латинская Америка и Карибский бассейн",
          "ar": "أمريكا اللاتينية ومنطقة البحر الكاريبي", "zh": "拉丁美洲和加勒比"},
    202: {"en": "Sub-Saharan Africa", "fr": "Afrique subsaharienne", "es": "África Subsahariana",
          "ru": "Африка к югу от Сахары", "ar": "أفريقيا جنوب الصحراء الكبرى", "zh": "撒哈拉以南非洲"},
    53: {"en": "Australia and New Zealand", "fr": "Australie et Nouvelle-Zélande", "es": "Australia y Nueva Zelandia",
         "ru": "Австралия и Новая Зеландия", "ar": "أستراليا ونيوزيلندا", "zh": "澳大利亚和新西兰"},
    21: {"en": "Northern America", "fr": "Amérique septentrionale", "es": "América septentrional",
         "ru": "Северная Америка", "ar": "أمريكا الشمالية", "zh": "北美"},
    19: {"en": "Americas", "fr": "Amériques", "es": "Américas", "ru": "Северная и Южная Америка",
         "ar": "الأمريكتان", "zh": "美洲"},
    18: {"en": "Southern Africa", "fr": "Afrique australe", "es": "África meridional", "ru": "Южная часть Африки",
         "ar": "الجنوب الأفريقي", "zh": "南部非洲"},
    57: {"en": "Micronesia", "fr": "Micronésie", "es": "Micronesia", "ru": "Микронезия", "ar": "ميكرونيزيا",
         "zh": "密克罗尼西亚"},
    1: {"en": "World", "fr": "Monde", "es": "Mundo", "ru": "Весь мир", "ar": "العالم", "zh": "世界"},
}


@pytest.mark.parametrize("language", NAME_LANGUAGES)
@pytest.mark.parametrize("iso3", sorted(UN_NAMES))
def test_un_official_short_names(db, iso3, language):
    country = db.session.scalar(select(Country).where(Country.iso3 == iso3))
    expected = UN_NAMES[iso3][language]
    assert country_name(country, language) == expected
    assert country_name(country.iso2, language) == expected  # reports pass the alpha-2 code


@pytest.mark.parametrize("language", NAME_LANGUAGES)
@pytest.mark.parametrize("m49", sorted(M49_NAMES))
def test_m49_region_names(m49, language):
    assert region_name(m49, language) == M49_NAMES[m49][language]


def test_every_country_and_region_has_six_names(db):
    countries = db.session.scalars(select(Country)).all()
    assert len(countries) == 195
    regions = {code for c in countries for code in (c.region_m49, c.subregion_m49, c.intermediate_region_m49)} - {None}
    assert len(regions) == 5 + 17 + 7
    for language in NAME_LANGUAGES:
        names = [country_name(country, language) for country in countries]
        assert all(name and name not in (country.iso2, country.iso3) for name, country in zip(names, countries))
        assert len(set(names)) == 195, f"two countries share a name in {language}"
        region_names = [region_name(code, language) for code in regions]
        assert all(name and not name.isdigit() for name in region_names)
        assert len(set(region_names)) == len(regions)
    # Each language's column is written in that language's script.
    for country in countries:
        assert any("\u0600" <= char <= "\u06ff" for char in country_name(country, "ar"))
        assert any("\u0400" <= char <= "\u04ff" for char in country_name(country, "ru"))
        assert any("\u4e00" <= char <= "\u9fff" for char in country_name(country, "zh"))
        assert country_name(country, "en").isascii() or country.iso3 in ("CIV", "TUR")


def test_a_language_that_is_not_a_un_language_gets_english():
    assert country_name("BOL", "de") == "Bolivia (Plurinational State of)"
    assert region_name(419, "de") == "Latin America and the Caribbean"
    assert country_name("XKX", "fr") == "XKX"  # not a State of the list: its code, never a guess


@pytest.mark.parametrize(
    ("language", "before", "after"),
    [("es", "Nicaragua", "Níger"), ("es", "Níger", "Nigeria"), ("fr", "Égypte", "El Salvador"),
     ("en", "Costa Rica", "Côte d'Ivoire"), ("en", "Côte d'Ivoire", "Croatia"),
     ("zh", "阿富汗", "巴西"), ("zh", "巴西", "中国")],
)
def test_lists_follow_each_languages_alphabetical_order(db, language, before, after):
    """Pairs that code-point order gets wrong: accented letters, Chinese by pinyin."""
    countries = db.session.scalars(select(Country)).all()
    names = [country_name(country, language) for country in sorted_by_name(countries, language)]
    assert names.index(before) < names.index(after)


def test_countries_page_shows_un_names_in_the_readers_language_and_order(client, login_as):
    login_as("compiler")  # no saved language: the browser's (Accept-Language) applies
    page = client.get("/countries/", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Bolivia (Estado Plurinacional de)" in page and "América Latina y el Caribe" in page
    assert "Türkiye" in page and "Chequia" in page and "África Subsahariana" in page
    assert page.index(">Nicaragua<") < page.index(">Níger<") < page.index(">Nigeria<")
    detail = client.get("/countries/BOL", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "Боливия (Многонациональное Государство)" in detail and "Южная Америка" in detail
    detail = client.get("/countries/BOL", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert "بوليفيا (دولة - المتعددة القوميات)" in detail and "أمريكا اللاتينية ومنطقة البحر الكاريبي" in detail


def test_malformed_data_file_names_file_and_line(tmp_path):
    bad = tmp_path / "states.csv"
    bad.write_text(
        "iso2,iso3,m49,region_m49,subregion_m49,intermediate_region_m49,status\n"
        "AF,AFG,4,142,34,,member\n"
        "AL,ALB,eight,150,39,,member\n"
    )
    with pytest.raises(CountryDataError, match=r"states.csv:3: invalid literal"):
        read_country_file(bad)


def test_names_file_with_an_empty_name_names_file_and_line(tmp_path):
    rows = list(csv.reader(NAMES_FILE.open(encoding="utf-8")))
    rows[5][4] = " "  # the Russian name of the fifth country
    bad = tmp_path / "un_names.csv"
    with bad.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    with pytest.raises(CountryDataError, match=r"un_names.csv:6: empty ru"):
        read_name_file(bad, "iso3")


def test_load_refuses_a_country_without_names(db, tmp_path):
    rows = [line for line in NAMES_FILE.read_text(encoding="utf-8").splitlines() if not line.startswith("BOL,")]
    short = tmp_path / "un_names.csv"
    short.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(CountryDataError, match=r"un_names.csv: no names for BOL"):
        check_names(read_country_file(), names_path=short)


def test_dashboard_and_its_csv_export_use_un_names(client, login_as, cycle):
    login_as("compiler")
    page = client.get("/cycles/2025/?region=19", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    assert "多民族玻利维亚国" in page and "委内瑞拉玻利瓦尔共和国" in page and "拉丁美洲和加勒比" in page
    assert page.index("阿根廷") < page.index("巴西") < page.index("智利")  # pinyin: a, b, z
    export = client.get("/cycles/2025/dashboard.csv?region=19", headers={"Accept-Language": "fr"})
    rows = list(csv.DictReader(export.get_data(as_text=True).splitlines()))
    by_iso3 = {row["iso3"]: row for row in rows}
    assert by_iso3["BOL"]["country"] == "Bolivie (État plurinational de)"
    assert by_iso3["BOL"]["subregion"] == "Amérique latine et Caraïbes" and by_iso3["BOL"]["region"] == "Amériques"
    assert by_iso3["USA"]["subregion"] == "Amérique septentrionale"
    names = [row["country"] for row in rows]
    assert names.index("El Salvador") < names.index("Équateur") < names.index("États-Unis d'Amérique")

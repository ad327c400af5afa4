"""Member States reference data: loading the data file and naming countries.

Only codes are stored in the database. Names come from two reference files
beside this module, in the six UN languages: the UN official short names of
the Member States and observer States (UNTERM, the UN list of Member States)
and the M49 region names (UN Statistics Division). CLDR's names are not the
UN's ("Antigua & Barbuda", "Cape Verde", "Latin America"), so they are never
used; see data/README.md.
"""
import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import icu
import yaml
from flask_babel import get_locale
from sqlalchemy import select

from reporting import audit
from reporting.extensions import db
from reporting.models import Country

DATA_FILE = Path(__file__).parent / "data" / "member_states.csv"
COLUMNS = ("iso2", "iso3", "m49", "region_m49", "subregion_m49", "intermediate_region_m49", "status")
NAMES_FILE = Path(__file__).parent / "data" / "un_names.csv"
REGIONS_FILE = Path(__file__).parent / "data" / "m49_regions.csv"
# The six official languages of the United Nations, in the columns' order.
NAME_LANGUAGES = ("en", "fr", "es", "ru", "ar", "zh")


class CountryDataError(ValueError):
    pass


@dataclass(frozen=True)
class CountryRow:
    iso2: str
    iso3: str
    m49: int
    region_m49: int
    subregion_m49: int
    intermediate_region_m49: int | None
    is_member_state: bool


def read_country_file(path: Path = DATA_FILE) -> list[CountryRow]:
    """Parse and validate the whole file before anything is written."""
    rows: list[CountryRow] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise CountryDataError(f"{path}:1: expected columns {','.join(COLUMNS)}")
        for line_no, raw in enumerate(reader, start=2):
            try:
                if raw["status"] not in ("member", "observer"):
                    raise ValueError(f"status must be member or observer, not {raw['status']!r}")
                if len(raw["iso2"]) != 2 or len(raw["iso3"]) != 3:
                    raise ValueError("iso2 must have 2 letters and iso3 3 letters")
                rows.append(
                    CountryRow(
                        iso2=raw["iso2"],
                        iso3=raw["iso3"],
                        m49=int(raw["m49"]),
                        region_m49=int(raw["region_m49"]),
                        subregion_m49=int(raw["subregion_m49"]),
                        intermediate_region_m49=int(raw["intermediate_region_m49"]) if raw["intermediate_region_m49"] else None,
                        is_member_state=raw["status"] == "member",
                    )
                )
            except (ValueError, TypeError) as error:
                raise CountryDataError(f"{path}:{line_no}: {error}") from None
    for field in ("iso2", "iso3", "m49"):
        values = [getattr(row, field) for row in rows]
        duplicates = sorted({str(v) for v in values if values.count(v) > 1})
        if duplicates:
            raise CountryDataError(f"{path}: duplicate {field}: {', '.join(duplicates)}")
    return rows


def load_countries(path: Path = DATA_FILE) -> tuple[int, int]:
    """Insert or update every country from the data file; returns (added, updated)."""
    rows = read_country_file(path)
    check_names(rows)
    existing = {c.iso3: c for c in db.session.scalars(select(Country))}
    added = updated = 0
    for row in rows:
        values = row.__dict__
        country = existing.get(row.iso3)
        if country is None:
            db.session.add(Country(**values))
            added += 1
        elif any(getattr(country, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(country, key, value)
            updated += 1
    if added or updated:
        audit.record("countries.loaded", "country", None, new={"added": added, "updated": updated})
    return added, updated


def read_name_file(path: Path, key: str) -> dict[str, dict[str, str]]:
    """One name per official language for every row of a names file, keyed by its ``key`` column.

    A missing column, an empty name or a duplicate key names the file and line,
    so a bad edit fails ``flask countries load`` instead of showing a code.
    """
    names: dict[str, dict[str, str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        expected = (key, *NAME_LANGUAGES)
        if tuple(reader.fieldnames or ()) != expected:
            raise CountryDataError(f"{path}:1: expected columns {','.join(expected)}")
        for line_no, raw in enumerate(reader, start=2):
            code = (raw[key] or "").strip()
            empty = [language for language in NAME_LANGUAGES if not (raw[language] or "").strip()]
            if not code or empty:
                raise CountryDataError(f"{path}:{line_no}: empty {', '.join(empty) or key}")
            if code in names:
                raise CountryDataError(f"{path}:{line_no}: duplicate {key} {code}")
            names[code] = {language: raw[language].strip() for language in NAME_LANGUAGES}
    return names


def check_names(rows: list[CountryRow], names_path: Path = NAMES_FILE, regions_path: Path = REGIONS_FILE) -> None:
    """Every country and every region it is in must have its six names before anything is loaded."""
    names, regions = read_name_file(names_path, "iso3"), read_name_file(regions_path, "m49")
    missing = sorted({row.iso3 for row in rows} - set(names))
    if missing:
        raise CountryDataError(f"{names_path}: no names for {', '.join(missing)}")
    codes = {code for row in rows for code in (row.region_m49, row.subregion_m49, row.intermediate_region_m49)}
    missing = sorted(str(code) for code in codes - {None} if str(code) not in regions)
    if missing:
        raise CountryDataError(f"{regions_path}: no names for M49 {', '.join(missing)}")


@lru_cache(maxsize=1)
def _country_names() -> dict[str, dict[str, str]]:
    """The UN short names by ISO alpha-3 and, through the codes file, by alpha-2."""
    by_iso3 = read_name_file(NAMES_FILE, "iso3")
    by_iso2 = {row.iso2: by_iso3[row.iso3] for row in read_country_file() if row.iso3 in by_iso3}
    return by_iso3 | by_iso2


@lru_cache(maxsize=1)
def _region_names() -> dict[int, dict[str, str]]:
    return {int(code): names for code, names in read_name_file(REGIONS_FILE, "m49").items()}


def _language(language: str | None) -> str:
    if not language:
        locale = get_locale()
        language = locale.language if locale else "en"
    return language if language in NAME_LANGUAGES else "en"


def country_name(country: Country | str, language: str | None = None) -> str:
    """The UN official short name of a country (object, ISO alpha-2 or alpha-3).

    In ``language`` or the request's; English for a language that is not a UN
    language. Every page, export and PDF names countries through this function.
    """
    code = country if isinstance(country, str) else country.iso3
    names = _country_names().get(code)
    return names[_language(language)] if names else code


def region_name(m49: int | None, language: str | None = None) -> str:
    """The UNSD M49 name of a region or sub-region code (e.g. 419 → Latin America and the Caribbean)."""
    if m49 is None:
        return ""
    names = _region_names().get(m49)
    return names[_language(language)] if names else f"{m49:03d}"


@lru_cache(maxsize=8)
def _collator(language: str) -> icu.Collator:
    """ICU's collation for the language: accents, case and script order as a reader expects
    (Chinese by pinyin, Spanish ñ after n), which code-point or accent-stripped order gets wrong."""
    return icu.Collator.createInstance(icu.Locale(language))


def name_sort_key(language: str | None = None) -> Callable[[str], bytes]:
    """A sort key for names in ``language`` (or the request's), by that language's collation."""
    return _collator(_language(language)).getSortKey


T = TypeVar("T")


def sorted_by_name(items: Iterable[T], language: str | None = None,
                   country: Callable[[T], Country | str] = lambda item: item) -> list[T]:
    """Items ordered by the UN name of their country (``country`` picks it) in the language's collation.

    Lists of countries are read alphabetically in the reader's language, as
    UN documents list Member States.
    """
    language = _language(language)
    key = name_sort_key(language)
    return sorted(items, key=lambda item: key(country_name(country(item), language)))


GROUPS_FILE = Path(__file__).parent / "data" / "groups.yaml"


@lru_cache(maxsize=1)
def _groups() -> dict[str, dict]:
    with GROUPS_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def group_keys() -> list[str]:
    return list(_groups())


def group_name(key: str) -> str:
    """A regional group's English name as its data file gives it (exports; reports translate it)."""
    return _groups()[key]["name"]


def country_scopes(country: Country) -> frozenset[str]:
    """``global`` plus every regional group the country belongs to (see data/groups.yaml)."""
    scopes = {"global"}
    codes = {country.region_m49, country.subregion_m49, country.intermediate_region_m49}
    for key, group in _groups().items():
        if country.iso3 in group.get("members", ()) or codes.intersection(group.get("m49", ())):
            scopes.add(key)
    return frozenset(scopes)

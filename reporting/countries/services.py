"""Member States reference data: loading the data file and naming countries.

Names and region names come from CLDR through Babel in the reader's locale;
only codes are stored.
"""
import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
import unicodedata

from babel import Locale
import yaml
from flask_babel import get_locale
from sqlalchemy import select

from reporting import audit
from reporting.extensions import db
from reporting.models import Country

DATA_FILE = Path(__file__).parent / "data" / "member_states.csv"
COLUMNS = ("iso2", "iso3", "m49", "region_m49", "subregion_m49", "intermediate_region_m49", "status")


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


@lru_cache(maxsize=16)
def _territories(language: str) -> dict[str, str]:
    return dict(Locale.parse(language).territories)


def _language(language: str | None) -> str:
    if language:
        return language
    locale = get_locale()
    return locale.language if locale else "en"


def country_name(country: Country | str, language: str | None = None) -> str:
    """CLDR name of a country (object or ISO alpha-2) in ``language`` or the request's locale."""
    iso2 = country if isinstance(country, str) else country.iso2
    return _territories(_language(language)).get(iso2, iso2)


def region_name(m49: int | None, language: str | None = None) -> str:
    """CLDR name of an M49 region or sub-region code (e.g. 2 → Africa)."""
    if m49 is None:
        return ""
    return _territories(_language(language)).get(f"{m49:03d}", f"{m49:03d}")


GROUPS_FILE = Path(__file__).parent / "data" / "groups.yaml"


@lru_cache(maxsize=1)
def _groups() -> dict[str, dict]:
    with GROUPS_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def group_keys() -> list[str]:
    return list(_groups())


def country_scopes(country: Country) -> frozenset[str]:
    """``global`` plus every regional group the country belongs to (see data/groups.yaml)."""
    scopes = {"global"}
    codes = {country.region_m49, country.subregion_m49, country.intermediate_region_m49}
    for key, group in _groups().items():
        if country.iso3 in group.get("members", ()) or codes.intersection(group.get("m49", ())):
            scopes.add(key)
    return frozenset(scopes)


def collation_key(name: str) -> str:
    """A locale-neutral sort key: accents and case ignored, so "Égypte" sorts with "E"."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def sorted_by_name(countries, language: str | None = None) -> list:
    return sorted(countries, key=lambda country: collation_key(country_name(country, language)))

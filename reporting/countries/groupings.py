"""The groupings a report can break its figures down by, besides the world.

- M49 regions and sub-regions (``member_states.csv``);
- the regional groups of Member States the Commission uses
  (``data/regional_groups.yaml``, every Member State in exactly one);
- the regional scopes of the register (``data/groups.yaml``: EU–CELAC and the
  regions of the meetings of heads of national drug law enforcement agencies),
  one area per scope that a questionnaire section is addressed to.

Each data file names its source. Everything here is plain data computed from
the Member States' rows, so the aggregation can join it to the answers as one
small table (see ``reports.aggregation.Geography``).
"""
from functools import lru_cache
from pathlib import Path

from flask_babel import lazy_gettext as _l
import yaml

from reporting.countries.services import GROUPS_FILE, country_scopes

REGIONAL_GROUPS_FILE = Path(__file__).parent / "data" / "regional_groups.yaml"

# Display names, translated where shown (the data files keep English names and sources).
REGIONAL_GROUP_NAMES = {
    "african_states": _l("African States"),
    "asia_pacific_states": _l("Asia-Pacific States"),
    "eastern_european_states": _l("Eastern European States"),
    "latin_american_caribbean_states": _l("Latin American and Caribbean States"),
    "western_european_other_states": _l("Western European and other States"),
}
SCOPE_NAMES = {
    "eu": _l("European Union"),
    "celac": _l("Community of Latin American and Caribbean States"),
    "eu+celac": _l("EU–CELAC"),
    "africa": _l("HONLEA, Africa"),
    "latin_america_caribbean": _l("HONLEA, Latin America and the Caribbean"),
    "asia_pacific": _l("HONLEA, Asia and the Pacific"),
    "europe": _l("HONLEA, Europe"),
    "near_middle_east": _l("Subcommission on Illicit Drug Traffic, Near and Middle East"),
}


class GroupingError(ValueError):
    pass


@lru_cache(maxsize=1)
def regional_groups() -> dict[str, dict]:
    with REGIONAL_GROUPS_FILE.open(encoding="utf-8") as handle:
        groups = yaml.safe_load(handle)
    unnamed = sorted(set(groups) - set(REGIONAL_GROUP_NAMES))
    if unnamed:
        raise GroupingError(f"{REGIONAL_GROUPS_FILE}: no display name for {', '.join(unnamed)}")
    return groups


def regional_group(country) -> str | None:
    """The Commission's regional group of a Member State (explicit members first, then M49 with exceptions)."""
    groups = regional_groups()
    for key, group in groups.items():
        if country.iso3 in group.get("members", ()):
            return key
    codes = {country.region_m49, country.subregion_m49, country.intermediate_region_m49}
    for key, group in groups.items():
        if codes.intersection(group.get("m49", ())) and country.iso3 not in group.get("except", ()):
            return key
    return None


def scope_key(scope: tuple[str, ...]) -> str:
    """One area key per section scope: ``("eu", "celac")`` → ``"eu+celac"``."""
    return "+".join(scope)


def scope_name(key: str) -> str:
    return str(SCOPE_NAMES.get(key, key))


def in_scope(country, scope: tuple[str, ...]) -> bool:
    return bool(country_scopes(country).intersection(scope))

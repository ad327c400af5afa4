"""The thematic areas of the questionnaire, and the one rule that puts a commitment in one.

The rule, for a global commitment (scope ``global``):

1. The candidates are the areas of the commitment's pillar that cover its
   UNGASS chapter.
2. The most specific wording decides: first the commitment's short title,
   then the heading it sits under (the deepest heading of its ``path``
   that is not an "Action N." line). The first candidate — by ``priority``,
   then in the order below — whose ``pattern`` matches it wins.
3. Otherwise the chapter's fallback takes it (an area without a pattern, or
   marked ``fallback``). Every pillar has exactly one fallback per chapter
   1–7, so every commitment lands somewhere (a test holds this).

A regional commitment goes to its pillar's regional module for its scope
(``dr-africa``, ``sr-eu-celac``…), shown only to countries in that scope.

Areas are listed in questionnaire order; an area's first chapter is its
section's ``chapter``. Keys are stable: renaming one moves every item.
"""
from dataclasses import dataclass
import re

from reporting.questionnaire.scale import N_

ACTION_HEADING = re.compile(r"Action \d+\b")


@dataclass(frozen=True)
class Area:
    key: str
    title: str
    chapters: tuple[int, ...]
    pattern: re.Pattern | None = None
    fallback: bool = False  # takes what no pattern claimed (always so without a pattern)
    priority: int = 0  # among matching patterns, higher wins (HIV prevention is health, not prevention)
    scope: tuple[str, ...] = ("global",)

    @property
    def is_fallback(self) -> bool:
        return self.fallback or self.pattern is None


def _words(*stems: str) -> re.Pattern:
    return re.compile(r"\b(?:" + "|".join(stems) + r")", re.IGNORECASE)


PILLARS = {
    "demand_reduction": N_("Demand reduction and related measures"),
    "supply_reduction": N_("Supply reduction and related measures"),
    "international_cooperation": N_("International cooperation, countering money-laundering and judicial cooperation"),
}
PILLAR_PREFIX = {"demand_reduction": "dr", "supply_reduction": "sr", "international_cooperation": "ic"}

AREAS = {
    "demand_reduction": (
        Area("dr-prevention", N_("Prevention"), (1,),
             _words("prevent", "awareness", "early intervention", "healthy", "lifestyle", "school", "famil")),
        Area("dr-treatment", N_("Treatment, rehabilitation, recovery and social reintegration"), (1,),
             _words("treat", "rehabilitat", "recovery", "reintegrat", "dependence", "aftercare", "care")),
        Area("dr-health", N_("HIV, hepatitis, overdose and other health consequences"), (1,),
             _words("HIV", "AIDS", "hepatitis", "overdose", "naloxone", "infectio", "communicable", "tuberculosis",
                    "inject", "harm", r"health and social (?:risks|consequences)"), priority=1),
        Area("dr-evidence", N_("Data, research, quality standards and training"), (1,),
             _words("data", "research", "monitor", "evaluat", "standards", "training", "indicator", "staff")),
        Area("dr-policy", N_("Demand reduction policies, services and cooperation"), (1, 3, 5, 6, 7)),
        Area("dr-medicines", N_("Access to controlled medicines"), (2,)),
        Area("dr-justice", N_("Proportionate responses and the criminal justice system"), (4,),
             _words("criminal justice", "prison", "custod", "punish", "sentenc", "proportiona", "conviction",
                    "imprisonment", "detention", "legal aid", "offend")),
        Area("dr-human-rights", N_("Human rights, gender, youth, children and communities"), (4,)),
    ),
    "supply_reduction": (
        Area("sr-trafficking", N_("Law enforcement and illicit trafficking"), (3, 1, 6)),
        Area("sr-crime", N_("Drug-related crime, violence, corruption and illicit financial flows"), (3,),
             _words("violence", "corrupt", "organized crime", "criminal organi", "firearm", "terror",
                    "crime prevention", "drug-related crime", "launder", "financ", "proceeds")),
        Area("sr-justice", N_("Criminal justice responses and proportionate sentencing"), (4,)),
        Area("sr-precursors", N_("Precursors, synthetic drugs and diversion"), (5, 2),
             _words("precursor", "amphetamine", "ATS", "stimulant", "clandestine", "diversion", "synthetic",
                    "laborator", "chemical")),
        Area("sr-emerging", N_("New psychoactive substances, the Internet and emerging threats"), (5, 2)),
        Area("sr-development", N_("Alternative development"), (7,),
             _words("alternative development", "development", "livelihood", "rural", "market", "poverty",
                    "economic"), fallback=True),
        Area("sr-cultivation", N_("Illicit crop cultivation and eradication"), (7, 3, 4),
             _words("eradicat", "illicit (?:drug )?crops?", "cultivation", "crop control")),
    ),
    "international_cooperation": (
        Area("ic-shared-responsibility", N_("International cooperation and shared responsibility"),
             (6, 1, 2, 4, 5, 7)),
        Area("ic-assistance", N_("Technical assistance and capacity-building"), (6, 1, 2, 4, 5, 7),
             _words("technical assistance", "financial assistance", "capacity", "resources", "funding", "donor",
                    "assist")),
        Area("ic-money-laundering", N_("Countering money-laundering"), (3,),
             _words("launder", "financial", "proceeds", "assets", "confiscat")),
        Area("ic-judicial", N_("Judicial cooperation"), (3,)),
    ),
}

# Regional modules by the scope of their commitments (as the register writes it), in questionnaire order.
REGIONAL_MODULES = {
    ("eu", "celac"): N_("Regional module: EU–CELAC"),
    ("europe",): N_("Regional module: Europe"),
    ("africa",): N_("Regional module: Africa"),
    ("latin_america_caribbean",): N_("Regional module: Latin America and the Caribbean"),
    ("asia_pacific",): N_("Regional module: Asia and the Pacific"),
    ("near_middle_east",): N_("Regional module: Near and Middle East"),
}


class AreaError(ValueError):
    """A commitment the rule cannot place; the message names it."""


def _regional(pillar: str, scope: tuple[str, ...]) -> Area:
    key = "-".join([PILLAR_PREFIX[pillar], *(region.replace("_", "-") for region in scope)])
    return Area(key, REGIONAL_MODULES[scope], (), scope=scope)


def sections_in_order(pillar: str) -> list[Area]:
    """Every area and regional module of a pillar, in questionnaire order."""
    return [*AREAS[pillar], *(_regional(pillar, scope) for scope in REGIONAL_MODULES)]


def area_of(record: dict) -> Area:
    """The thematic area (or regional module) of a commitment, by the rule above."""
    if record["pillar"] not in AREAS:
        raise AreaError(f"commitment {record['id']}: unknown pillar {record['pillar']!r}")
    scope = tuple(record["scope"])
    if "global" not in scope:
        if scope not in REGIONAL_MODULES:
            raise AreaError(f"commitment {record['id']}: no regional module for scope {list(scope)} "
                            "(add one to REGIONAL_MODULES in reporting/questionnaire/areas.py)")
        return _regional(record["pillar"], scope)
    candidates = [area for area in AREAS[record["pillar"]] if record["chapter"] in area.chapters]
    by_priority = sorted(candidates, key=lambda area: -area.priority)  # sorted() is stable: ties keep list order
    headings = [heading for heading in reversed(record["path"]) if not ACTION_HEADING.match(heading)]
    for text in [record["title"], *headings[:1]]:
        for area in by_priority:
            if area.pattern is not None and area.pattern.search(text):
                return area
    for area in candidates:
        if area.is_fallback:
            return area
    raise AreaError(f"commitment {record['id']}: no thematic area for pillar {record['pillar']!r}, "
                    f"chapter {record['chapter']!r} (add one in reporting/questionnaire/areas.py)")

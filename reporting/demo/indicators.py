"""Synthetic indicator tables and screening answers for the demo: DEMONSTRATION DATA, not real.

Orders of magnitude follow what the World Drug Report publishes per region —
coca bush in South America, opium poppy in South-West and South-East Asia,
cocaine seized mostly in the Americas and Europe, fentanyl in North America,
tramadol in Africa, higher coverage of treatment in Europe — scaled by a rough
country size. A country's base figures are seeded by country and cell, so the
two demo cycles differ by a plausible year-on-year change (and, rarely, by a
tenfold jump that the plausibility check flags). Every demo table carries a
"[DEMO]" note, and demo cycles are flagged ``is_demo``.
"""
import math
import random
from typing import Any

from reporting.models import Country
from reporting.questionnaire.measures import NO_DATA, UNITS

AFRICA, AMERICAS, ASIA, EUROPE, OCEANIA = 2, 19, 142, 150, 9
NORTH_AMERICA, SOUTH_AMERICA, CENTRAL_AMERICA = 21, 5, 13
SOUTHERN_ASIA, SOUTH_EASTERN_ASIA, WESTERN_ASIA, EASTERN_EUROPE = 34, 35, 145, 151
# Population in millions of the largest Member States; others get a seeded size around 10 million.
POPULATION = {"IND": 1430, "CHN": 1410, "USA": 335, "IDN": 278, "PAK": 240, "NGA": 224, "BRA": 216, "BGD": 173,
              "RUS": 144, "MEX": 128, "ETH": 127, "JPN": 124, "PHL": 117, "EGY": 113, "COD": 102, "VNM": 99,
              "IRN": 89, "TUR": 86, "DEU": 84, "THA": 72, "GBR": 68, "FRA": 68, "COL": 52, "AFG": 42, "MMR": 54,
              "PER": 34, "BOL": 12}
DEMO_NOTE = "[DEMO] Synthetic figures generated for the demonstration."

# Screening: chance of "yes" by region (M49 sub-region first, then region, then "*").
SCREENING = {
    "screening.strategy": {"*": 0.9},
    "screening.cultivation_opium": {SOUTHERN_ASIA: 0.5, SOUTH_EASTERN_ASIA: 0.4, CENTRAL_AMERICA: 0.3, "*": 0.02},
    "screening.cultivation_coca": {SOUTH_AMERICA: 0.5, "*": 0.0},
    "screening.cultivation_cannabis": {"*": 0.55},
    "screening.manufacture": {AMERICAS: 0.5, ASIA: 0.5, EUROPE: 0.5, "*": 0.2},
    "screening.oat": {EUROPE: 0.95, AMERICAS: 0.5, ASIA: 0.5, OCEANIA: 0.8, "*": 0.3},
    "screening.ews": {EUROPE: 0.95, "*": 0.35},
    "screening.injecting": {"*": 0.8},
}
CROP_SCREENING = {"opium_poppy": "screening.cultivation_opium", "coca_bush": "screening.cultivation_coca",
                  "cannabis_plant": "screening.cultivation_cannabis"}


def _regional(table: dict, country: Country, default: float = 1.0) -> float:
    for key in (country.subregion_m49, country.region_m49, "*"):
        if key in table:
            return table[key]
    return default


def screening_answer(key: str, country: Country) -> str | None:
    """'yes' or 'no' for a screening question, plausible for the country's region (seeded by country)."""
    chances = SCREENING.get(key)
    if chances is None:
        return None
    return "yes" if random.Random(f"{country.iso3}:{key}").random() < _regional(chances, country) else "no"


def _size(country: Country) -> float:
    """Population in millions (the largest countries) or a seeded size of a typical country."""
    if country.iso3 in POPULATION:
        return POPULATION[country.iso3]
    return round(math.exp(random.Random(f"{country.iso3}:size").gauss(math.log(8), 1.1)), 2)


# Typical value per million inhabitants (summable units) or typical level (rates, shares, prices), by region.
# (indicator, column) → {row or "*": {region or "*": value}}
PER_MILLION_OR_LEVEL: dict[tuple[str, str], dict[str, dict]] = {
    ("prevalence_adults", "past_year"): {
        "cannabis_herb": {"*": 4.0, OCEANIA: 10.0, NORTH_AMERICA: 15.0, ASIA: 1.5}, "cocaine_hcl": {AMERICAS: 1.2, EUROPE: 0.9, "*": 0.1},
        "heroin": {"*": 0.3}, "methamphetamine": {SOUTH_EASTERN_ASIA: 1.0, NORTH_AMERICA: 0.9, "*": 0.2},
        "amphetamine": {EUROPE: 0.5, WESTERN_ASIA: 0.6, "*": 0.2}, "ecstasy": {EUROPE: 0.8, OCEANIA: 1.5, "*": 0.3},
        "tramadol": {AFRICA: 2.0, WESTERN_ASIA: 1.0, "*": 0.2}, "sedatives": {"*": 1.5}, "*": {"*": 0.3}},
    ("prevalence_students", "past_year"): {"cannabis_herb": {"*": 8.0, ASIA: 2.0}, "*": {"*": 1.0}},
    ("pwid_estimate", "persons"): {"*": {"*": 1500, EASTERN_EUROPE: 6000, NORTH_AMERICA: 9000}},
    ("pwid_estimate", "rate"): {"*": {"*": 250, EASTERN_EUROPE: 1100, NORTH_AMERICA: 1300}},
    ("pwid_estimate", "hiv"): {"*": {"*": 9.0, EASTERN_EUROPE: 25.0, EUROPE: 4.0}},
    ("pwid_estimate", "hcv"): {"*": {"*": 45.0}},
    ("drug_use_disorders", "persons"): {
        "cannabis_herb": {"*": 2500}, "cocaine_hcl": {AMERICAS: 2500, EUROPE: 1200, "*": 100}, "heroin": {"*": 1500, ASIA: 2500},
        "methamphetamine": {SOUTH_EASTERN_ASIA: 2500, NORTH_AMERICA: 2500, "*": 300}, "*": {"*": 400}},
    ("treatment_persons", "persons"): {
        "cannabis_herb": {"*": 250, EUROPE: 900}, "cocaine_hcl": {AMERICAS: 400, EUROPE: 300, "*": 10},
        "cocaine_base": {SOUTH_AMERICA: 300, "*": 5}, "heroin": {"*": 300, EUROPE: 800},
        "methamphetamine": {SOUTH_EASTERN_ASIA: 300, NORTH_AMERICA: 400, "*": 30}, "*": {"*": 60}},
    ("opioid_agonist_treatment", "persons"): {"*": {"*": 300, EUROPE: 1300, NORTH_AMERICA: 2500}},
    ("drug_deaths", "deaths"): {"total": {"*": 8, NORTH_AMERICA: 300, EUROPE: 12}, "*": {"*": 1.5, NORTH_AMERICA: 55}},
    ("drug_deaths", "rate"): {"*": {"*": 1.2, NORTH_AMERICA: 32.0, EUROPE: 2.0}},
    ("overdose_deaths_substance", "deaths"): {"fentanyl": {NORTH_AMERICA: 200, "*": 0.3}, "heroin": {"*": 3}, "*": {"*": 1.5}},
    ("drug_seizures", "kg"): {
        "cannabis_herb": {"*": 900, AMERICAS: 4000}, "cannabis_resin": {EUROPE: 700, AFRICA: 300, WESTERN_ASIA: 600, "*": 20},
        "cocaine_hcl": {AMERICAS: 2500, SOUTH_AMERICA: 9000, EUROPE: 400, "*": 5}, "cocaine_base": {SOUTH_AMERICA: 900, "*": 1},
        "heroin": {SOUTHERN_ASIA: 80, WESTERN_ASIA: 120, EUROPE: 8, "*": 2}, "opium": {SOUTHERN_ASIA: 600, WESTERN_ASIA: 900, "*": 1},
        "methamphetamine": {SOUTH_EASTERN_ASIA: 600, NORTH_AMERICA: 350, "*": 5}, "amphetamine": {EUROPE: 30, WESTERN_ASIA: 80, "*": 2},
        "ecstasy": {EUROPE: 3, "*": 0.5}, "fentanyl": {NORTH_AMERICA: 25, "*": 0.01}, "tramadol": {AFRICA: 150, "*": 1}, "*": {"*": 2}},
    ("drug_seizures", "units"): {"ecstasy": {EUROPE: 40000, OCEANIA: 30000, "*": 2000}, "amphetamine": {WESTERN_ASIA: 900000, "*": 500},
                                  "tramadol": {AFRICA: 400000, "*": 2000}, "*": {"*": 0}},
    ("drug_seizures", "cases"): {"cannabis_herb": {"*": 900}, "*": {"*": 40}},
    ("nps_identified", "substances"): {"total": {EUROPE: 45, "*": 12}},
    ("nps_identified", "first_time"): {"total": {EUROPE: 6, "*": 2}},
    ("laboratories_dismantled", "laboratories"): {"methamphetamine": {NORTH_AMERICA: 15, SOUTH_EASTERN_ASIA: 4, "*": 0.5},
                                                  "cocaine_hcl": {SOUTH_AMERICA: 60, "*": 0.05}, "*": {"*": 0.2}},
    ("illicit_cultivation", "cultivated"): {"opium_poppy": {SOUTHERN_ASIA: 3000, SOUTH_EASTERN_ASIA: 900, CENTRAL_AMERICA: 250, "*": 5},
                                            "coca_bush": {SOUTH_AMERICA: 1800, "*": 0}, "cannabis_plant": {"*": 40, AFRICA: 120}},
    ("drug_prices", "retail_price"): {"cannabis_herb": {"*": 9.0, AMERICAS: 6.0, AFRICA: 2.0}, "cannabis_resin": {"*": 12.0},
                                      "cocaine_hcl": {SOUTH_AMERICA: 6.0, EUROPE: 80.0, OCEANIA: 230.0, "*": 90.0},
                                      "heroin": {SOUTHERN_ASIA: 8.0, EUROPE: 45.0, "*": 60.0},
                                      "methamphetamine": {SOUTH_EASTERN_ASIA: 30.0, OCEANIA: 300.0, "*": 60.0}, "*": {"*": 20.0}},
    ("drug_prices", "retail_purity"): {"cocaine_hcl": {"*": 55.0}, "heroin": {"*": 35.0}, "methamphetamine": {"*": 70.0}, "*": {"*": 0}},
    ("justice_contact", "police_personal_use"): {"*": {"*": 600, EUROPE: 2500, NORTH_AMERICA: 2200}},
    ("justice_contact", "police_trafficking"): {"*": {"*": 250}},
    ("justice_contact", "prosecuted"): {"*": {"*": 300}},
    ("justice_contact", "convicted"): {"*": {"*": 180}},
    ("prison_population_drugs", "persons"): {"*": {"*": 180, AMERICAS: 350}},
    ("prison_population_drugs", "personal_use"): {"*": {"*": 30}},
}
SHARES = {"male": 0.82, "female": 0.18}  # of the "total" row, for sex tables
AGE_SHARES = {"age_under_25": 0.14, "age_25_34": 0.3, "age_35_44": 0.27, "age_45_54": 0.17, "age_55_64": 0.09, "age_65_plus": 0.03}
# Columns derived from another column of the same row: (source column, low share, high share).
DERIVED = {"past_month": ("past_year", 0.35, 0.6), "women": (None, 0.15, 0.3), "first_time": (None, 0.15, 0.35),
           "in_prison": ("persons", 0.02, 0.08), "industrial": ("laboratories", 0.0, 0.2),
           "eradicated": ("cultivated", 0.02, 0.3), "wholesale_price": ("retail_price", 0.2, 0.5)}


def _typical(indicator: str, column: str, row: str, country: Country) -> float | None:
    table = PER_MILLION_OR_LEVEL.get((indicator, column))
    if table is None:
        return None
    by_region = table.get(row, table.get("*"))
    return None if by_region is None else _regional(by_region, country, default=0)


def demo_table(item: dict, country: Country, rng: random.Random, answers: dict[str, Any],
               complete: bool = False) -> dict | None:
    """A plausible synthetic table answer for one country (``rng`` is seeded by cycle and country);
    ``complete``: every row and cell filled, as a country answering everything would."""
    table, indicator = item["table"], item["table"]["indicator"]
    if not complete and rng.random() < 0.12:
        return None  # not every country reports every indicator
    size = _size(country)
    # Now and then a tenfold jump that the plausibility check flags (not in the largest countries,
    # whose jump would swamp the world's change).
    cycle_factor = rng.uniform(0.8, 1.25) * (12 if rng.random() < 0.01 and size < 50 else 1)
    columns = {column["key"]: column for column in table["columns"]}
    rows: dict[str, dict[str, Any]] = {}
    for row in table["rows"]:
        value = row["value"]
        if value in CROP_SCREENING and answers.get(CROP_SCREENING[value]) != "yes":
            continue
        cells: dict[str, Any] = {}
        for key, column in columns.items():
            seed = random.Random(f"{country.iso3}:{indicator}:{value}:{key}")
            if seed.random() < 0.08 and not complete:
                cells[key] = NO_DATA
                continue
            typical = _typical(indicator, key, "total" if value in SHARES or value in AGE_SHARES else value, country)
            if typical is None:
                continue
            summable = UNITS[column["unit"]].summable
            share = SHARES.get(value, AGE_SHARES.get(value, 1.0)) if summable else 1.0
            base = typical * share * (size if summable else 1) * math.exp(seed.gauss(0, 0.5))
            cells[key] = _fit(base * cycle_factor, column)
        for key, (source, low, high) in DERIVED.items():
            if key in columns and key not in cells:
                source_value = cells.get(source or next(iter(columns)))
                if isinstance(source_value, (int, float)):
                    cells[key] = _fit(source_value * rng.uniform(low, high), columns[key])
        cells = {key: cells[key] for key in columns if key in cells and not (cells[key] == 0 and key not in ("kg",))}
        if cells:
            rows[value] = cells
    _fix_totals(table, rows)
    if not rows:
        return None
    answer: dict[str, Any] = {"rows": rows, "note": DEMO_NOTE}
    if table.get("reference_year") == "latest_available":
        answer["year"] = 2025 - random.Random(f"{country.iso3}:{indicator}:year").randint(1, 6)
    return answer


def _fit(value: float, column: dict) -> int | float:
    """Round to the column's decimals and keep within its limits."""
    value = min(max(value, column.get("min", 0)), column.get("max", value))
    decimals = column.get("decimals", 0)
    return int(round(value)) if decimals == 0 else round(value, min(decimals, 2))


def _fix_totals(table: dict, rows: dict[str, dict[str, Any]]) -> None:
    """Make parts add up to no more than their total, as the form requires."""
    for rule in table.get("totals", ()):
        if rule["axis"] == "rows":
            total = rows.get(rule["total"], {})
            summable = {c["key"] for c in table["columns"] if UNITS[c["unit"]].summable}
            for column, value in total.items():
                if column not in summable:
                    continue
                parts = [rows.get(part, {}).get(column) for part in rule["parts"]]
                numbers = [p for p in parts if isinstance(p, (int, float))]
                if isinstance(value, (int, float)) and sum(numbers) > value:
                    total[column] = type(value)(sum(numbers))
        else:
            for cells in rows.values():
                total = cells.get(rule["total"])
                for part in rule["parts"]:
                    if isinstance(total, (int, float)) and isinstance(cells.get(part), (int, float)) and cells[part] > total:
                        cells[part] = total

"""The controlled vocabularies of the quantitative core: units, disaggregation
lists, ARQ modules, SDG indicators, data sources.

One place for them, imported by the indicator catalogue loader, the spec
validation, the ``table`` question kind and the reports, so that a unit or a
substance means the same thing everywhere. Labels are English gettext msgids
(``N_``), translated where they are shown.
"""
from dataclasses import dataclass

from reporting.questionnaire.scale import N_

NO_DATA = "no_data"  # stored marker of the ARQ's "--": the country has no data (distinct from 0 and from unanswered)
NO_DATA_TOKENS = frozenset({"--", "—", "–", "no_data"})  # what a respondent may type for it


@dataclass(frozen=True)
class Unit:
    key: str
    label: str
    integer: bool  # counts of things or people: no decimals
    maximum: float  # anything above is an input error for one country and one year
    decimals: int
    summable: bool  # a sum over countries means something (quantities, people); else median and range


UNITS = {unit.key: unit for unit in (
    Unit("count", N_("number"), True, 10**9, 0, True),
    Unit("persons", N_("persons"), True, 2 * 10**9, 0, True),
    Unit("kg", N_("kg"), False, 10**8, 3, True),
    Unit("litres", N_("litres"), False, 10**8, 3, True),
    Unit("units", N_("units (tablets)"), True, 10**10, 0, True),
    Unit("hectares", N_("hectares"), False, 10**7, 2, True),
    Unit("percent", N_("%"), False, 100, 2, False),
    Unit("rate_100k", N_("rate per 100,000"), False, 100_000, 2, False),
    Unit("usd_per_gram", N_("US dollars per gram"), False, 100_000, 2, False),
)}

SUBSTANCES = {
    "cannabis_herb": N_("Cannabis herb"),
    "cannabis_resin": N_("Cannabis resin"),
    "cocaine_hcl": N_("Cocaine hydrochloride"),
    "cocaine_base": N_("Crack/cocaine base"),
    "coca_leaf": N_("Coca leaf"),
    "heroin": N_("Heroin"),
    "opium": N_("Opium"),
    "morphine": N_("Morphine"),
    "fentanyl": N_("Fentanyl and analogues"),
    "other_synthetic_opioids": N_("Other synthetic opioids"),
    "tramadol": N_("Tramadol"),
    "methamphetamine": N_("Methamphetamine"),
    "amphetamine": N_("Amphetamine"),
    "ecstasy": N_("“Ecstasy”-type substances"),
    "nps": N_("New psychoactive substances"),
    "sedatives": N_("Sedatives and tranquillizers"),
    "other": N_("Other"),
}
SEX = {"total": N_("Total"), "male": N_("Male"), "female": N_("Female")}
AGE_GROUPS = {
    "total": N_("Total"),
    "age_under_25": N_("Under 25"),
    "age_25_34": N_("25–34"),
    "age_35_44": N_("35–44"),
    "age_45_54": N_("45–54"),
    "age_55_64": N_("55–64"),
    "age_65_plus": N_("65 and over"),
}
CROPS = {"opium_poppy": N_("Opium poppy"), "coca_bush": N_("Coca bush"), "cannabis_plant": N_("Cannabis plant")}
TOTAL_ONLY = {"total": N_("Total")}

# Disaggregation name → its controlled list (value → label). Rows of a table come from one of these only.
DISAGGREGATIONS = {
    "substance": SUBSTANCES,
    "sex": SEX,
    "age_group": AGE_GROUPS,
    "crop": CROPS,
    "total": TOTAL_ONLY,
}
DISAGGREGATION_LABELS = {
    "substance": N_("Substance"),
    "sex": N_("Sex"),
    "age_group": N_("Age group"),
    "crop": N_("Crop"),
    "total": N_("Total"),
}

# The core modules of the revised ARQ (2019 pilot), in questionnaire order.
MODULES = {
    "prevalence": N_("Prevalence of drug use"),
    "people_who_inject_drugs": N_("People who inject drugs"),
    "drug_use_disorders": N_("Drug use disorders"),
    "drug_related_mortality": N_("Drug-related mortality"),
    "treatment": N_("Treatment"),
    "seizures_trafficking": N_("Seizures and trafficking"),
    "clandestine_laboratories": N_("Clandestine laboratories"),
    "cultivation_eradication": N_("Cultivation and eradication"),
    "price_purity": N_("Price and purity"),
    "criminal_justice": N_("Criminal justice"),
}
SDG_INDICATORS = {
    "3.5.1": N_("SDG 3.5.1: coverage of treatment interventions for substance use disorders"),
    "16.4.1": N_("SDG 16.4.1: total value of inward and outward illicit financial flows"),
}
DATA_SOURCES = {
    "population_survey": N_("General population survey"),
    "school_survey": N_("School survey"),
    "indirect_estimate": N_("Indirect estimate"),
    "treatment_records": N_("Treatment records"),
    "death_registry": N_("Death registry or toxicology records"),
    "law_enforcement_records": N_("Law enforcement records"),
    "forensic_laboratory": N_("Forensic laboratory data"),
    "crop_monitoring_survey": N_("Crop monitoring survey"),
    "price_monitoring": N_("Price and purity monitoring"),
    "criminal_justice_records": N_("Police, prosecution and court records"),
}
REFERENCE_YEARS = {
    "previous_calendar_year": N_("The calendar year before the reporting cycle"),
    "latest_available": N_("The latest year with data (give the year)"),
}
# The screening questions (single choice, 'yes' / 'no') that switch indicator tables on and off.
SCREENING_KEYS = (
    "screening.strategy", "screening.cultivation_opium", "screening.cultivation_coca",
    "screening.cultivation_cannabis", "screening.manufacture", "screening.oat", "screening.ews",
    "screening.injecting",
)

# SDG 3.5.1 is derived, never asked: people in treatment over people with drug use disorders.
SDG_351 = {
    "numerator": ("treatment_persons", "persons"),
    "denominator": ("drug_use_disorders", "persons"),
}


def measure_problems(measure: dict) -> list[tuple[str, str]]:
    """A measure's type, limits and decimals against its unit (shared with the spec's table checks)."""
    unit = UNITS[measure["unit"]]
    problems = []
    if unit.integer and measure["type"] != "integer":
        problems.append(("type", f"measure {measure['id']}: {unit.key} are whole numbers, so type must be integer"))
    low, high = measure.get("min", 0), measure.get("max", unit.maximum)
    if high > unit.maximum:
        problems.append(("max", f"measure {measure['id']}: max {high} is above what {unit.key} allows ({unit.maximum:g})"))
    if low > high:
        problems.append(("min", f"measure {measure['id']}: min {low} is greater than max {high}"))
    most = 0 if measure["type"] == "integer" else unit.decimals
    if measure.get("decimals", most) > most:
        problems.append(("decimals", f"measure {measure['id']}: at most {most} decimals for a {measure['type']} in {unit.key}"))
    return problems

"""Reporting burden per Member State: required questions and visible fields, arq 1.0.0 against 2.0.0.

Run: ``.venv/bin/python benchmarks/questionnaire_burden.py [ISO3 ...]``. For each
country (default France, Mexico, Egypt, Kenya, United States, China) and each spec
version, counts with the country's regional modules:

- required questions: required items that apply (screening included);
- visible fields: every item that applies when each status question is
  answered "in progress" (so that its follow-up fields show).

Two screening scenarios for 2.0.0: every screening answer "yes" (all modules
on), and a landlocked non-producing country (no cultivation, no clandestine
manufacture, no support to alternative development abroad; strategy, opioid
agonist treatment, early warning and people who inject drugs present).
"""
import csv
import sys
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forms.relevance import is_visible, section_applies  # noqa: E402
from forms.spec import Spec  # noqa: E402
from reporting.countries.services import country_scopes  # noqa: E402
from reporting.questionnaire.schema import SPECS_DIR, load_spec  # noqa: E402

COUNTRIES = ("FRA", "MEX", "EGY", "KEN", "USA", "CHN")
NON_PRODUCER = {"screening.strategy": "yes", "screening.cultivation_opium": "no", "screening.cultivation_coca": "no",
                "screening.cultivation_cannabis": "no", "screening.manufacture": "no", "screening.oat": "yes",
                "screening.ews": "yes", "screening.injecting": "yes", "screening.ad_support": "no"}


def countries() -> dict[str, SimpleNamespace]:
    path = ROOT / "reporting" / "countries" / "data" / "member_states.csv"
    with open(path, encoding="utf-8") as stream:
        rows = [row for row in csv.DictReader(stream) if row["status"] == "member"]
    to_int = lambda value: int(value) if value else None  # noqa: E731
    return {row["iso3"]: SimpleNamespace(iso3=row["iso3"], region_m49=to_int(row["region_m49"]),
                                         subregion_m49=to_int(row["subregion_m49"]),
                                         intermediate_region_m49=to_int(row["intermediate_region_m49"]))
            for row in rows}


def burden(spec: Spec, scopes: frozenset[str], screening: dict[str, str] | None) -> tuple[int, int]:
    """(required questions, visible fields) for a country with these scopes and screening answers."""
    answers = dict(screening or {})
    for section in spec.sections:
        for item in section.status_items:
            answers[item["key"]] = "in_progress"
    required = visible = 0
    for section in spec.sections_for(scopes):
        if not section_applies(section, answers):
            continue
        for item in section.items:
            if is_visible(item, answers):
                visible += 1
                required += bool(item.get("required"))
    return required, visible


def main(codes: list[str]) -> None:
    old, new = (Spec(load_spec(SPECS_DIR / f"arq-{version}.yaml")) for version in ("1.0.0", "2.0.0"))
    all_yes = {key: "yes" for key in NON_PRODUCER}
    known = countries()
    print(f"{'country':8} {'1.0.0 required/fields':>22} {'2.0.0 all yes':>16} {'2.0.0 non-producer':>20}")
    for code in codes:
        scopes = country_scopes(known[code])
        figures = [burden(old, scopes, None), burden(new, scopes, all_yes), burden(new, scopes, NON_PRODUCER)]
        print(f"{code:8} " + " ".join(f"{r:>10}/{v:<6}" for r, v in figures))
    worst = max((burden(new, country_scopes(c), all_yes)[0], iso3) for iso3, c in known.items())
    worst_typical = max((burden(new, country_scopes(c), NON_PRODUCER)[0], iso3) for iso3, c in known.items())
    print(f"largest 2.0.0 burden over the 193 Member States: {worst[0]} required questions ({worst[1]}) with "
          f"everything on; {worst_typical[0]} ({worst_typical[1]}) as a non-producing country")


if __name__ == "__main__":
    main(sys.argv[1:] or list(COUNTRIES))

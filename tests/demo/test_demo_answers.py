"""Demo answers follow the questionnaire's own rules: modules switched off by a country's screening
answers stay empty, and a section declared not applicable answers its status questions so."""
import random
from types import SimpleNamespace

from forms.relevance import is_visible, section_applies
from forms.spec import Spec
from reporting.demo.services import _answers
from reporting.questionnaire.schema import SPECS_DIR, load_spec

SPEC = Spec(load_spec(SPECS_DIR / "arq-2.0.0.yaml"))


def _country(iso3: str) -> SimpleNamespace:
    return SimpleNamespace(iso3=iso3, region_m49=150, subregion_m49=155, intermediate_region_m49=None)


def test_switched_off_modules_get_no_demo_answers_and_not_applicable_sections_answer_so():
    switched_off = declared = 0
    for number in range(60):
        country = _country(f"X{number:02d}")
        answers = _answers(list(SPEC.sections), country, 0.6, random.Random(number))
        for section in SPEC.sections:
            keys = [item["key"] for item in section.items]
            if not section_applies(section, answers):
                switched_off += 1
                assert not any(key in answers for key in keys), (country.iso3, section.key)
            elif answers.get(f"{section.key}.not_applicable"):
                declared += 1
                assert answers[f"{section.key}.not_applicable_reason"]
                assert {answers[item["key"]] for item in section.status_items if is_visible(item, answers)} == {
                    "not_applicable"}
    assert switched_off and declared

"""arq 2.0.0, the improved questionnaire: policy questions that cover every Member-State commitment
exactly once, declaratory records never asked, screening that switches modules, section "not
applicable", carry-forward from 1.0.0, and clear errors for a questions file that does not fit."""
from datetime import date
import re
from pathlib import Path

import pytest
from sqlalchemy import select
import yaml

from benchmarks.questionnaire_burden import NON_PRODUCER, burden, countries
from forms.relevance import section_applies
from forms.spec import Spec
from reporting.countries.services import country_scopes
from reporting.database import write_transaction
from reporting.extensions import db
from reporting.models import Answer, Country, Submission
from reporting.questionnaire.questions import QUESTIONS_PATH, QuestionsError, load_questions
from reporting.questionnaire.schema import SPECS_DIR, load_spec
from reporting.questionnaire.versions import carry_forward
from reporting.register.build import load_register
from reporting.responses.cycles import open_cycle

from tests.conftest import post_section, store_spec

V1, V2 = (load_spec(SPECS_DIR / f"arq-{version}.yaml") for version in ("1.0.0", "2.0.0"))
REGISTER = load_register()
ASKED = {record["id"] for record in REGISTER
         if "member_states" in record["addressees"] and record["kind"] == "commitment"}
DECLARATORY = {record["id"] for record in REGISTER if record["kind"] == "declaratory"}


def status_items(spec: dict) -> list[dict]:
    return [item for pillar in spec["pillars"] for section in pillar["sections"] for item in section["items"]
            if item["kind"] == "status"]


def test_every_member_state_commitment_is_asked_by_exactly_one_question():
    covered = [cid for item in status_items(V2) for cid in item["commitments"]]
    assert sorted(covered) == sorted(ASKED)
    assert len(status_items(V2)) == 97 and len(ASKED) == 499


def test_declaratory_records_are_context_never_questions():
    asked = {cid for item in status_items(V2) for cid in item["commitments"]}
    assert DECLARATORY and not asked & DECLARATORY
    for chapeau in ("ungass2016.1", "ungass2016.4", "pd2009.36", "poa2009.III.51"):
        assert chapeau in DECLARATORY
    framed = {cid for item in status_items(V2) for cid in item.get("context", ())}
    assert {"ungass2016.1", "pd2009.36"} <= framed  # chapeaus frame the questions of their sub-items
    assert "ungass2016.pp18" in {cid for pillar in V2["pillars"] for s in pillar["sections"] for cid in s.get("context", ())}


def test_screening_switches_the_cultivation_and_development_modules():
    spec = Spec(V2)
    cultivation, development = spec.section("sr-cultivation"), spec.section("sr-development")
    none = {f"screening.{key}": "no" for key in ("cultivation_opium", "cultivation_coca", "cultivation_cannabis",
                                                 "ad_support")}
    assert not section_applies(cultivation, none) and not section_applies(development, none)
    coca = none | {"screening.cultivation_coca": "yes"}
    assert section_applies(cultivation, coca) and section_applies(development, coca)
    donor = none | {"screening.ad_support": "yes"}
    assert not section_applies(cultivation, donor) and section_applies(development, donor)
    assert section_applies(spec.section("dr-prevention"), none)  # thematic areas are always asked


def test_the_questionnaire_is_shorter_for_every_country():
    old, new = Spec(V1), Spec(V2)
    everything = {key: "yes" for key in NON_PRODUCER}
    for code, country in countries().items():
        scopes = country_scopes(country)
        before, on, typical = burden(old, scopes, None), burden(new, scopes, everything), burden(new, scopes, NON_PRODUCER)
        assert on[0] <= 150 and typical[0] <= 90 and typical[0] < on[0] < before[0] / 4, code


def test_carry_forward_from_one_question_per_commitment():
    agree = {"poa2009.I.4.f.status": "implemented", "jms2014-priorities.7.status": "implemented",
             "ungass2016.1.a.status": "implemented", "poa2009.I.4.f.measures": "School programmes in all regions."}
    carried = carry_forward(V1, V2, agree)
    assert carried["prevention-programmes.status"] == "implemented"
    assert carried["prevention-programmes.measures"] == "School programmes in all regions."
    assert carried["prevention-programmes.checklist"] == ["jms2014_priorities_7", "poa2009_i_4_f", "ungass2016_1_a"]
    disagree = agree | {"ungass2016.1.a.status": "planned"}
    carried = carry_forward(V1, V2, disagree)
    assert "prevention-programmes.status" not in carried
    assert carried["prevention-programmes.checklist"] == ["jms2014_priorities_7", "poa2009_i_4_f"]


def _questions_file(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(QUESTIONS_PATH.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "questions.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _first(data):
    return data["sections"]["dr-prevention"][0]


@pytest.mark.parametrize("change, message", [
    (lambda d: _first(d)["covers"].append("ungass2016.1.zz"), "covers ungass2016.1.zz, which is not in the register"),
    (lambda d: _first(d)["covers"].append("pd2009.14"), "pd2009.14 is covered twice"),
    (lambda d: _first(d)["covers"].append("ungass2016.pp18"), "ungass2016.pp18, a declaratory record"),
    (lambda d: d["modules"]["sr-cultivation"].update(show_if="screening.opium == 'yes'"), "unknown key 'screening.opium'"),
    (lambda d: _first(d)["covers"].remove("sofia2018.18"), "sofia2018 sofia2018.18 is covered by no question"),
])
def test_a_questions_file_that_does_not_fit_the_register_is_refused(tmp_path, change, message):
    path = _questions_file(tmp_path, change)
    with pytest.raises(QuestionsError) as error:
        load_questions(REGISTER, path)
    assert message in str(error.value) and f"{path}:" in str(error.value)


def test_regeneration_with_an_uncovered_commitment_stops_and_writes_nothing(runner, tmp_path):
    path = _questions_file(tmp_path, lambda d: _first(d)["covers"].remove("sofia2018.18"))
    out = tmp_path / "specs"
    result = runner.invoke(args=["spec", "generate", "--questions", str(path), "--out", str(out)])
    assert result.exit_code != 0
    assert "sofia2018.18 is covered by no question" in result.output
    assert "flask register similar --id sofia2018.18" in result.output
    assert not out.exists()


def test_a_section_declared_not_applicable_answers_its_questions_so(app, client, login_as):
    with write_transaction():
        store_spec(V2)
        open_cycle("2025", "2.0.0", date(2026, 6, 30))
    login_as("focal_point", "FRA")
    response = post_section(client, "sr-emerging", {
        "sr-emerging.not_applicable": "y", "sr-emerging.not_applicable_reason": "No such market here.",
        "nps-control.status": "implemented"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    db.session.rollback()  # see what the request committed
    answers = {answer.key: answer.value for answer in db.session.scalars(select(Answer))}
    assert answers["nps-control.status"] == "not_applicable"
    assert answers["internet-trafficking.status"] == "not_applicable"
    assert answers["sr-emerging.not_applicable_reason"] == "No such market here."


def test_similar_proposes_restatements_together_and_homes_for_a_commitment(runner):
    result = runner.invoke(args=["register", "similar"])
    assert result.exit_code == 0, result.output
    group = result.output.split("UNGASS chapter 3, 3 commitments:\n", 1)[1].splitlines()[:3]
    assert [line.split()[0] for line in group] == ["pd2009.28", "jms2014-priorities.24", "ungass2016.3.k"]
    result = runner.invoke(args=["register", "similar", "--id", "sofia2018.18"])
    assert result.exit_code == 0 and result.output.splitlines()[1].split()[0] == "prevention-programmes"
    result = runner.invoke(args=["register", "similar", "--id", "pd2009.99"])
    assert result.exit_code != 0 and "not in the register: pd2009.99" in result.output


def test_a_cycle_on_2_0_0_after_one_on_1_0_0_carries_agreeing_answers_and_hints_at_the_others(app, client, login_as):
    with write_transaction():
        store_spec(V1)
        store_spec(V2)
        first = open_cycle("2024", "1.0.0", date(2025, 6, 30))
        france = db.session.scalar(select(Submission).join(Country).where(
            Submission.cycle_id == first.id, Country.iso3 == "FRA"))
        for key, value in {"poa2009.I.4.f.status": "implemented", "jms2014-priorities.7.status": "implemented",
                           "ungass2016.1.a.status": "implemented", "pd2009.14.status": "implemented",
                           "poa2009.I.12.c.status": "planned"}.items():
            france.answers.append(Answer(key=key, value=value))
        france.state = "accepted"
        open_cycle("2025", "2.0.0", date(2026, 6, 30))
    login_as("focal_point", "FRA")
    page = client.get("/cycles/2025/FRA/dr-prevention").get_data(as_text=True)
    radios = re.findall(r'<input type="radio" name="prevention-programmes.status"[^>]*>', page)
    assert len(radios) == 5
    assert [radio for radio in radios if " checked" in radio] == [
        radio for radio in radios if 'value="implemented"' in radio]  # carried: the three statuses agreed
    hint = page.split('id="item-prevention-awareness.status"', 1)[1].split("</th>", 1)[0]
    assert "different statuses" in hint and "Implemented" in hint and "Planned" in hint
    assert "different statuses" not in page.split('id="item-prevention-programmes.status"', 1)[1].split("</th>", 1)[0]


def test_spec_diff_explains_how_1_0_0_answers_reach_the_policy_questions(runner, tmp_path):
    changelog = tmp_path / "changes.md"
    result = runner.invoke(args=["spec", "diff", str(SPECS_DIR / "arq-1.0.0.yaml"), str(SPECS_DIR / "arq-2.0.0.yaml"),
                                 "--changelog", str(changelog)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "removed items feed" in lines[0] and "pre-filled where the earlier answers agree" in lines[0]
    added = next(line for line in lines if " prevention-programmes.status " in line)
    assert "from poa2009.I.4.f.status, jms2014-priorities.7.status" in added
    removed = next(line for line in lines if " pd2009.14.status " in line)
    assert "merged into prevention-awareness.status" in removed and "feeds the new question" in removed
    assert "merged into prevention-awareness.status" in changelog.read_text(encoding="utf-8")

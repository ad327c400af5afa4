"""Generating the spec from the register: one status question per Member-State commitment, stable keys,
thematic areas, regional modules, indicators where a target is measurable."""
from collections import Counter
import copy
import re

import pytest

from reporting.questionnaire import areas
from reporting.questionnaire.expressions import holds, parse
from reporting.questionnaire.generate import generate_questionnaire, generate_spec, measurable_targets
from reporting.questionnaire.indicators import load_catalogue
from reporting.questionnaire.questions import load_questions
from reporting.questionnaire.schema import SPECS_DIR, dump_spec, items, sections, validate_spec
from reporting.questionnaire.versions import newest_spec
from reporting.register.build import register_checksum

from tests.questionnaire.conftest import CHECKSUM, record


def status_items(spec) -> Counter:
    return Counter(item["commitments"][0] for _, item in items(spec) if item["kind"] == "status")


def test_every_member_state_commitment_has_exactly_one_status_item(real_register):
    spec = generate_spec(real_register, CHECKSUM)
    asked = status_items(spec)
    context = Counter(cid for _, section in sections(spec) for cid in section.get("context", ()))
    for commitment in real_register:
        if "member_states" in commitment["addressees"]:
            assert asked[commitment["id"]] == 1, commitment["id"]
            assert context[commitment["id"]] == 0, commitment["id"]
        else:
            assert (asked[commitment["id"]], context[commitment["id"]]) == (0, 1), commitment["id"]
    assert set(spec["commitments"]) == {commitment["id"] for commitment in real_register}


def test_the_generated_spec_is_valid(real_register):
    validate_spec(generate_spec(real_register, CHECKSUM), {commitment["id"] for commitment in real_register})


def test_generation_is_deterministic_and_keys_are_stable(real_register):
    first = dump_spec(generate_spec(real_register, CHECKSUM))
    assert dump_spec(generate_spec(copy.deepcopy(real_register), CHECKSUM)) == first
    # Removing one commitment and adding another changes no other key.
    changed = [commitment for commitment in real_register if commitment["id"] != real_register[3]["id"]]
    changed.append(record("ungass2016.7.z", "supply_reduction", 7, "A new commitment on alternative development"))
    before = {item["key"] for _, item in items(generate_spec(real_register, CHECKSUM))}
    after = {item["key"] for _, item in items(generate_spec(changed, CHECKSUM))}
    assert {key for key in before if not key.startswith(real_register[3]["id"] + ".")} <= after
    assert after - before == {"ungass2016.7.z.status", "ungass2016.7.z.measures", "ungass2016.7.z.evidence"}


def test_keys_derive_from_commitment_ids(real_register):
    for section, item in items(generate_spec(real_register, CHECKSUM)):
        prefix = item["commitments"][0] if item["commitments"] else section["key"]
        assert re.fullmatch(re.escape(prefix) + r"\.(status|measures|evidence|trend|indicator\.\d|sources|comments)",
                            item["key"]), item["key"]


def test_small_register_layout(small_register):
    spec = generate_spec(small_register, CHECKSUM)
    layout = {section["key"]: [item["key"] for item in section["items"] if item["kind"] == "status"]
              for _, section in sections(spec)}
    assert layout == {
        "dr-prevention": ["poa2009.I.4.f.status"],
        "dr-treatment": ["poa2009.I.4.h.status"],
        "dr-health": ["jms2014-priorities.11.status"],
        "dr-policy": [],
        "sr-precursors": ["poa2009.II.41.b.status"],
        "sr-africa": ["honlea2017.africa.10.a.status"],
        "ic-money-laundering": ["poa2009.III.51.a.status"],
        "ic-eu-celac": ["sofia2018.8.status"],
    }
    by_key = {section["key"]: section for _, section in sections(spec)}
    assert by_key["dr-policy"]["context"] == ["ungass2016.1.r"]
    assert by_key["dr-policy"]["items"] == [{"key": "dr-policy.comments", "kind": "comment", "commitments": [],
                                            "label": "Comments on this section", "max_length": 4000}]
    assert (by_key["ic-eu-celac"]["scope"], by_key["sr-africa"]["scope"]) == (["eu", "celac"], ["africa"])
    assert "chapter" not in by_key["sr-africa"] and by_key["sr-precursors"]["chapter"] == 5
    assert [pillar["key"] for pillar in spec["pillars"]] == list(areas.PILLARS)


def test_measures_and_evidence_are_asked_once_planned_or_beyond(small_register):
    spec = generate_spec(small_register, CHECKSUM)
    measures = next(item for _, item in items(spec) if item["key"] == "poa2009.I.4.f.measures")
    evidence = next(item for _, item in items(spec) if item["key"] == "poa2009.I.4.f.evidence")
    assert (measures["kind"], evidence["kind"]) == ("text", "url")
    rule = parse(measures["show_if"])
    assert measures["show_if"] == evidence["show_if"]
    shown = {status for status in ("not_started", "planned", "in_progress", "implemented", "not_applicable")
             if holds(rule, {"poa2009.I.4.f.status": status})}
    assert shown == {"planned", "in_progress", "implemented"}
    assert not holds(rule, {})


def test_indicators_where_a_target_is_measurable(small_register):
    spec = generate_spec(small_register, CHECKSUM)
    asked = [item for _, item in items(spec) if item["commitments"] == ["jms2014-priorities.11"]]
    assert [(item["key"].split(".", 1)[1], item["kind"]) for item in asked] == [
        ("11.status", "status"), ("11.measures", "text"), ("11.evidence", "url"), ("11.trend", "single_choice"),
        ("11.indicator.1", "number"), ("11.indicator.2", "number"), ("11.sources", "multiple_choice")]
    assert asked[4]["number"] == {"type": "year", "min": 1990, "max": 2015}
    assert asked[5]["number"] == {"type": "percent", "unit": "%", "min": 0, "max": 100}
    check = next(section for _, section in sections(spec) if section["key"] == "dr-health")["checks"][0]
    rule = parse(check["expr"])
    assert not holds(rule, {"jms2014-priorities.11.indicator.2": 30, "jms2014-priorities.11.status": "planned"})
    assert holds(rule, {"jms2014-priorities.11.indicator.2": 30, "jms2014-priorities.11.status": "implemented"})
    assert holds(rule, {"jms2014-priorities.11.status": "planned"})


def test_which_targets_are_measurable():
    records = [
        record("pd2009.36", "supply_reduction", 3, "Set 2019 as target date to eliminate drug problems",
               target={"text": "2019", "year": 2019}),
        record("pd2009.36.a", "supply_reduction", 7, "By 2019, reduce illicit cultivation",
               target={"text": "2019", "year": 2019}),
        record("pd2009.40", "international_cooperation", 6, "High-level review in 2014",
               target={"text": "in 2014", "year": 2014}),
        record("poa2009.II.45.n", "supply_reduction", 7, "Harmonize assistance with the Paris Declaration",
               target={"text": "the 2005 Paris Declaration", "year": 2005}),
        record("jms2014-priorities.11", "demand_reduction", 1, "Halve HIV transmission by 2015",
               target=[{"text": "by 50 per cent by 2015", "year": 2015}]),
    ]
    assert measurable_targets(records) == {"pd2009.36.a": 2019, "jms2014-priorities.11": 2015}


def test_every_pillar_has_one_fallback_area_per_chapter():
    for pillar, pillar_areas in areas.AREAS.items():
        for chapter in range(1, 8):
            fallbacks = [area.key for area in pillar_areas if chapter in area.chapters and area.is_fallback]
            assert len(fallbacks) == 1, (pillar, chapter, fallbacks)
    keys = [area.key for pillar in areas.PILLARS for area in areas.sections_in_order(pillar)]
    assert len(keys) == len(set(keys))


def test_commitments_the_rule_cannot_place_stop_generation(small_register):
    small_register[0]["scope"] = ["oceania"]
    with pytest.raises(areas.AreaError, match=r"commitment poa2009.I.4.f: no regional module for scope \['oceania'\]"):
        generate_spec(small_register, CHECKSUM)
    small_register[0].update(scope=["global"], pillar="harm_reduction")
    with pytest.raises(areas.AreaError, match="commitment poa2009.I.4.f: unknown pillar 'harm_reduction'"):
        generate_spec(small_register, CHECKSUM)


def test_the_committed_spec_is_up_to_date_with_the_register(real_register):
    newest = newest_spec(SPECS_DIR, "arq")
    assert newest is not None, "no questionnaire_specs/arq-*.yaml: run `flask spec generate`"
    generated = generate_questionnaire(real_register, register_checksum(), load_questions(real_register),
                                       load_catalogue(), newest["version"])
    assert generated == newest, "the register changed: run `flask spec generate` and commit the new spec"

"""Spec validation: every kind of bad spec is refused with the item key and the problem."""
import copy

from jsonschema import Draft202012Validator
import pytest
import yaml

from reporting.questionnaire.schema import SCHEMA_PATH, SpecError, dump_spec, load_spec, validate_spec

REGISTER_IDS = {"poa2009.I.4.f", "ungass2016.1.r", "sofia2018.8"}


def problems(spec, register_ids=REGISTER_IDS) -> list[str]:
    with pytest.raises(SpecError) as caught:
        validate_spec(spec, register_ids, source="test.yaml")
    assert str(caught.value).startswith("test.yaml: ")
    return caught.value.problems


def item(spec, key):
    return next(i for p in spec["pillars"] for s in p["sections"] for i in s["items"] if i["key"] == key)


def test_the_inline_spec_is_valid(valid_spec):
    validate_spec(valid_spec, REGISTER_IDS)


def test_a_dumped_spec_loads_back_the_same(valid_spec, tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text(dump_spec(valid_spec), encoding="utf-8")
    assert load_spec(path) == valid_spec
    assert dump_spec(load_spec(path)) == dump_spec(valid_spec)


@pytest.mark.parametrize(("break_it", "expected"), [
    (lambda s: item(s, "poa2009.I.4.f.status").pop("label"), "item poa2009.I.4.f.status: 'label' is a required property"),
    (lambda s: item(s, "poa2009.I.4.f.status").update(kind="essay"), "item poa2009.I.4.f.status: 'essay' is not one of"),
    (lambda s: item(s, "poa2009.I.4.f.budget").pop("number"), "item poa2009.I.4.f.budget: 'number' is a required property"),
    (lambda s: item(s, "poa2009.I.4.f.status").update(number={"type": "integer"}),
     "item poa2009.I.4.f.status: 'number' is not allowed for this kind"),
    (lambda s: item(s, "poa2009.I.4.f.settings").update(choices=[{"value": "x", "label": "X"}]),
     "item poa2009.I.4.f.settings: [{'value': 'x', 'label': 'X'}] is too short"),
    (lambda s: item(s, "poa2009.I.4.f.status").update(colour="red"), "item poa2009.I.4.f.status: Additional properties"),
    (lambda s: s["pillars"][0]["sections"][0].update(chapter=9), "section dr-prevention: 9 is greater than the maximum of 7"),
    (lambda s: s.update(version="1.0"), "version: '1.0' does not match"),
    (lambda s: s["pillars"][0].update(key="harm_reduction"), "pillar harm_reduction: 'harm_reduction' is not one of"),
])
def test_schema_problems_name_the_item(valid_spec, break_it, expected):
    break_it(valid_spec)
    found = problems(valid_spec)
    assert any(problem.startswith(expected) or expected in problem for problem in found), found


def test_duplicate_keys(valid_spec):
    section = valid_spec["pillars"][0]["sections"][0]
    section["items"].append(copy.deepcopy(section["items"][0]))
    valid_spec["pillars"][1]["sections"][0]["key"] = "dr-prevention"
    valid_spec["pillars"][1]["sections"][0]["items"][1]["key"] = "dr-prevention.comments2"
    found = problems(valid_spec)
    assert "item poa2009.I.4.f.status: duplicate key" in found
    assert "section dr-prevention: duplicate section key" in found


def test_keys_derive_from_commitment_ids(valid_spec):
    item(valid_spec, "poa2009.I.4.f.budget")["key"] = "budget.total"
    item(valid_spec, "dr-prevention.comments")["key"] = "comments.dr"
    found = problems(valid_spec)
    assert "item budget.total: key must start with one of its commitment ids poa2009.I.4.f and a dot" in found
    assert "item comments.dr: key must start with its section key dr-prevention and a dot" in found


def test_commitments_must_be_in_the_register_and_listed(valid_spec):
    item(valid_spec, "sofia2018.8.status")["commitments"] = ["sofia2018.99"]
    item(valid_spec, "sofia2018.8.status")["key"] = "sofia2018.99.status"
    found = problems(valid_spec)
    assert "item sofia2018.99.status: commitment sofia2018.99 is not listed under commitments" in found
    assert "item sofia2018.99.status: commitment sofia2018.99 is not in the register" in found
    assert "commitments: sofia2018.8 is listed but no item or section uses it" in found


def test_context_commitments_are_checked_too(valid_spec):
    found = problems(valid_spec, REGISTER_IDS - {"ungass2016.1.r"})
    assert found == ["section dr-prevention: commitment ungass2016.1.r is not in the register"]


@pytest.mark.parametrize(("show_if", "expected"), [
    ("poa2009.I.4.f.status in ['planned'", "item poa2009.I.4.f.measures: show_if: unexpected end of expression at character 35"),
    ("poa2009.I.4.f.staus == 'planned'", "item poa2009.I.4.f.measures: show_if: unknown key 'poa2009.I.4.f.staus' at character 1"),
    ("poa2009.I.4.f.budget > 1", "item poa2009.I.4.f.measures: show_if reads poa2009.I.4.f.budget, which does not come before it"),
    ("poa2009.I.4.f.measures == 'x'", "item poa2009.I.4.f.measures: show_if reads poa2009.I.4.f.measures, which does not come before it"),
    ("poa2009.I.4.f.status == 'planed'", "item poa2009.I.4.f.measures: show_if: 'planed' is not a value of poa2009.I.4.f.status"),
    ("poa2009.I.4.f.status.__class__ == 1", "item poa2009.I.4.f.measures: show_if: unknown key 'poa2009.I.4.f.status.__class__'"),
])
def test_expression_problems(valid_spec, show_if, expected):
    item(valid_spec, "poa2009.I.4.f.measures")["show_if"] = show_if
    found = problems(valid_spec)
    assert len(found) == 1 and found[0].startswith(expected), found


def test_check_problems(valid_spec):
    check = valid_spec["pillars"][0]["sections"][0]["checks"][0]
    check["expr"] = "'gym' in poa2009.I.4.f.settings"
    assert problems(valid_spec) == [
        "check poa2009.I.4.f.budget-check: 'gym' is not a value of poa2009.I.4.f.settings (one of school, family) at character 10"]
    check["expr"] = "poa2009.I.4.f.budget ** 2 > 1"
    assert problems(valid_spec) == ["check poa2009.I.4.f.budget-check: unexpected '*' at character 23"]


def test_number_ranges(valid_spec):
    item(valid_spec, "poa2009.I.4.f.budget")["number"] = {"type": "percent", "min": 50, "max": 120}
    assert problems(valid_spec) == ["item poa2009.I.4.f.budget: a percent lies between 0 and 100"]
    item(valid_spec, "poa2009.I.4.f.budget")["number"] = {"type": "integer", "min": 5, "max": 1}
    assert problems(valid_spec) == ["item poa2009.I.4.f.budget: number min 5 is greater than max 1"]


def test_every_problem_is_reported_at_once(valid_spec):
    item(valid_spec, "poa2009.I.4.f.status")["kind"] = "essay"
    item(valid_spec, "sofia2018.8.status").pop("label")
    assert len(problems(valid_spec)) == 2


@pytest.mark.parametrize(("text", "expected"), [
    ("pillars: [\n  - key: x\n", "line 2: not valid YAML"),
    ("- just\n- a list\n", "not a questionnaire spec"),
])
def test_unreadable_files(tmp_path, text, expected):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError, match=expected):
        load_spec(path)
    with pytest.raises(SpecError, match="No such file"):
        load_spec(tmp_path / "missing.yaml")


def test_yaml_tags_are_not_executed(tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text("!!python/object/apply:os.system ['true']\n", encoding="utf-8")
    with pytest.raises(SpecError, match="not valid YAML"):
        load_spec(path)


def test_the_schema_file_is_the_contract(valid_spec):
    """Extra top-level keys are refused: the forms and reports read exactly this shape."""
    valid_spec["extra"] = 1
    assert problems(valid_spec) == ["top level: Additional properties are not allowed ('extra' was unexpected)"]
    assert yaml.safe_load(dump_spec(valid_spec))["extra"] == 1


def test_the_schema_is_a_valid_json_schema():
    Draft202012Validator.check_schema(yaml.safe_load(SCHEMA_PATH.read_text(encoding="utf-8")))

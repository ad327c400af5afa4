"""The indicator catalogue: the committed one loads, every bad entry is refused with file and line,
and each indicator becomes a valid ``table`` item of a spec."""
import json
from pathlib import Path
import textwrap

import pytest
import yaml

from reporting.questionnaire import measures
from reporting.questionnaire.areas import AREAS
from reporting.questionnaire.indicators import (
    CATALOGUE_DIR, SCHEMA_PATH, CatalogueError, indicator_item, load_catalogue,
)
from reporting.questionnaire.schema import SpecError, validate_spec

REGISTER_IDS = {"poa2009.II.22.m", "ungass2016.3.u", "poa2009.I.20.g"}

SEIZURES = """\
module: seizures_trafficking
indicators:
  - id: drug_seizures
    title: Drug seizures, by substance
    definition: Quantity seized in the year.
    data_source: law_enforcement_records
    reference_year: previous_calendar_year
    section: sr-trafficking
    sdg: ["16.4.1"]
    crosswalk: [poa2009.II.22.m, ungass2016.3.u]
    rows:
      disaggregation: substance
      default: [heroin, cocaine_hcl]
      addable: true
    measures:
      - {id: kg, label: Quantity seized, unit: kg, type: decimal}
      - {id: cases, label: Seizure cases, unit: count, type: integer}
"""
CULTIVATION = """\
module: cultivation_eradication
indicators:
  - id: illicit_cultivation
    title: Illicit crop cultivation
    definition: Hectares.
    data_source: crop_monitoring_survey
    reference_year: latest_available
    section: sr-cultivation
    show_if: "screening.cultivation_opium == 'yes' or screening.cultivation_coca == 'yes'"
    sdg: []
    crosswalk: [poa2009.II.22.m]
    rows: {disaggregation: sex, default: [total, male, female]}
    measures:
      - {id: persons, label: People, unit: persons, type: integer}
      - {id: women, label: of whom women, unit: persons, type: integer}
    totals:
      - {axis: rows, total: total, parts: [male, female]}
      - {axis: columns, total: persons, parts: [women]}
"""


def write(tmp_path: Path, files: dict[str, str]) -> Path:
    directory = tmp_path / "indicators"
    directory.mkdir(exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return directory


def catalogue_problems(directory: Path) -> list[str]:
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(directory, REGISTER_IDS)
    return caught.value.problems


def test_the_committed_catalogue_loads_with_every_core_module_and_both_sdg_parts():
    catalogue = load_catalogue()
    assert {indicator["module"] for indicator in catalogue} == set(measures.MODULES)
    ids = {indicator["id"]: indicator for indicator in catalogue}
    for indicator_id, measure in measures.SDG_351.values():
        assert measure in [m["id"] for m in ids[indicator_id]["measures"]]
        assert "3.5.1" in ids[indicator_id]["sdg"]
    screened = {ids[i]["show_if"] for i in ("illicit_cultivation", "laboratories_dismantled", "pwid_estimate")}
    assert all("screening." in condition for condition in screened)


def test_the_catalogue_schema_enums_are_the_controlled_lists():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    definitions, properties = schema["$defs"], schema["$defs"]["indicator"]["properties"]
    assert schema["properties"]["module"]["enum"] == list(measures.MODULES)
    assert definitions["measure"]["properties"]["unit"]["enum"] == list(measures.UNITS)
    assert properties["data_source"]["enum"] == list(measures.DATA_SOURCES)
    assert properties["rows"]["properties"]["disaggregation"]["enum"] == list(measures.DISAGGREGATIONS)
    assert properties["section"]["enum"] == [area.key for areas in AREAS.values() for area in areas]


def test_the_substance_list_is_the_one_the_issue_names():
    assert list(measures.SUBSTANCES.values()) == [
        "Cannabis herb", "Cannabis resin", "Cocaine hydrochloride", "Crack/cocaine base", "Coca leaf", "Heroin",
        "Opium", "Morphine", "Fentanyl and analogues", "Other synthetic opioids", "Tramadol", "Methamphetamine",
        "Amphetamine", "“Ecstasy”-type substances", "New psychoactive substances", "Sedatives and tranquillizers",
        "Other",
    ]


def test_a_small_catalogue_loads_in_module_order(tmp_path):
    directory = write(tmp_path, {"seizures_trafficking.yaml": SEIZURES, "cultivation_eradication.yaml": CULTIVATION})
    catalogue = load_catalogue(directory, REGISTER_IDS)
    assert [(i["module"], i["id"]) for i in catalogue] == [
        ("seizures_trafficking", "drug_seizures"), ("cultivation_eradication", "illicit_cultivation")]


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("unit: kg", "unit: tonnes", "seizures_trafficking.yaml:16: indicator drug_seizures: 'tonnes' is not one of"),
    ("module: seizures_trafficking", "module: smuggling", "seizures_trafficking.yaml:1: 'smuggling' is not one of"),
    ("default: [heroin, cocaine_hcl]", "default: [heroin, khat]", "seizures_trafficking.yaml:13: indicator drug_seizures: 'khat' is not one of"),
    ("default: [heroin, cocaine_hcl]", "default: [heroin, male]", "seizures_trafficking.yaml:13: indicator drug_seizures: row 'male' is not in the substance list"),
    ("ungass2016.3.u]", "ungass2016.3.zz]", "seizures_trafficking.yaml:10: indicator drug_seizures: commitment ungass2016.3.zz is not in the register"),
    ("section: sr-trafficking", "section: sr-smuggling", "seizures_trafficking.yaml:8: indicator drug_seizures: 'sr-smuggling' is not one of"),
    ("unit: count, type: integer", "unit: count, type: decimal", "seizures_trafficking.yaml:17: indicator drug_seizures: measure cases: count are whole numbers"),
    ("type: decimal}", "type: decimal, max: 1000000000000}", "seizures_trafficking.yaml:16: indicator drug_seizures: measure kg: max 1000000000000 is above"),
    ("sdg: [\"16.4.1\"]", "sdg: [\"1.1.1\"]", "seizures_trafficking.yaml:9: indicator drug_seizures: '1.1.1' is not one of"),
    ("    rows:", "    show_if: \"screening.coca == 'yes'\"\n    rows:", "seizures_trafficking.yaml:11: indicator drug_seizures: show_if: unknown key 'screening.coca'"),
    ("    rows:", "    show_if: \"screening.oat == 'maybe'\"\n    rows:", "indicator drug_seizures: show_if: 'maybe' is not a screening answer"),
    ("title: Drug seizures, by substance", "title: [oops", "seizures_trafficking.yaml:5: not valid YAML"),
])
def test_a_bad_entry_is_refused_with_file_and_line(tmp_path, old, new, expected):
    assert old in SEIZURES
    directory = write(tmp_path, {"seizures_trafficking.yaml": SEIZURES.replace(old, new)})
    found = catalogue_problems(directory)
    assert any(expected in problem for problem in found), found
    assert all(problem.startswith(str(directory)) for problem in found)


def test_totals_must_name_rows_and_measures_of_the_indicator(tmp_path):
    text = CULTIVATION.replace("parts: [male, female]", "parts: [male, other]").replace("parts: [women]", "parts: [men]")
    found = catalogue_problems(write(tmp_path, {"cultivation_eradication.yaml": text}))
    assert any(":17: indicator illicit_cultivation: totals: 'other' is not a default row" in p for p in found), found
    assert any(":18: indicator illicit_cultivation: totals: 'men' is not a measure" in p for p in found), found


def test_a_module_in_the_wrong_file_and_a_duplicate_id_are_refused(tmp_path):
    directory = write(tmp_path, {"seizures_trafficking.yaml": SEIZURES, "prevalence.yaml": SEIZURES})
    found = catalogue_problems(directory)
    assert any("prevalence.yaml:1: module 'seizures_trafficking' must be in a file named seizures_trafficking.yaml" in p for p in found)
    assert any("indicator drug_seizures: id already used in" in p for p in found)


def _spec_with(items: list[dict], screening: bool = True) -> dict:
    screening_items = [
        {"key": key, "kind": "single_choice", "commitments": [], "label": key,
         "choices": [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}]}
        for key in measures.SCREENING_KEYS
    ] if screening else []
    commitments = {cid: {"document": cid.split(".")[0], "label": "x", "title": "T", "text": "Text."}
                   for item in items for cid in item["commitments"]}
    return {
        "spec_id": "arq", "version": "2.0.0", "register_checksum": "0" * 64, "title": "T",
        "pillars": [{"key": "supply_reduction", "title": "Supply", "sections": [
            {"key": "screening", "title": "Screening", "scope": ["global"], "items": screening_items or [
                {"key": "screening.comments", "kind": "comment", "commitments": [], "label": "C"}]},
            {"key": "sr-trafficking", "title": "Trafficking", "scope": ["global"], "items": items},
        ]}],
        "commitments": commitments,
    }


def test_every_indicator_of_the_catalogue_is_a_valid_table_item():
    items = [indicator_item(indicator) for indicator in load_catalogue()]
    validate_spec(_spec_with(items), register_ids=None)
    seizures = next(item for item in items if item["key"] == "ind.drug_seizures")
    assert seizures["kind"] == "table"
    assert seizures["commitments"] == ["poa2009.II.22.m", "poa2009.II.22.k", "ungass2016.3.u", "ungass2016.3.e"]
    table = seizures["table"]
    assert [c["key"] for c in table["columns"]] == ["kg", "litres", "units", "cases"]
    assert {c["key"]: c["unit"] for c in table["columns"]}["units"] == "units"
    assert len(table["rows"]) + len(table["optional_rows"]) == len(measures.SUBSTANCES)
    cultivation = next(item for item in items if item["key"] == "ind.illicit_cultivation")
    assert cultivation["show_if"].startswith("screening.cultivation_opium == 'yes' or")


@pytest.mark.parametrize(("break_it", "expected"), [
    (lambda t: t["columns"][0].update(unit="tonnes"), "'tonnes' is not one of"),
    (lambda t: t["rows"].append({"value": "khat", "label": "Khat"}), "row 'khat' is not in the substance list"),
    (lambda t: t["rows"].append({"value": "heroin", "label": "Heroin"}), "row 'heroin' appears twice"),
    (lambda t: t["columns"][1].update(type="decimal"), "measure cases: count are whole numbers"),
    (lambda t: t.update(totals=[{"axis": "columns", "total": "kg", "parts": ["grams"]}]), "totals: 'grams' is not one of its columns"),
    (lambda t: t.update(indicator="other_thing"), "key must be ind.other_thing"),
])
def test_a_bad_table_item_is_refused_naming_it(tmp_path, break_it, expected):
    item = indicator_item(load_catalogue(write(tmp_path, {"seizures_trafficking.yaml": SEIZURES}), REGISTER_IDS)[0])
    break_it(item["table"])
    with pytest.raises(SpecError) as caught:
        validate_spec(_spec_with([item]), register_ids=None)
    assert any(p.startswith("item ind.drug_seizures") and expected in p for p in caught.value.problems), caught.value.problems


def test_a_table_key_must_be_ind_and_its_indicator(tmp_path):
    item = indicator_item(load_catalogue(write(tmp_path, {"seizures_trafficking.yaml": SEIZURES}), REGISTER_IDS)[0])
    item["key"] = "poa2009.II.22.m.seizures"
    with pytest.raises(SpecError, match="does not match"):
        validate_spec(_spec_with([item]), register_ids=None)


def test_the_catalogue_files_are_valid_yaml_mappings():
    for path in CATALOGUE_DIR.glob("*.yaml"):
        assert isinstance(yaml.safe_load(path.read_text(encoding="utf-8")), dict), path


def test_the_xlsform_has_one_field_per_cell_and_pyxform_accepts_it():
    from pyxform.xls2xform import convert

    from reporting.questionnaire.xlsform import xlsform_bytes, xlsform_sheets

    spec = _spec_with([indicator_item(indicator) for indicator in load_catalogue()])
    rows = {row["name"]: row for row in xlsform_sheets(spec)["survey"] if row["type"] != "end group"}
    cell = rows["ind.drug_seizures.heroin.kg"]
    assert cell["type"] == "text"
    assert cell["label::English (en)"] == "Heroin" and cell["hint::English (en)"] == "Quantity seized (weight) (kg)"
    assert cell["constraint"] == (r"regex(., '^(--|[0-9]+(\.[0-9]{1,3})?)$') and "
                                  "(. = '--' or (number(.) >= 0 and number(.) <= 100000000))")
    assert rows["ind.drug_seizures.heroin.cases"]["constraint"].startswith(r"regex(., '^(--|[0-9]+)$')")
    assert "ind.drug_seizures.other.units" in rows  # every row of the list: a form on paper cannot add rows
    assert rows["ind.illicit_cultivation"]["relevant"].startswith("(((${screening.cultivation_opium} = 'yes') or")
    assert rows["ind.pwid_estimate.year"]["type"] == "integer"
    warnings: list[str] = []
    form = convert(xlsform_bytes(spec), warnings=warnings, file_type=".xlsx").xform
    assert warnings == []
    assert form.count('type="string" constraint="regex(') >= 200
    assert "/ind.drug_seizures/ind.drug_seizures.heroin.kg\" type=\"string\"" in form


def test_a_table_answer_carries_forward_only_while_its_rows_and_units_stay():
    from reporting.questionnaire.diff import answer_carries

    old = indicator_item(next(i for i in load_catalogue() if i["id"] == "drug_seizures"))
    new = json.loads(json.dumps(old))
    new["label"] = "Drug seizures by substance (reworded)"
    assert answer_carries(old, new)
    new["table"]["columns"][0]["unit"] = "litres"
    assert not answer_carries(old, new)
    new = json.loads(json.dumps(old))
    new["table"]["optional_rows"].pop()
    assert not answer_carries(old, new)


@pytest.mark.parametrize("unit", list(measures.UNITS))
def test_every_unit_has_its_limits_decimals_and_no_data(app, unit):
    """Per unit: its largest value passes, one more is refused, decimals only where they make sense,
    "--" is no data and 0 is zero."""
    from forms.tables import CellError, parse_cell

    spec_unit = measures.UNITS[unit]
    column = {"key": "x", "label": "X", "unit": unit, "type": "integer" if spec_unit.integer else "decimal",
              "min": 0, "max": spec_unit.maximum, "decimals": spec_unit.decimals}
    with app.test_request_context():
        assert parse_cell(str(spec_unit.maximum), column, "en") == spec_unit.maximum
        assert parse_cell("0", column, "en") == 0 and parse_cell("--", column, "en") == measures.NO_DATA
        assert parse_cell("", column, "en") is None
        for bad in (str(spec_unit.maximum + 1), "-1", "NaN", "Infinity", "1e3"):
            with pytest.raises(CellError):
                parse_cell(bad, column, "en")
        if spec_unit.decimals:
            assert parse_cell("1." + "5" * spec_unit.decimals, column, "en") == float("1." + "5" * spec_unit.decimals)
        with pytest.raises(CellError):
            parse_cell("1." + "5" * (spec_unit.decimals + 1), column, "en")
    assert spec_unit.summable == (unit in ("count", "persons", "kg", "litres", "units", "hectares"))

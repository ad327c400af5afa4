"""The XLSForm export: what pyxform makes of it, and which language columns it gets."""
from io import BytesIO

from openpyxl import load_workbook
import polib
from pyxform.xls2xform import convert
import pytest

from reporting.questionnaire.generate import generate_spec
from reporting.questionnaire.xlsform import load_catalogs, xlsform_bytes, xlsform_sheets

from tests.questionnaire.conftest import CHECKSUM, write_spec


def xform(data: bytes) -> str:
    warnings: list[str] = []
    result = convert(data, warnings=warnings, file_type=".xlsx")
    assert warnings == []
    return result.xform


def rows_by_name(sheets):
    return {row["name"]: row for row in sheets["survey"] if "name" in row and row["type"] != "end group"}


def test_the_inline_spec_converts_and_keeps_its_rules(valid_spec):
    sheets = xlsform_sheets(valid_spec)
    rows = rows_by_name(sheets)
    assert rows["poa2009.I.4.f.status"]["type"] == "select_one status_scale"
    assert rows["poa2009.I.4.f.status"]["required"] == "yes"
    assert rows["poa2009.I.4.f.status"]["hint::English (en)"] == "Deliver prevention."
    assert rows["poa2009.I.4.f.measures"]["relevant"] == (
        "(${poa2009.I.4.f.status} = 'planned' or ${poa2009.I.4.f.status} = 'in_progress' "
        "or ${poa2009.I.4.f.status} = 'implemented')")
    # The section check sits on the last item it reads, with its message.
    assert rows["poa2009.I.4.f.settings"]["type"] == "select_multiple poa2009.I.4.f.settings"
    assert rows["poa2009.I.4.f.settings"]["constraint"] == (
        "((not((${poa2009.I.4.f.budget} > (1000 * 1000))) or selected(${poa2009.I.4.f.settings}, 'school')))")
    assert rows["poa2009.I.4.f.settings"]["constraint_message::English (en)"] == \
        "A budget above one million needs school settings."
    assert rows["poa2009.I.4.f.budget"]["type"] == "decimal"
    assert rows["poa2009.I.4.f.budget"]["constraint"] == "(. >= 0)"
    assert rows["ungass2016.1.r.context"]["type"] == "note"
    assert rows["ic-eu-celac"]["relevant"] == "selected(${regional_scope}, 'eu_celac')"
    assert rows["regional_scope"]["type"] == "select_multiple regional_scope"
    statuses = [row["name"] for row in sheets["choices"] if row["list_name"] == "status_scale"]
    assert statuses == ["not_started", "planned", "in_progress", "implemented", "not_applicable"]
    assert sheets["settings"] == [{"form_title": "Test questionnaire", "form_id": "arq", "version": "1.0.0",
                                   "default_language": "English (en)"}]
    form = xform(xlsform_bytes(valid_spec))
    assert 'relevant="selected( /data/regional_scope , \'eu_celac\')"' in form


def test_the_generated_questionnaire_converts_with_pyxform(real_register):
    spec = generate_spec(real_register, CHECKSUM)
    form = xform(xlsform_bytes(spec))
    assert form.count("<select1 ") >= len([c for c in real_register if "member_states" in c["addressees"]])
    urls = [row for row in xlsform_sheets(spec)["survey"] if row.get("constraint", "").startswith("(regex(")]
    assert urls and all(row["type"] == "text" for row in urls)


def test_number_types():
    spec = generate_spec([{
        "id": "jms2014-priorities.11", "document": "jms2014-priorities", "path": [], "label": "11",
        "text": "Reduce HIV transmission by 50 per cent by 2015.", "verbs": [],
        "target": {"text": "by 2015", "year": 2015}, "addressees": ["member_states"],
        "pillar": "demand_reduction", "chapter": 1, "scope": ["global"], "title": "Halve HIV transmission"}], CHECKSUM)
    rows = rows_by_name(xlsform_sheets(spec))
    assert (rows["jms2014-priorities.11.indicator.1"]["type"], rows["jms2014-priorities.11.indicator.1"]["constraint"]) \
        == ("integer", "(. >= 1990 and . <= 2015)")
    assert rows["jms2014-priorities.11.indicator.2"]["type"] == "decimal"
    assert rows["jms2014-priorities.11.indicator.2"]["constraint"].startswith("(. >= 0 and . <= 100) and (")
    xform(xlsform_bytes(spec))


def write_catalog(directory, language, translations):
    catalog = polib.POFile()
    catalog.metadata = {"Content-Type": "text/plain; charset=utf-8"}
    for msgid, msgstr in translations.items():
        catalog.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
    catalog.append(polib.POEntry(msgid="Not started", msgstr="Pas commencé", flags=["fuzzy"]))
    path = directory / language / "LC_MESSAGES"
    path.mkdir(parents=True)
    catalog.save(str(path / "messages.po"))


def test_languages_whose_catalogs_translate_the_form_get_columns(valid_spec, tmp_path):
    write_catalog(tmp_path, "fr", {"Prevention": "Prévention", "Planned": "Prévu"})
    write_catalog(tmp_path, "es", {"Something else": "Otra cosa"})
    write_catalog(tmp_path, "en", {"Prevention": "Prevention"})
    catalogs = load_catalogs(tmp_path)
    assert "Not started" not in catalogs["fr"]  # fuzzy entries are not translations
    sheets = xlsform_sheets(valid_spec, catalogs)
    rows = rows_by_name(sheets)
    assert rows["dr-prevention"]["label::French (fr)"] == "Prévention"
    assert rows["dr-prevention.comments"]["label::French (fr)"] == "Comments on this section"  # falls back to English
    assert not any("Spanish" in column for row in sheets["survey"] for column in row)
    planned = next(row for row in sheets["choices"] if row["name"] == "planned")
    assert planned["label::French (fr)"] == "Prévu"
    form = xform(xlsform_bytes(valid_spec, catalogs))
    assert 'lang="French (fr)"' in form


def test_cli_export_xlsform(runner, tmp_path, valid_spec):
    spec_path = write_spec(tmp_path / "arq-1.0.0.yaml", valid_spec)
    out = tmp_path / "arq.xlsx"
    result = runner.invoke(args=["spec", "export-xlsform", str(spec_path), str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote {out}: XLSForm of arq 1.0.0.\n"
    assert load_workbook(BytesIO(out.read_bytes())).sheetnames == ["survey", "choices", "settings"]


@pytest.mark.parametrize("breakage", ["kind: essay", "show_if: \"poa2009.I.4.f.status ==\""])
def test_cli_export_xlsform_refuses_an_invalid_spec(runner, tmp_path, valid_spec, breakage):
    key, value = breakage.split(": ", 1)
    valid_spec["pillars"][0]["sections"][0]["items"][1][key] = value.strip('"')
    spec_path = write_spec(tmp_path / "bad.yaml", valid_spec)
    out = tmp_path / "bad.xlsx"
    result = runner.invoke(args=["spec", "export-xlsform", str(spec_path), str(out)])
    assert result.exit_code != 0 and "item poa2009.I.4.f.measures" in result.output
    assert not out.exists() and list(tmp_path.glob(".*")) == []

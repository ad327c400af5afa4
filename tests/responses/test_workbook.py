"""The offline workbook round trip through the real app: download, fill in with
openpyxl as a person would, upload, preview, confirm."""
from datetime import date
import io
from pathlib import Path
import re
import zipfile

import openpyxl
import pytest
from sqlalchemy import select

from forms.spec import Spec
from forms.workbook import META_SHEET, WorkbookMeta, write_workbook
from reporting.database import write_transaction
from reporting.models import Country, Submission
from reporting.responses.contributors import assign_sections
from reporting.responses.cycles import CycleState, change_state, open_cycle
from tests.conftest import login, post_section
from tests.responses.workbooks import (
    WORKBOOK_SPEC, confirm, download, fill, open_workbook_cycle, rows_by_key, sign_in_as, sign_out, snapshot, stored, to_bytes, upload,
)

PERSON_TYPES = {
    "t.1.status": "Implemented",            # drop-down label
    "t.1.measures": "National prevention programme 2024–2028",
    "t.2.status": "In progress",
    "t.2.indicator.1": 15000,               # a number typed in a number cell
    "t.2.indicator.2": 42.5,
    "t.3.status": "Planned",
    "t.3.evidence": "https://example.org/precursors-law",
    "t.3.channel": "Regional",              # a choice drop-down
    "t.3.partners|customs": "Yes",          # ticked rows of a multiple choice
    "t.3.partners|industry": "Yes",
    "t.3.seizures|heroin": [1250.5, 12],      # a table: numbers, and "--" for no data
    "t.3.seizures|fentanyl": ["--", 3],       # an optional row of the list
}
SAME_TYPED_IN_THE_WEB_FORM = {
    "dr-prevention": {"t.1.status": "implemented", "t.1.measures": "National prevention programme 2024–2028",
                      "t.2.status": "in_progress", "t.2.indicator.1": "15000", "t.2.indicator.2": "42.5"},
    "sr-precursors": {"t.3.status": "planned", "t.3.evidence": "https://example.org/precursors-law",
                      "t.3.channel": "regional", "t.3.partners": ["customs", "industry"],
                      "t.3.seizures:heroin:kg": "1250.5", "t.3.seizures:heroin:cases": "12",
                      "t.3.seizures:fentanyl:kg": "--", "t.3.seizures:fentanyl:cases": "3"},
}


@pytest.fixture
def wb_cycle(app):
    return open_workbook_cycle()


def test_round_trip_gives_the_same_answers_as_the_web_form(client, db, wb_cycle, login_as):
    login_as("focal_point", "FRA")
    workbook = download(client)
    fill(workbook, PERSON_TYPES)
    response = upload(client, to_bytes(workbook))
    assert response.status_code == 200, response.get_data(as_text=True)
    page = response.get_data(as_text=True)
    # The preview names each question, its commitment reference, its cell and old → new.
    assert "Prevention programmes" in page and "Political Declaration 2009, paragraph 1" in page
    assert "sheet “Prevention”, cell E4" in page and "<ins>Implemented</ins>" in page
    assert "<ins>15,000</ins>" in page and "<ins>Customs and Chemical industry</ins>" in page  # labels, not stored values
    assert stored(db) == {}, "nothing is saved before confirmation"

    response = confirm(client, page)
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Workbook applied: 10 answer(s) changed." in page, re.findall(r"flash[^>]*>[^<]*", page)
    history = client.get("/cycles/2025/FRA/history").get_data(as_text=True)
    assert "Workbook applied" in history and history.count("Answer changed") == 10

    sign_in_as(client, login_as, "focal_point", "DEU")
    for section, answers in SAME_TYPED_IN_THE_WEB_FORM.items():
        response = post_section(client, section, answers, country="DEU")
        assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    assert stored(db, "FRA") == stored(db, "DEU")
    assert stored(db, "FRA")["t.2.indicator.2"] == 42.5 and stored(db, "FRA")["t.3.partners"] == ["customs", "industry"]
    assert stored(db, "FRA")["t.3.seizures"] == {"rows": {"heroin": {"kg": 1250.5, "cases": 12}, "fentanyl": {"kg": "no_data", "cases": 3}}}


def test_workbook_layout_drop_downs_number_rules_hidden_keys_protection(client, db, wb_cycle, login_as):
    login_as("focal_point", "FRA")
    workbook = download(client)
    assert [sheet.title for sheet in workbook.worksheets] == ["About", "Prevention", "Precursors", "EU–CELAC cooperation", "_lists", META_SHEET]
    assert workbook[META_SHEET].sheet_state == "veryHidden" and workbook["_lists"].sheet_state == "hidden"
    assert workbook.security.lockStructure
    sheet = workbook["Prevention"]
    assert sheet.protection.sheet and sheet.column_dimensions["A"].hidden
    places = rows_by_key(workbook)
    assert set(places) >= {"t.1.status", "t.2.indicator.1", "t.3.partners|customs"}
    rules = {str(cell): validation for validation in sheet.data_validations.dataValidation for cell in validation.sqref.ranges}
    status_rule = next(v for ref, v in rules.items() if "E4" in ref)
    assert status_rule.type == "list" and status_rule.formula1.startswith("'_lists'!$A$1:$A$5")
    number_rule = next(v for ref, v in rules.items() if "E7" in ref)
    assert (number_rule.type, number_rule.formula1, number_rule.formula2) == ("whole", "0", "1000000")
    assert [workbook["_lists"].cell(row, 1).value for row in range(1, 6)] == ["Not started", "Planned", "In progress", "Implemented", "Not applicable"]
    # Instructions and the commitment text beside the question; answer cells open, the rest locked.
    assert sheet["D4"].value.startswith("Choose the status from the list.")
    assert sheet["C4"].value == "Political Declaration 2009, paragraph 1: Raise public awareness of drug risks."
    assert not sheet["E4"].protection.locked and sheet["B4"].protection.locked
    header = [cell.value for cell in workbook[META_SHEET][1]]
    assert header[:6] == ["drug-policy-reporting-workbook/1", "2025", "FRA", "9.1.0", 1, "en"]


def test_chosen_sections_and_arabic_labels(client, db, wb_cycle, login_as):
    user = login_as("focal_point", "EGY")
    client.post("/language", data={"lang": "ar", "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', client.get("/cycles/").get_data(as_text=True)).group(1)})
    workbook = download(client, "EGY", section="sr-precursors")
    sections = [sheet for sheet in workbook.worksheets if sheet.sheet_state == "visible"][1:]
    assert len(sections) == 1 and sections[0].sheet_view.rightToLeft
    assert workbook["_lists"]["A4"].value != "Implemented"  # the status labels are in Arabic
    fill(workbook, {"t.3.status": workbook["_lists"]["A4"].value})
    response = upload(client, to_bytes(workbook), country="EGY")
    assert response.status_code == 200, response.get_data(as_text=True)
    confirm(client, response.get_data(as_text=True), country="EGY")
    assert stored(db, "EGY") == {"t.3.status": "implemented"}
    assert user.country.iso3 == "EGY"


def test_older_workbook_shows_conflicts_and_never_overwrites_them(client, db, wb_cycle, login_as):
    login_as("focal_point", "FRA")
    workbook = download(client)  # made from version 1
    # Meanwhile someone saves on the site.
    post_section(client, "dr-prevention", {"t.1.status": "planned", "t.2.indicator.1": "900"})
    fill(workbook, {"t.1.status": "Implemented", "t.2.indicator.1": 900, "t.2.status": "Implemented", "t.2.indicator.2": 10})
    response = upload(client, to_bytes(workbook))
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    conflict_table = page.split('class="conflict"')[1].split("</section>")[0]
    assert "Prevention programmes" in conflict_table and "Implemented" in conflict_table and "Planned" in conflict_table
    assert "People in treatment" not in conflict_table  # the same value on both sides is no conflict
    assert confirm(client, page).status_code == 302
    answers = stored(db)
    assert answers["t.1.status"] == "planned", "the other person's answer is kept"
    assert answers["t.2.status"] == "implemented" and answers["t.2.indicator.2"] == 10


def test_cancel_discards_the_upload(app, client, db, wb_cycle, login_as):
    login_as("focal_point", "FRA")
    workbook = download(client)
    fill(workbook, {"t.2.status": "Implemented"})
    page = upload(client, to_bytes(workbook)).get_data(as_text=True)
    kept = list((Path(app.config["DOCUMENTS_DIR"]) / "workbooks").rglob("*"))
    assert any(path.is_file() for path in kept)
    fields = dict(re.findall(r'name="(csrf_token|upload|preview_version)" type="hidden" value="([^"]*)"', page))
    assert client.post("/cycles/2025/FRA/workbook/cancel", data=fields).status_code == 302
    assert not any(path.is_file() for path in (Path(app.config["DOCUMENTS_DIR"]) / "workbooks").rglob("*"))
    response = confirm(client, page)
    assert response.status_code == 422 and "no longer available" in response.get_data(as_text=True)
    assert stored(db) == {}


def test_someone_saves_between_preview_and_confirmation(client, db, wb_cycle, login_as):
    login_as("focal_point", "FRA")
    workbook = download(client)
    fill(workbook, {"t.2.status": "Implemented"})
    page = upload(client, to_bytes(workbook)).get_data(as_text=True)
    post_section(client, "dr-prevention", {"t.1.status": "planned"})
    response = confirm(client, page)
    assert response.status_code == 409 and "after your preview" in response.get_data(as_text=True)
    assert stored(db) == {"t.1.status": "planned"}


# --- bad input: a clear error, nothing stored -------------------------------------------

def _refused(client, db, data, message, country="FRA", cycle="2025", status=422, filename="answers.xlsx"):
    before = snapshot(db)
    response = upload(client, data, country=country, cycle=cycle, filename=filename)
    page = response.get_data(as_text=True)
    assert response.status_code == status, page[-2000:]
    assert "nothing was changed" in page and message in page, page[-3000:]
    assert snapshot(db) == before
    return page


def test_workbook_of_another_country(client, db, wb_cycle, login_as):
    login_as("focal_point", "FRA")
    data = to_bytes(download(client))
    sign_in_as(client, login_as, "focal_point", "DEU")
    _refused(client, db, data, "This workbook is for FRA, reporting cycle 2025; this is the submission of DEU for 2025.", country="DEU")


def test_workbook_of_another_cycle(client, db, wb_cycle, login_as):
    login_as("focal_point", "FRA")
    data = to_bytes(download(client))
    with write_transaction():
        change_state(wb_cycle, CycleState.CLOSED)
    with write_transaction():
        open_cycle("2026", "9.1.0", wb_cycle.deadline.replace(year=2027))
    _refused(client, db, data, "This workbook is for FRA, reporting cycle 2025; this is the submission of FRA for 2026.", cycle="2026")


def test_workbook_of_another_questionnaire_version(app, client, db, wb_cycle, login_as):
    login_as("focal_point", "FRA")
    older = dict(WORKBOOK_SPEC, version="9.0.0")
    with app.test_request_context():
        data = write_workbook(
            Spec(older), list(Spec(older).sections[:1]), {}, WorkbookMeta("2025", "FRA", "9.0.0", 1, "en"),
            secret=app.config["SECRET_KEY"], cover=[], commitment_text=lambda item: "",
        )
    _refused(client, db, data, "made for version 9.0.0 of the questionnaire; this cycle uses version 9.1.0")


def test_edited_hidden_key(client, db, wb_cycle, login_as):
    login_as("focal_point", "FRA")
    workbook = download(client)
    fill(workbook, {"t.1.status": "Implemented", "t.2.status": "Planned"})
    workbook["Prevention"]["A4"] = "t.2.status"  # answers would land on another question
    _refused(client, db, to_bytes(workbook), "Sheet “Prevention”, cell A4: the hidden question key was changed.")


def test_edited_hidden_country(client, db, wb_cycle, login_as):
    login_as("focal_point", "FRA")
    workbook = download(client)
    workbook[META_SHEET]["C1"] = "DEU"
    sign_in_as(client, login_as, "focal_point", "DEU")
    _refused(client, db, to_bytes(workbook), "hidden information of this workbook", country="DEU")


def test_formula_in_an_answer_cell(client, db, wb_cycle, login_as):
    login_as("focal_point", "FRA")
    workbook = download(client)
    fill(workbook, {"t.2.indicator.1": "=SUM(1,2)", "t.1.status": "Implemented"})
    _refused(client, db, to_bytes(workbook), "Sheet “Prevention”, cell E7 contains a formula. Type the value itself.")


def _with_parts(data: bytes, extra: dict[str, bytes], content_types: bytes | None = None) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if content_types is not None and info.filename == "[Content_Types].xml":
                body = body.replace(b"</Types>", content_types + b"</Types>")
            target.writestr(info, body)
        for name, body in extra.items():
            target.writestr(name, body)
    return buffer.getvalue()


def test_external_link(client, db, wb_cycle, login_as):
    login_as("focal_point", "FRA")
    workbook = download(client)
    fill(workbook, {"t.2.indicator.1": "='[budget.xlsx]Sheet1'!A1"})
    _refused(client, db, to_bytes(workbook), "cell E7 contains a formula")
    link = b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
    _refused(client, db, _with_parts(to_bytes(download(client)), {"xl/externalLinks/externalLink1.xml": link}), "links to other workbooks")


def test_macro_workbook(client, db, wb_cycle, login_as):
    login_as("focal_point", "FRA")
    data = _with_parts(
        to_bytes(download(client)), {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"},
        b'<Override PartName="/xl/vbaProject.bin" ContentType="application/vnd.ms-office.vbaProject"/>',
    )
    _refused(client, db, data, "contains macros (.xlsm)", filename="answers.xlsm")


def test_corrupt_and_zip_bomb(client, db, wb_cycle, login_as):
    login_as("focal_point", "FRA")
    data = to_bytes(download(client))
    _refused(client, db, data[: len(data) // 2], "not an Excel workbook (.xlsx), or it is damaged")
    bomb = _with_parts(data, {"xl/media/zeros.bin": bytes(101 * 1024 * 1024)})
    assert len(bomb) < 1024 * 1024
    _refused(client, db, bomb, "unpacks to more than 100 MB")


def test_over_size_upload(client, db, wb_cycle, login_as):
    login_as("focal_point", "FRA")
    _refused(client, db, b"PK\x03\x04" + bytes(10 * 1024 * 1024 + 100 * 1024), "larger than 10 MB", status=413)


def test_content_is_not_what_the_extension_says(client, db, wb_cycle, login_as):
    login_as("focal_point", "FRA")
    _refused(client, db, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "not an Excel workbook (.xlsx): its content is pdf")


def test_invalid_answers_are_named_by_sheet_and_cell(client, db, wb_cycle, login_as):
    login_as("focal_point", "FRA")
    workbook = download(client)
    fill(workbook, {"t.1.status": "Done", "t.2.indicator.1": -5, "t.3.status": "Implemented"})
    page = _refused(client, db, to_bytes(workbook), "sheet “Prevention”, cell E4 — Prevention programmes: Choose one of the statuses of the scale.")
    assert "sheet “Prevention”, cell E7 — People in treatment: Enter a number from 0 to 1000000." in page


def test_roles_compiler_reads_only_other_country_forbidden(client, db, wb_cycle, login_as):
    login_as("compiler", None)
    workbook = download(client)
    sheet = workbook["Prevention"]
    assert sheet["E4"].protection.locked and not sheet.data_validations.dataValidation
    assert "read-only copy" in workbook["About"]["B9"].value
    _refused(client, db, to_bytes(workbook), "Only a national focal point or contributor of this country can change its answers.", status=403)
    sign_in_as(client, login_as, "focal_point", "DEU")
    assert client.get("/cycles/2025/FRA/workbook.xlsx").status_code == 403
    assert client.get("/cycles/2025/DEU/workbook.xlsx?section=no-such").status_code == 404


def test_contributor_works_on_assigned_sections_only(client, db, wb_cycle, user_factory):
    focal = user_factory("focal_point", "FRA")
    contributor = user_factory("contributor", "FRA", email="health@fra.example.org")
    submission = db.session.scalar(select(Submission).join(Country).where(Country.iso3 == "FRA"))
    with write_transaction():
        assign_sections(focal, submission, contributor, ["dr-prevention"])
    assert login(client, contributor.email).status_code == 302
    workbook = download(client)
    assert [sheet.title for sheet in workbook.worksheets if sheet.sheet_state == "visible"] == ["About", "Prevention"]
    assert client.get("/cycles/2025/FRA/workbook.xlsx?section=sr-precursors").status_code == 404
    fill(workbook, {"t.1.status": "Implemented"})
    response = upload(client, to_bytes(workbook))
    assert response.status_code == 200
    confirm(client, response.get_data(as_text=True))
    assert stored(db) == {"t.1.status": "implemented"}

    # The focal point's workbook has every section: the contributor cannot upload it.
    sign_out(client)
    login(client, focal.email)
    whole = download(client)
    sign_out(client)
    login(client, contributor.email)
    fill(whole, {"t.3.status": "Implemented"})
    _refused(client, db, to_bytes(whole), "Your focal point has not assigned this section to you", status=403)


def test_round_trip_on_questionnaire_2_0_0(client, db, login_as):
    """The real improved questionnaire: screening, a status, a checklist, a section declared
    not applicable, indicator tables — the workbook and the web form store the same."""
    from reporting.questionnaire.schema import SPECS_DIR
    from reporting.questionnaire.versions import activate_spec, load_spec

    spec = load_spec(SPECS_DIR / "arq-2.0.0.yaml")
    with write_transaction():
        activate_spec(spec)
    with write_transaction():
        open_cycle("2025", "2.0.0", date(2026, 6, 30))
    items = {item["key"]: item for pillar in spec["pillars"] for section in pillar["sections"] for item in section["items"]}
    section_of = {item["key"]: section["key"] for pillar in spec["pillars"] for section in pillar["sections"] for item in section["items"]}
    treatment = [item for pillar in spec["pillars"] for section in pillar["sections"] if section["key"] == "dr-treatment" for item in section["items"]]
    status = next(item for item in treatment if item["kind"] == "status")
    checklist = next(item for item in treatment if item["kind"] == "multiple_choice")
    table = items["ind.treatment_persons"]["table"]
    first_row, first_column = table["rows"][0]["value"], table["columns"][0]["key"]
    screening = next(item for item in items.values() if section_of[item["key"]] == "screening" and item["kind"] == "single_choice")
    yes = next(choice for choice in screening["choices"] if choice["value"] == "yes")
    typed = {  # (in the workbook, in the web form)
        screening["key"]: (yes["label"], yes["value"]),
        status["key"]: ("Implemented", "implemented"),
        f"{checklist['key']}|{checklist['choices'][0]['value']}": ("Yes", None),
        f"ind.treatment_persons|{first_row}": ([4200] + ["--"] * (len(table["columns"]) - 1), None),
        "dr-prevention.not_applicable": ("Yes", "y"),
        "dr-prevention.not_applicable_reason": ("No national programme: prevention is run by the provinces.",) * 2,
    }
    login_as("focal_point", "FRA")
    workbook = download(client, section=["screening", "dr-prevention", "dr-treatment"])
    fill(workbook, {key: in_workbook for key, (in_workbook, _web) in typed.items()})
    response = upload(client, to_bytes(workbook))
    assert response.status_code == 200, response.get_data(as_text=True)[-3000:]
    assert confirm(client, response.get_data(as_text=True)).status_code == 302

    sign_in_as(client, login_as, "focal_point", "DEU")
    web = {key: value for key, (_in_workbook, value) in typed.items() if value is not None}
    web[checklist["key"]] = [checklist["choices"][0]["value"]]
    web[f"ind.treatment_persons:{first_row}:{first_column}"] = "4200"
    for column in table["columns"][1:]:
        web[f"ind.treatment_persons:{first_row}:{column['key']}"] = "--"
    for section in ("screening", "dr-prevention", "dr-treatment"):
        answers = {key: value for key, value in web.items() if section_of[key.split(":")[0]] == section}
        response = post_section(client, section, answers, country="DEU")
        assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    assert stored(db, "FRA") == stored(db, "DEU")
    assert stored(db, "FRA")["ind.treatment_persons"]["rows"][first_row][first_column] == 4200
    assert stored(db, "FRA")["dr-prevention.not_applicable"] is True
    assert {screening["key"], status["key"], checklist["key"], "dr-prevention.not_applicable_reason"} <= set(stored(db, "FRA"))
    # Declaring the section not applicable answers its questions so, on either path.
    assert stored(db, "FRA")["prevention-youth.status"] == "not_applicable"


def test_a_doctored_sheet_size_is_not_read_cell_by_cell(client, db, wb_cycle, login_as):
    """openpyxl pads rows to the size a sheet declares; the reader ignores it."""
    import time

    login_as("focal_point", "FRA")
    workbook = download(client)
    fill(workbook, {"t.1.status": "Implemented"})
    sheet = workbook["Prevention"]
    for row in range(100, 20100):  # rows of notes below the questions, in a sheet declaring 16,384 columns
        sheet.cell(row, 2).value = "note"
    sheet["XFD5"] = "=1+1"  # far outside the answer columns: never read
    source = zipfile.ZipFile(io.BytesIO(to_bytes(workbook)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                body, count = re.subn(rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1:XFD1048576"/>', body)
                assert count == 1
            target.writestr(info, body)
    start = time.perf_counter()
    response = upload(client, buffer.getvalue())
    assert response.status_code == 200, response.get_data(as_text=True)[-2000:]
    assert time.perf_counter() - start < 30
    assert "<ins>Implemented</ins>" in response.get_data(as_text=True)

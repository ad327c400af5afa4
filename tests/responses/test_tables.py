"""Indicator tables (kind ``table``) on the data-entry pages, the REST API and review,
driven by a small inline spec: cells, "no data" vs 0, limits, totals, added rows,
screening, and plausibility warnings against the previous cycle."""
from datetime import date

import pytest
from sqlalchemy import func, select
import yaml

from reporting.database import write_transaction
from reporting.extensions import db as _db
from reporting.models import Answer, AuditEvent, Country, Cycle, Submission
from reporting.responses.cycles import open_cycle
from tests.api.test_api import token_for
from tests.conftest import form_state, login, make_user, store_spec

TABLE_SPEC = """
spec_id: arq
version: 2.0.0
register_checksum: "0000"
title: Test questionnaire with indicator tables
pillars:
  - key: supply_reduction
    title: Supply reduction
    sections:
      - key: screening
        title: Screening
        scope: [global]
        items:
          - key: screening.injecting
            kind: single_choice
            commitments: []
            label: Are people who inject drugs known in your country?
            choices: [{value: "yes", label: "Yes"}, {value: "no", label: "No"}]
      - key: sr-trafficking
        title: Law enforcement and illicit trafficking
        chapter: 3
        scope: [global]
        items:
          - key: ind.drug_seizures
            kind: table
            commitments: [t.1]
            label: Drug seizures, by substance
            table:
              indicator: drug_seizures
              module: seizures_trafficking
              disaggregation: substance
              sdg: ["16.4.1"]
              rows: [{value: heroin, label: Heroin}, {value: cocaine_hcl, label: Cocaine hydrochloride}]
              optional_rows: [{value: fentanyl, label: Fentanyl and analogues}]
              columns:
                - {key: kg, label: Quantity seized, unit: kg, type: decimal, min: 0, max: 100000000, decimals: 3}
                - {key: cases, label: Seizure cases, unit: count, type: integer, min: 0, max: 1000000000, decimals: 0}
          - key: ind.pwid_estimate
            kind: table
            commitments: [t.1]
            label: People who inject drugs
            show_if: "screening.injecting == 'yes'"
            table:
              indicator: pwid_estimate
              module: people_who_inject_drugs
              disaggregation: sex
              reference_year: latest_available
              rows: [{value: total, label: Total}, {value: male, label: Male}, {value: female, label: Female}]
              columns:
                - {key: persons, label: People who inject drugs, unit: persons, type: integer}
                - {key: hiv, label: Living with HIV, unit: percent, type: decimal}
              totals: [{axis: rows, total: total, parts: [male, female]}]
          - key: ind.treatment_persons
            kind: table
            commitments: [t.1]
            label: People in treatment
            table:
              indicator: treatment_persons
              module: treatment
              disaggregation: substance
              rows: [{value: heroin, label: Heroin}]
              columns: [{key: persons, label: People in treatment, unit: persons, type: integer}]
          - key: ind.drug_use_disorders
            kind: table
            commitments: [t.1]
            label: People with drug use disorders
            table:
              indicator: drug_use_disorders
              module: drug_use_disorders
              disaggregation: substance
              rows: [{value: heroin, label: Heroin}]
              columns: [{key: persons, label: People with drug use disorders, unit: persons, type: integer}]
commitments: {}
"""
SPEC = yaml.safe_load(TABLE_SPEC)
PAGE = "/cycles/2025/FRA/sr-trafficking"


@pytest.fixture
def table_cycle(app):
    with write_transaction():
        store_spec(SPEC)
        open_cycle("2024", "2.0.0", date(2025, 6, 30))
        cycle = open_cycle("2025", "2.0.0", date(2026, 6, 30))
    return cycle


def stored(key):
    _db.session.rollback()
    return _db.session.scalar(
        select(Answer.value).join(Submission).join(Cycle).join(Country)
        .where(Cycle.label == "2025", Country.iso3 == "FRA", Answer.key == key))


def counts():
    _db.session.rollback()
    return (_db.session.scalar(select(func.count()).select_from(Answer)),
            _db.session.scalar(select(func.count()).select_from(AuditEvent)))


def post(client, data, page=PAGE):
    return client.post(page, data={**form_state(client, page), **data})


def test_the_page_draws_a_grid_with_units_and_the_no_data_hint(client, table_cycle, login_as):
    login_as("focal_point", "FRA")
    page = client.get(PAGE).get_data(as_text=True)
    assert 'name="ind.drug_seizures:heroin:kg"' in page and 'name="ind.drug_seizures:cocaine_hcl:cases"' in page
    assert "Quantity seized <span class=\"unit\">(kg)</span>" in page
    assert "Type -- where there are no data" in page
    assert 'name="ind.drug_seizures:add"' in page and '<option value="fentanyl">' in page
    assert 'name="ind.drug_seizures:fentanyl:kg"' not in page  # an optional row is not shown until added
    assert "<script" not in page.split('class="questionnaire"')[1].split("</form>")[0]  # the grid needs no JavaScript


def test_cells_are_stored_as_one_value_with_no_data_distinct_from_zero(client, table_cycle, login_as):
    login_as("focal_point", "FRA")
    response = post(client, {"ind.drug_seizures:heroin:kg": "1,234.5", "ind.drug_seizures:heroin:cases": "--",
                             "ind.drug_seizures:cocaine_hcl:kg": "0", "ind.drug_seizures:cocaine_hcl:cases": ""})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert stored("ind.drug_seizures") == {"rows": {"heroin": {"kg": 1234.5, "cases": "no_data"},
                                                    "cocaine_hcl": {"kg": 0}}}
    page = client.get(PAGE).get_data(as_text=True)
    assert 'name="ind.drug_seizures:heroin:cases" id="ind.drug_seizures:heroin:cases" value="--"' in page
    assert 'name="ind.drug_seizures:cocaine_hcl:kg" id="ind.drug_seizures:cocaine_hcl:kg" value="0"' in page
    assert 'name="ind.drug_seizures:cocaine_hcl:cases" id="ind.drug_seizures:cocaine_hcl:cases" value=""' in page


def test_numbers_are_read_and_shown_in_the_readers_locale(client, table_cycle, login_as):
    login_as("focal_point", "FRA")
    client.post("/language", data={"lang": "fr", "next": PAGE})
    with client.session_transaction() as session:
        session["lang"] = "fr"
    response = post(client, {"ind.drug_seizures:heroin:kg": "1 234,5"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert stored("ind.drug_seizures") == {"rows": {"heroin": {"kg": 1234.5}}}
    page = client.get(PAGE).get_data(as_text=True)
    assert 'value="1\u202f234,5"' in page


def test_arabic_pages_are_rtl_and_number_inputs_follow_their_content(client, table_cycle, login_as):
    login_as("focal_point", "FRA")
    with client.session_transaction() as session:
        session["lang"] = "ar"
    page = client.get(PAGE).get_data(as_text=True)
    assert 'dir="rtl"' in page.split(">")[0] + page.split(">")[1]
    # Numbers run left to right in every language (issue 15), Arabic-Indic digits included.
    assert 'name="ind.drug_seizures:heroin:kg" id="ind.drug_seizures:heroin:kg" value="" size="9" dir="ltr"' in page
    # Arabic-Indic digits typed with the Arabic decimal separator are read.
    response = post(client, {"ind.drug_seizures:heroin:kg": "١٢٣٫٥"})
    assert response.status_code == 302
    assert stored("ind.drug_seizures") == {"rows": {"heroin": {"kg": 123.5}}}


@pytest.mark.parametrize(("cell", "text", "message"), [
    ("heroin:kg", "-5", "Heroin, Quantity seized: Enter a number of at least 0."),
    ("heroin:kg", "NaN", "Heroin, Quantity seized: Enter a number, or -- where there are no data."),
    ("heroin:kg", "Infinity", "Enter a number, or -- where there are no data."),
    ("heroin:kg", "sNaN", "Enter a number, or -- where there are no data."),
    ("heroin:kg", "1e400", "Enter a number, or -- where there are no data."),
    ("heroin:kg", "lots", "Enter a number, or -- where there are no data."),
    ("heroin:kg", "1000000000000", "Heroin, Quantity seized: Enter a number of at most 100,000,000."),
    ("heroin:kg", "1.2345", "Enter at most 3 decimal places."),
    ("heroin:cases", "12.5", "Heroin, Seizure cases: Enter a whole number."),
    ("khat:kg", "5", "“khat” is not a row of this table: choose rows from the list."),
    ("heroin:tonnes", "5", "“tonnes” is not a column of this table"),
])
def test_a_bad_cell_is_refused_naming_it_and_nothing_is_stored(client, table_cycle, login_as, cell, text, message):
    login_as("focal_point", "FRA")
    before = counts()
    response = post(client, {f"ind.drug_seizures:{cell}": text, "ind.drug_seizures:cocaine_hcl:kg": "7"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert counts() == before
    assert 'name="ind.drug_seizures:cocaine_hcl:kg" id="ind.drug_seizures:cocaine_hcl:kg" value="7"' in page  # kept as typed


def test_parts_may_not_exceed_their_total(client, table_cycle, login_as):
    login_as("focal_point", "FRA")
    before = counts()
    assert post(client, {"screening.injecting": "yes"}, page="/cycles/2025/FRA/screening").status_code == 302
    before = counts()
    response = post(client, {"ind.pwid_estimate:total:persons": "10",
                             "ind.pwid_estimate:male:persons": "8", "ind.pwid_estimate:female:persons": "5"})
    assert response.status_code == 422
    assert "People who inject drugs: Male + Female add up to 13, more than Total (10)." in response.get_data(as_text=True)
    assert counts() == before
    # "no data" in a part is left out of the sum; equal is fine.
    response = post(client, {"ind.pwid_estimate:total:persons": "10", "ind.pwid_estimate:male:persons": "10",
                             "ind.pwid_estimate:female:persons": "--", "ind.pwid_estimate:year": "2023"})
    assert response.status_code == 302


def test_screening_switches_a_table_off_and_its_answer_is_cleared(client, table_cycle, login_as):
    login_as("focal_point", "FRA")
    assert post(client, {"screening.injecting": "yes"}, page="/cycles/2025/FRA/screening").status_code == 302
    response = post(client, {"ind.pwid_estimate:total:persons": "10", "ind.pwid_estimate:male:persons": "6",
                             "ind.pwid_estimate:female:persons": "--", "ind.pwid_estimate:year": "2023"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert stored("ind.pwid_estimate") == {"rows": {"total": {"persons": 10}, "male": {"persons": 6},
                                                    "female": {"persons": "no_data"}}, "year": 2023}
    assert post(client, {"screening.injecting": "no"}, page="/cycles/2025/FRA/screening").status_code == 302
    assert post(client, {}).status_code == 302
    assert stored("ind.pwid_estimate") is None


def test_a_reference_year_is_checked(client, table_cycle, login_as):
    login_as("focal_point", "FRA")
    post(client, {"screening.injecting": "yes"}, page="/cycles/2025/FRA/screening")
    response = post(client, {"ind.pwid_estimate:year": "1850"})
    assert response.status_code == 422 and "Reference year: enter a year from 1990" in response.get_data(as_text=True)
    response = post(client, {"ind.drug_seizures:year": "2024"})
    assert response.status_code == 422 and "no reference year is asked" in response.get_data(as_text=True)


def test_a_row_is_added_from_the_list_only_without_saving(client, table_cycle, login_as):
    login_as("focal_point", "FRA")
    before = counts()
    response = post(client, {"ind.drug_seizures:heroin:kg": "3", "ind.drug_seizures:add": "fentanyl", "action": "add-row"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="ind.drug_seizures:fentanyl:kg"' in page
    assert 'name="ind.drug_seizures:rows" value="fentanyl"' in page
    assert 'id="ind.drug_seizures:heroin:kg" value="3"' in page
    assert counts() == before
    response = post(client, {"ind.drug_seizures:rows": "fentanyl", "ind.drug_seizures:fentanyl:kg": "0.25"})
    assert response.status_code == 302
    assert stored("ind.drug_seizures") == {"rows": {"fentanyl": {"kg": 0.25}}}
    assert 'name="ind.drug_seizures:fentanyl:kg" id="ind.drug_seizures:fentanyl:kg" value="0.25"' in client.get(PAGE).get_data(as_text=True)


def test_a_plain_value_for_a_table_is_refused(client, table_cycle, login_as):
    login_as("focal_point", "FRA")
    response = post(client, {"ind.drug_seizures": "12"})
    assert response.status_code == 422
    assert "Send this table as its cells" in response.get_data(as_text=True)


def _previous(values: dict):
    """Answers of FRA in the 2024 cycle, as that cycle stored them."""
    with write_transaction():
        submission = _db.session.scalar(select(Submission).join(Cycle).join(Country)
                                        .where(Cycle.label == "2024", Country.iso3 == "FRA"))
        for key, value in values.items():
            submission.answers.append(Answer(key=key, value=value))


def test_a_tenfold_change_asks_for_a_note_but_does_not_block_submission(app, client, table_cycle, login_as):
    _previous({"ind.drug_seizures": {"rows": {"heroin": {"kg": 100, "cases": 10}, "cocaine_hcl": {"kg": 50}}}})
    login_as("focal_point", "FRA")
    response = post(client, {"ind.drug_seizures:heroin:kg": "5000", "ind.drug_seizures:heroin:cases": "12",
                             "ind.drug_seizures:cocaine_hcl:kg": "4"})
    assert response.status_code == 302
    page = client.get(PAGE).get_data(as_text=True)
    assert "Unusual values: please confirm them" in page
    assert "5,000 is more than ten times higher or lower than last cycle’s 100." in page or \
           "5,000 is more than ten times higher or lower than last cycle's 100." in page
    assert "Heroin, Quantity seized (kg)" in page and "Cocaine hydrochloride, Quantity seized (kg)" in page
    assert "Heroin, Seizure cases" not in page  # 12 against 10 is plausible
    assert 'name="ind.drug_seizures:note"' in page
    overview = client.get("/cycles/2025/FRA/").get_data(as_text=True)
    assert "Unusual values to confirm" in overview and "No note yet." in overview
    # The note confirms; submission goes through either way.
    assert post(client, {"ind.drug_seizures:heroin:kg": "5000", "ind.drug_seizures:heroin:cases": "12",
                         "ind.drug_seizures:cocaine_hcl:kg": "4",
                         "ind.drug_seizures:note": "Record seizure in the port of Le Havre."}).status_code == 302
    state = form_state(client, "/cycles/2025/FRA/")
    response = client.post("/cycles/2025/FRA/submit", data=state)
    assert response.status_code == 302, response.get_data(as_text=True)
    compiler = app.test_client()
    login(compiler, make_user("compiler").email)
    review = compiler.get("/cycles/2025/FRA/").get_data(as_text=True)
    assert "Unusual values to confirm" in review and "Record seizure in the port of Le Havre." in review


def test_treatment_above_the_people_with_disorders_is_flagged(client, table_cycle, login_as):
    login_as("focal_point", "FRA")
    response = post(client, {"ind.treatment_persons:heroin:persons": "500", "ind.drug_use_disorders:heroin:persons": "100"})
    assert response.status_code == 302
    page = client.get(PAGE).get_data(as_text=True)
    assert "People in treatment are 500% of people with drug use disorders" in page


def test_the_api_reads_and_writes_tables_validated_as_the_page(client, table_cycle, user_factory):
    headers = token_for(user_factory, "focal_point", "FRA")
    path = "/api/v1/cycles/2025/submissions/FRA"
    version = client.get(path, headers=headers).json["version"]
    value = {"rows": {"heroin": {"kg": 12.345, "cases": "no_data"}, "fentanyl": {"kg": 0}}, "note": "Checked."}
    response = client.patch(path + "/answers", json={"base_version": version, "answers": {"ind.drug_seizures": value}},
                            headers=headers)
    assert response.status_code == 200, response.json
    assert client.get(path, headers=headers).json["answers"]["ind.drug_seizures"]["value"] == {
        "rows": {"heroin": {"kg": 12.345, "cases": "no_data"}, "fentanyl": {"kg": 0}}, "note": "Checked."}
    version = response.json["version"]
    before = counts()
    for bad, message in [
        ({"rows": {"heroin": {"kg": -1}}}, "Heroin, Quantity seized: Enter a number of at least 0."),
        ({"rows": {"heroin": {"kg": "NaN"}}}, "Enter a number, or -- where there are no data."),
        ({"rows": {"heroin": {"cases": 1.5}}}, "Heroin, Seizure cases: Enter a whole number."),
        ({"rows": {"khat": {"kg": 1}}}, "“khat” is not a row of this table"),
        ({"rows": {"heroin": {"tonnes": 1}}}, "“tonnes” is not a column of this table"),
        ({"rows": {"heroin": {"kg": 12.3456}}}, "Enter at most 3 decimal places."),
        ({"rows": {"heroin": 5}}, "Send this table as its cells"),
        (42, "Send this table as its cells"),
        ({"cells": {}}, "Send this table as its cells"),
    ]:
        response = client.patch(path + "/answers", json={"base_version": version, "answers": {"ind.drug_seizures": bad}},
                                headers=headers)
        assert response.status_code == 422, (bad, response.json)
        assert any(message in text for text in response.json["error"]["fields"]["answers"]["ind.drug_seizures"]), response.json
    assert counts() == before
    # JSON numbers are plain, never read in a locale ("12.345" is not twelve thousand).
    response = client.patch(path + "/answers", json={"base_version": version, "answers": {"ind.drug_seizures": {"rows": {"heroin": {"kg": 12.345}}}}},
                            headers={**headers, "Accept-Language": "es"})
    assert response.status_code == 200
    assert stored("ind.drug_seizures") == {"rows": {"heroin": {"kg": 12.345}}}

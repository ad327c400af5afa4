"""Driving the offline workbook as a person would: open the download in openpyxl,
type or pick values in the answer cells, save, upload, confirm the preview."""
import copy
from datetime import date
import io
import re

import openpyxl
from sqlalchemy import func, select

from reporting.database import write_transaction
from reporting.models import Answer, AuditEvent, Submission
from reporting.responses.cycles import open_cycle
from tests.conftest import SPEC, csrf_token, store_spec

ANSWER_COLUMN = 5

# The shared inline spec, plus choice questions and the commitments' texts.
WORKBOOK_SPEC = copy.deepcopy(SPEC)
WORKBOOK_SPEC["version"] = "9.1.0"
WORKBOOK_SPEC["pillars"][1]["sections"][0]["items"] += [
    {"key": "t.3.channel", "kind": "single_choice", "commitments": [], "label": "Main channel of cooperation",
     "choices": [{"value": "bilateral", "label": "Bilateral, with neighbouring States"}, {"value": "regional", "label": "Regional"}]},
    {"key": "t.3.partners", "kind": "multiple_choice", "commitments": [], "label": "Partners",
     "choices": [{"value": "customs", "label": "Customs"}, {"value": "police", "label": "Police"}, {"value": "industry", "label": "Chemical industry"}]},
    {"key": "t.3.seizures", "kind": "table", "commitments": [], "label": "Drug seizures, by substance",
     "table": {"indicator": "drug_seizures", "module": "seizures_trafficking", "disaggregation": "substance",
               "rows": [{"value": "heroin", "label": "Heroin"}, {"value": "cocaine_hcl", "label": "Cocaine hydrochloride"}],
               "optional_rows": [{"value": "fentanyl", "label": "Fentanyl and analogues"}],
               "columns": [{"key": "kg", "label": "Quantity seized", "unit": "kg", "type": "decimal", "min": 0, "max": 100000000, "decimals": 3},
                           {"key": "cases", "label": "Seizure cases", "unit": "count", "type": "integer", "min": 0, "max": 1000000000, "decimals": 0}]}},
]
WORKBOOK_SPEC["commitments"] = {
    "t.1": {"document": "pd2009", "text": "Raise public awareness of drug risks.", "title": "Awareness"},
    "t.2": {"document": "ungass2016", "text": "Provide treatment services.", "title": "Treatment"},
    "t.3": {"document": "jms2014", "text": "Control precursor chemicals.", "title": "Precursors"},
}


def open_workbook_cycle(label: str = "2025"):
    with write_transaction():
        spec = store_spec(WORKBOOK_SPEC)
    with write_transaction():
        return open_cycle(label, spec.version, date(2026, 6, 30))


def download(client, country: str = "FRA", cycle: str = "2025", **params):
    response = client.get(f"/cycles/{cycle}/{country}/workbook.xlsx", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert "attachment" in response.headers["Content-Disposition"]
    return openpyxl.load_workbook(io.BytesIO(response.data))


def rows_by_key(workbook) -> dict[str, tuple]:
    """Hidden key (column A) → (sheet, row), over every section sheet."""
    found = {}
    for sheet in workbook.worksheets:
        if sheet.sheet_state != "visible":
            continue
        for row in range(1, sheet.max_row + 1):
            key = sheet.cell(row, 1).value
            if key:
                found[key] = (sheet, row)
    return found


def fill(workbook, values: dict) -> None:
    """Type ``values`` into the answer cells of the questions with those keys (``key|choice`` for
    a choice row, ``key|row`` with a list of values, one per column, for a table row)."""
    places = rows_by_key(workbook)
    for key, value in values.items():
        sheet, row = places[key]
        for offset, cell in enumerate(value if isinstance(value, list) else [value]):
            sheet.cell(row, ANSWER_COLUMN + offset).value = cell


def to_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, data: bytes, country: str = "FRA", cycle: str = "2025", filename: str = "answers.xlsx"):
    token = csrf_token(client, f"/cycles/{cycle}/{country}/")
    return client.post(
        f"/cycles/{cycle}/{country}/workbook", content_type="multipart/form-data",
        data={"csrf_token": token, "workbook": (io.BytesIO(data), filename)},
    )


def confirm(client, preview_page: str, country: str = "FRA", cycle: str = "2025"):
    fields = dict(re.findall(r'name="(csrf_token|upload|preview_version)" type="hidden" value="([^"]*)"', preview_page))
    assert set(fields) == {"csrf_token", "upload", "preview_version"}, preview_page
    return client.post(f"/cycles/{cycle}/{country}/workbook/confirm", data=fields)


def stored(db, country: str = "FRA") -> dict:
    db.session.rollback()
    from reporting.models import Country

    rows = db.session.execute(
        select(Answer.key, Answer.value).join(Submission).join(Country).where(Country.iso3 == country)
    ).all()
    return dict(rows)


def snapshot(db) -> tuple:
    """Everything an upload could change: answers, versions, audit events."""
    db.session.rollback()
    return (
        db.session.scalar(select(func.count()).select_from(Answer)),
        tuple(db.session.scalars(select(Submission.version).order_by(Submission.id))),
        db.session.scalar(select(func.count()).select_from(AuditEvent)),
    )


def sign_out(client) -> None:
    client.post("/logout", data={"csrf_token": csrf_token(client, "/cycles/")})


def sign_in_as(client, login_as, role: str, country: str | None):
    """Sign out whoever is signed in, then sign in as a new user."""
    sign_out(client)
    return login_as(role, country)

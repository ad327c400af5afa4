"""The offline workbook through the REST API: the same checks and forms as the pages."""
import io

import openpyxl

from tests.api.test_api import token_for
from tests.responses.workbooks import fill, open_workbook_cycle, snapshot, stored, to_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
URL = "/api/v1/cycles/2025/submissions/FRA/workbook"


def test_download_preview_apply(client, db, app, user_factory):
    open_workbook_cycle()
    headers = token_for(user_factory, "focal_point", "FRA")
    response = client.get(URL, headers=headers, query_string={"sections": "dr-prevention", "lang": "fr"})
    assert response.status_code == 200 and response.mimetype == XLSX
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    assert len([sheet for sheet in workbook.worksheets if sheet.sheet_state == "visible"]) == 2
    statuses = [workbook["_lists"].cell(row, 1).value for row in range(1, 6)]
    assert statuses[3] != "Implemented"  # French labels
    fill(workbook, {"t.1.status": statuses[3], "t.2.indicator.1": 120})
    data = to_bytes(workbook)

    before = snapshot(db)
    preview = client.post(URL, headers=headers | {"Content-Type": XLSX}, data=data)
    assert preview.status_code == 200, preview.json
    body = preview.json
    assert body["applied"] is False and body["conflicts"] == [] and body["workbook_version"] == 1
    changes = {change["key"]: change for change in body["changes"]}
    assert changes["t.1.status"]["old"] is None and changes["t.1.status"]["new"] == "implemented"
    assert changes["t.1.status"]["reference"] == "Political Declaration 2009, paragraph 1"
    assert changes["t.2.indicator.1"]["place"].endswith("cell E7")
    assert snapshot(db) == before

    applied = client.post(URL, headers=headers, query_string={"apply": "true"},
                          data={"workbook": (io.BytesIO(data), "w.xlsx")}, content_type="multipart/form-data")
    assert applied.status_code == 200 and applied.json["applied"] is True and applied.json["current_version"] == 2
    assert stored(db) == {"t.1.status": "implemented", "t.2.indicator.1": 120}


def test_bad_workbook_is_422_with_field_messages(client, db, user_factory):
    open_workbook_cycle()
    headers = token_for(user_factory, "focal_point", "FRA")
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(URL, headers=headers).data))
    fill(workbook, {"t.2.indicator.1": "=1+1"})
    before = snapshot(db)
    response = client.post(URL, headers=headers | {"Content-Type": XLSX}, query_string={"apply": "1"}, data=to_bytes(workbook))
    assert response.status_code == 422
    assert response.json["error"]["fields"]["workbook"] == ["Sheet “Prevention”, cell E7 contains a formula. Type the value itself."]
    assert client.post(URL, headers=headers, data={"x": "y"}).status_code == 422
    assert client.get(URL, headers=headers, query_string={"sections": "nope"}).status_code == 422
    assert snapshot(db) == before


def test_compiler_downloads_but_cannot_upload(client, db, user_factory):
    open_workbook_cycle()
    headers = token_for(user_factory, "compiler")
    response = client.get(URL, headers=headers)
    assert response.status_code == 200
    refused = client.post(URL, headers=headers | {"Content-Type": XLSX}, data=response.data)
    assert refused.status_code == 403
    other = token_for(user_factory, "focal_point", "DEU")
    assert client.get(URL, headers=other).status_code == 403


def test_openapi_documents_the_workbook(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert set(paths["/cycles/{label}/submissions/{iso3}/workbook"]) == {"get", "post"}

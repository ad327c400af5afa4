"""The OpenAPI 3 document of the REST API, built from the marshmallow schemas."""
from functools import lru_cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from reporting.api import schemas

CYCLE = {"name": "label", "in": "path", "required": True, "schema": {"type": "string"}}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COUNTRY = {"name": "iso3", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[A-Z]{3}$"}}


def _json(schema: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict:
    return _json("Error", description)


ERRORS = {
    "401": _error("Not signed in, or the bearer token is unknown, expired or revoked"),
    "403": _error("Another country's data, or a role that may not do this"),
    "404": _error("Unknown cycle, country or submission"),
}
WRITE_ERRORS = {
    **ERRORS,
    "400": _error("Signed in with the browser session but without the `X-CSRFToken` header (bearer tokens need none)"),
    "409": _error("Stale base_version, or a state that does not allow this (submitted, closed cycle)"),
    "413": _error("The body is larger than the server accepts"),
    "422": _error("Invalid body; `error.fields` names each field and its problems"),
}


def _write_errors(unprocessable: str) -> dict:
    """The write answers, with what a schema-valid body can still be refused for (422)."""
    return {**WRITE_ERRORS, "422": _error(unprocessable)}

PATHS = {
    "/cycles": {"get": {"summary": "Reporting cycles", "responses": {"200": _json({"type": "array", "items": "Cycle"}, "Cycles, newest first"), **ERRORS}}},
    "/cycles/{label}": {"get": {"summary": "One cycle", "parameters": [CYCLE], "responses": {"200": _json("Cycle", "The cycle"), **ERRORS}}},
    "/cycles/{label}/spec": {"get": {"summary": "The questionnaire spec frozen for the cycle", "parameters": [CYCLE], "responses": {"200": _json({"type": "object"}, "The spec (see questionnaire_specs/schema)"), **ERRORS}}},
    "/cycles/{label}/submissions": {"get": {"summary": "Submissions the user may see", "parameters": [CYCLE], "responses": {"200": _json({"type": "array", "items": "SubmissionSummary"}, "Compilers: all Member States; country users: their own"), **ERRORS}}},
    "/cycles/{label}/submissions/{iso3}": {"get": {"summary": "A submission with its answers", "parameters": [CYCLE, COUNTRY], "responses": {"200": _json("Submission", "State, version, answers and comments"), **ERRORS}}},
    "/cycles/{label}/submissions/{iso3}/answers": {"patch": {
        "summary": "Change answers (focal points of the country)", "parameters": [CYCLE, COUNTRY],
        "description": "Validated as the web form validates them. A table question (key `ind.<indicator>`) takes one "
                       "object: `{\"rows\": {row: {column: number or \"no_data\"}}, \"year\": int, \"note\": text}`; "
                       "rows and columns come from the table in the cycle's spec, numbers are plain JSON numbers "
                       "within the column's unit limits, and `\"no_data\"` (the ARQ's \"--\") is not zero.",
        "requestBody": {"required": True, "content": {"application/json": {"schema": "AnswersUpdate"}}},
        "responses": {"200": _json("SaveResult", "Saved: the new version, the keys saved and changed, "
                                                  "and what is still missing in the sections saved"), **_write_errors(
            "An answer the web form would refuse too (out of range, not a choice, control characters, a list for a "
            "single value…), or a key that is not a question of this country's questionnaire; `error.fields.answers` "
            "names each one. Also a body that is not JSON, nests too deep or is too large (`error.fields._body`)")},
    }},
    "/cycles/{label}/submissions/{iso3}/submit": {"post": {
        "summary": "Submit to UNODC (focal points of the country)", "parameters": [CYCLE, COUNTRY],
        "requestBody": {"required": True, "content": {"application/json": {"schema": "Submit"}}},
        "responses": {"200": _json("Submission", "Submitted"), **_write_errors(
            "The questionnaire is not complete: `error.fields` names each unanswered or unconfirmed question "
            "(or failed check) and why; nothing changes. Also an invalid body")},
    }},
    "/cycles/{label}/submissions/{iso3}/review": {"post": {
        "summary": "Accept, or return with comments keyed by section or question key (compilers)", "parameters": [CYCLE, COUNTRY],
        "requestBody": {"required": True, "content": {"application/json": {"schema": "Review"}}},
        "responses": {"200": _json("Submission", "Accepted or returned"), **_write_errors(
            "A comment for a section this questionnaire does not have, or longer than 4,000 characters "
            "(refused, never cut); also an invalid body")},
    }},
    "/cycles/{label}/submissions/{iso3}/documents/{document_id}": {"get": {
        "summary": "An evidence document (the `url` of a submission's `documents`), as an attachment",
        "parameters": [CYCLE, COUNTRY, {"name": "document_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "The file, with its checked media type", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}, **ERRORS},
    }},
    "/cycles/{label}/submissions/{iso3}/workbook": {
        "get": {
            "summary": "The pre-filled offline workbook (.xlsx); read-only copy for those who may not change the answers",
            "parameters": [CYCLE, COUNTRY,
                           {"name": "sections", "in": "query", "schema": {"type": "string"}, "description": "comma-separated section keys; all by default"},
                           {"name": "lang", "in": "query", "schema": {"type": "string", "enum": ["ar", "zh", "en", "fr", "ru", "es"]}, "description": "language of the labels; the user's by default"}],
            "responses": {"200": {"description": "The workbook", "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}},
                          "422": _error("Unknown section key"), **ERRORS},
        },
        "post": {
            "summary": "Preview (default) or apply a filled-in workbook (focal points of the country)",
            "description": "Validated by the same forms as the web pages. A workbook made from an older submission version is merged: "
                           "questions changed both in the workbook and, differently, on the site since are listed in `conflicts` and never overwritten.",
            "parameters": [CYCLE, COUNTRY, {"name": "apply", "in": "query", "schema": {"type": "boolean", "default": False}}],
            "requestBody": {"required": True, "content": {
                XLSX: {"schema": {"type": "string", "format": "binary"}},
                "multipart/form-data": {"schema": {"type": "object", "properties": {"workbook": {"type": "string", "format": "binary"}}, "required": ["workbook"]}},
            }},
            "responses": {"200": _json("WorkbookPreview", "What changes (applied when `apply=true`)"),
                          "413": _error("Larger than the workbook limit (10 MB by default)"), **WRITE_ERRORS},
        },
    },
}


@lru_cache(maxsize=1)
def openapi_document() -> dict:
    spec = APISpec(
        title="Drug policy commitments reporting API", version="1.0.0", openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={"description": "Cycles, the frozen questionnaire, submissions and answers. "
                             "Authenticate with `Authorization: Bearer <token>` (created by `flask users token`)."},
        servers=[{"url": "/api/v1"}],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name, schema in [
        ("Cycle", schemas.CycleSchema), ("SubmissionSummary", schemas.SubmissionSummarySchema),
        ("Submission", schemas.SubmissionSchema), ("SaveResult", schemas.SaveResultSchema), ("AnswersUpdate", schemas.AnswersUpdateSchema),
        ("Version", schemas.VersionSchema), ("Submit", schemas.SubmitSchema), ("Review", schemas.ReviewSchema), ("Error", schemas.ErrorSchema),
        ("WorkbookPreview", schemas.WorkbookPreviewSchema),
    ]:
        spec.components.schema(name, schema=schema)
    for path, operations in PATHS.items():
        spec.path(path=path, operations=operations)
    document = spec.to_dict()
    document["security"] = [{"bearer": []}]
    return document

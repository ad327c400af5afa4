"""The OpenAPI 3 document of the REST API, built from the marshmallow schemas."""
from functools import lru_cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from reporting.api import schemas
from reporting.reports.build import AGGREGATE_SHEETS

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

# --- the public API: published cycles and the register, no authentication ------------------------

_STRING = {"type": "string"}
CACHE_HEADERS = {
    "ETag": {"description": "Validator of this body (send it back in `If-None-Match`)", "required": True, "schema": _STRING},
    "Last-Modified": {"description": "When what this body is made from was last published or written",
                      "required": True, "schema": _STRING},
    "Cache-Control": {"description": "`public, max-age=…`: a browser or proxy may keep and serve it", "required": True,
                      "schema": _STRING},
}
PUBLIC_LABEL = {"name": "label", "in": "path", "required": True, "schema": _STRING,
                "description": "Label of a published cycle"}
PAGING = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 1},
     "description": "1 to the last page (`pages`); a page past the last one is 400"},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}},
]
PAGED = {"page": {"type": "integer"}, "limit": {"type": "integer"}, "pages": {"type": "integer"},
         "total": {"type": "integer"}}


def _filter(name: str, description: str) -> dict:
    return {"name": name, "in": "query", "schema": {"type": "string", "maxLength": 200}, "description": description}


def _public(summary: str, body: dict, parameters: list | None = None, description: str | None = None,
            not_found: str = "Unknown or unpublished cycle, or its open data not written yet") -> dict:
    """A public GET: cacheable 200, 304 on a matching validator, 400/404 JSON errors, 429 over the rate limit."""
    operation = {
        "summary": summary, "security": [], "tags": ["public"], "parameters": parameters or [],
        "responses": {
            "200": {"description": "OK", "headers": CACHE_HEADERS, "content": {"application/json": {"schema": body}}},
            "304": {"description": "Not modified: the `If-None-Match` / `If-Modified-Since` sent still holds"},
            "400": _error("A query parameter is not valid, unknown, repeated, or a page past the last; "
                          "`error.fields` names it"),
            "404": _error(not_found),
            "429": {**_error("Over the per-client rate limit (`PUBLIC_RATE_LIMIT`)"),
                    "headers": {"Retry-After": {"description": "Seconds to wait", "required": True,
                                                "schema": {"type": "integer"}}}},
        },
    }
    if description:
        operation["description"] = description
    return {"get": operation}


def _object(**properties) -> dict:
    return {"type": "object", "properties": properties, "required": list(properties)}


CYCLE_SUMMARY = _object(label=_STRING, deadline={"type": "string", "format": "date"}, spec_version=_STRING,
                        is_demo={"type": "boolean"}, published_at={"type": "string", "nullable": True},
                        url=_STRING, open_data=_STRING)
COMMITMENT_SUMMARY = {"type": "object", "required": ["id", "document", "url"], "properties": {
    "id": _STRING, "document": _STRING, "label": {"type": "string", "nullable": True},
    "title": {"type": "string", "nullable": True}, "pillar": {"type": "string", "nullable": True},
    "chapter": {"type": "integer", "nullable": True}, "scope": {"type": "array", "items": _STRING, "nullable": True},
    "url": _STRING}}
TABLES = list(AGGREGATE_SHEETS)

PUBLIC_PATHS = {
    "/public/": _public("Links to the public resources (no authentication)",
                        _object(cycles=_STRING, commitments=_STRING, catalog=_STRING, openapi=_STRING)),
    "/public/cycles": _public("Published cycles with open data, newest first",
                              _object(cycles={"type": "array", "items": CYCLE_SUMMARY})),
    "/public/cycles/{label}": _public(
        "A published cycle: its open-data files, aggregate tables and the countries with public answers",
        {"allOf": [CYCLE_SUMMARY, _object(files={"type": "array", "items": {"type": "object"}},
                                          aggregates={"type": "object"}, countries={"type": "array", "items": {"type": "object"}})]},
        [PUBLIC_LABEL]),
    "/public/cycles/{label}/aggregates/{table}": _public(
        "One aggregate table of the cycle report (accepted submissions only), as rows",
        _object(cycle=_STRING, table=_STRING, rows={"type": "array", "items": {"type": "object"}}, **PAGED),
        [PUBLIC_LABEL, {"name": "table", "in": "path", "required": True, "schema": {"type": "string", "enum": TABLES}},
         _filter("level", "world, region, subregion, regional_group or scope"),
         _filter("code", "M49 or group code of the area (`level` says which)"),
         _filter("pillar", "demand_reduction, supply_reduction or international_cooperation"),
         _filter("question", "question key (see the data dictionary)"),
         _filter("commitment", "a commitment id of the register"), *PAGING],
        "Columns as in the CSV files (`aggregates-<table>.csv`); shares are null where there are too few replies. "
        "A filter on a column the table does not have is 400.",
        "Unknown or unpublished cycle, unknown table, or the cycle's open data not written yet"),
    "/public/cycles/{label}/countries/{iso3}/answers": _public(
        "A country's public answers in a published cycle",
        _object(cycle=_STRING, iso3=_STRING, country=_STRING, region_m49={"type": "integer", "nullable": True},
                subregion_m49={"type": "integer", "nullable": True}, answers={"type": "object"}, dictionary=_STRING),
        [PUBLIC_LABEL, COUNTRY],
        "Only an accepted submission; statuses, choices and indicator figures, and the country's own words only "
        "where it agreed to their publication.",
        "Unknown or unpublished cycle, or no accepted submission of this country in it"),
    "/public/commitments": _public(
        "The commitment register, searchable and filtered",
        _object(commitments={"type": "array", "items": COMMITMENT_SUMMARY}, **PAGED),
        [_filter("q", "words that must all appear in the id, reference, title or text"),
         _filter("document", "document key, e.g. ungass2016"),
         _filter("pillar", "demand_reduction, supply_reduction or international_cooperation"),
         {"name": "chapter", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 7},
          "description": "UNGASS 2016 thematic chapter"}, *PAGING]),
    "/public/commitments/{commitment_id}": _public(
        "One commitment: its text, the policy question that asks it and its status in each published cycle",
        {"allOf": [COMMITMENT_SUMMARY, _object(text=_STRING, path={"type": "array", "items": _STRING},
                                               question={"type": "object", "nullable": True},
                                               statuses={"type": "array", "items": {"type": "object"}})]},
        [{"name": "commitment_id", "in": "path", "required": True, "schema": _STRING}], not_found="Unknown commitment"),
}


@lru_cache(maxsize=1)
def openapi_document() -> dict:
    spec = APISpec(
        title="Drug policy commitments reporting API", version="1.0.0", openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={"description": "Cycles, the frozen questionnaire, submissions and answers. "
                             "Authenticate with `Authorization: Bearer <token>` (created by `flask users token`). "
                             "The `/public/…` operations (published cycles, their open data, the register) need no "
                             "authentication and may be cached by a proxy."},
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
    for path, operations in {**PATHS, **PUBLIC_PATHS}.items():
        spec.path(path=path, operations=operations)
    document = spec.to_dict()
    document["security"] = [{"bearer": []}]
    return document

"""Schemathesis over every operation of /api/v1/openapi.json, against the real
app (WSGI, real SQLite database, a real cycle with a focal point and a
compiler): no 5xx, every status code, content type, header and body as the
document declares, and 405 answers that carry ``Allow``.

Runtime is bounded by ``FUZZ_EXAMPLES`` per operation (the whole API fuzz
takes well under a minute on two cores); set the environment variable
``FUZZ_EXAMPLES`` higher for a longer run. Each run appends its figures
(operations, cases, server errors) to ``FUZZ_REPORT`` when that is set.
"""
import contextvars
import json
import os
import re

import flask.globals

from hypothesis import HealthCheck, given, settings
import pytest
import schemathesis
from schemathesis import checks

from reporting.accounts.services import create_api_token
from reporting.api.openapi import openapi_document
from reporting.database import write_transaction
from tests.conftest import make_user

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.allow_header_conformance,
]
COUNTS: dict[str, int] = {}
SERVER_ERRORS = 0  # counted for the report; any one also fails its test


def isolated(call):
    """Run one request in its own app context, as production does (see ``tests.conftest.IsolatedClient``)."""
    def run():
        flask.globals._cv_app.set(None)
        return call()

    return contextvars.copy_context().run(run)


OPERATIONS = [(path, method) for path, item in openapi_document()["paths"].items() for method in item]


@pytest.fixture
def tokens(app, cycle):
    """A focal point of France (writes answers, submits) and a compiler (reviews)."""
    focal = make_user("focal_point", "FRA", email="fuzz.fp@fra.example.org")
    compiler = make_user("compiler", None, email="fuzz.compiler@unodc.example.org")
    with write_transaction():
        return {
            "focal": f"Bearer {create_api_token(focal.email, 'fuzz')}",
            "compiler": f"Bearer {create_api_token(compiler.email, 'fuzz')}",
        }


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{method.upper()} {path}" for path, method in OPERATIONS])
def test_every_operation_answers_as_documented(app, tokens, path, method):
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[path][method.upper()]
    role = "compiler" if path.endswith("/review") else "focal"
    cases = []

    @given(case=operation.as_strategy())
    @settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def fuzz(case):
        # Mostly the cycle and the country that exist, so that bodies reach the forms and the
        # workflow; a random path parameter now and then still checks the 404 answers.
        parameters = case.path_parameters or {}
        if len(parameters.get("label", "")) % 4:
            parameters["label"] = "2025"
            if "iso3" in parameters:
                parameters["iso3"] = "FRA"
        global SERVER_ERRORS
        response = isolated(lambda: case.call(headers={"Authorization": tokens[role]}))
        SERVER_ERRORS += response.status_code >= 500
        case.validate_response(response, checks=CHECKS)
        assert response.status_code < 500
        cases.append(response.status_code)

    fuzz()
    COUNTS[f"{method.upper()} {path}"] = len(cases)
    assert cases


@pytest.mark.parametrize("path", sorted(openapi_document()["paths"]))
def test_undeclared_methods_are_405_with_allow(client, tokens, path):
    declared = {method.upper() for method in openapi_document()["paths"][path]}
    url = "/api/v1" + re.sub(r"\{(\w+)\}", lambda m: {"label": "2025", "iso3": "FRA"}.get(m.group(1), "1"), path)
    for method in {"GET", "POST", "PUT", "PATCH", "DELETE"} - declared:
        response = client.open(url, method=method, headers={"Authorization": tokens["focal"]}, json={})
        assert response.status_code == 405, (method, url)
        allowed = {part.strip() for part in response.headers["Allow"].split(",")}
        assert declared <= allowed and method not in allowed
        assert response.is_json and response.json["error"]["status"] == 405


def test_fuzz_figures():
    """Runs after the fuzz (pytest keeps file order): every documented operation got cases."""
    assert set(COUNTS) == {f"{method.upper()} {path}" for path, method in OPERATIONS}
    report = os.environ.get("FUZZ_REPORT")
    if report:
        with open(report, "a") as handle:
            handle.write(json.dumps({"api": {"operations": len(COUNTS), "cases": sum(COUNTS.values()), "server_errors": SERVER_ERRORS,
                                             "per_operation": COUNTS}}) + "\n")

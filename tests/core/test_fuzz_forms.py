"""Hypothesis fuzz of every web form route (every POST outside /api/) with the
bad input of issue 17: control characters, NaN/sNaN/Infinity, superscript and
huge digits, labels with a trailing newline, over-long text, several values
for one field, files where text is expected. With a valid CSRF token and a
signed-in user of the right role, so the posts reach the forms and services.
No answer may be a server error.

``FUZZ_EXAMPLES`` bounds the examples per route (default 12); each run
appends its figures to ``FUZZ_REPORT`` when that is set.
"""
import io
import json
import os
import re

from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from sqlalchemy import select

from reporting import create_app
from reporting.database import write_transaction
from reporting.models import Submission
from tests.conftest import csrf_token, login, make_user

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES_FORMS", "12"))
BAD_STRINGS = [
    "", " ", "From Word\x0btext", "nul\x00byte", "form\x0cfeed", "esc\x1b[31m", "\x85next line", "\ufffe", "\uffff",
    "sNaN", "NaN", "-Infinity", "inf", "1e999999", "²", "١٢٣", "99999999999999999999999", "-1", "0", "2025\n",
    "2025\r\n", "x" * 4001, "x" * 70_000, "<script>alert(1)</script>", "=HYPERLINK(\"http://evil\")", "../../etc/passwd",
    "Cafe\u0301", "implemented", "planned", "accept", "return", "en", "FRA", "2025", "https://example.org/x",
]
TEXT = st.one_of(st.sampled_from(BAD_STRINGS), st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40))
VALUE = st.one_of(
    TEXT,
    st.lists(TEXT, min_size=2, max_size=3),  # a list where one value is expected
    st.binary(max_size=200).map(lambda data: ("file", data)),  # a file where text is expected
)
# Which role signs in for which routes; anonymous for the sign-in pages.
ANONYMOUS = {"accounts.login", "accounts.forgot_password", "accounts.set_password"}
COMPILER = {"responses.create", "responses.change_state", "responses.review", "reports.build"}
PATH_VALUES = {"label": "2025", "iso3": "FRA", "section_key": "dr-prevention", "token": "not-a-link"}
FIGURES: dict[str, int] = {}
SERVER_ERRORS = 0  # counted for the report; any one also fails its test


def _form_routes() -> list[tuple[str, str]]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x", "TESTING": True})
    return sorted((rule.endpoint, rule.rule) for rule in app.url_map.iter_rules()
                  if "POST" in rule.methods and not rule.rule.startswith("/api/") and rule.endpoint != "accounts.logout")


ROUTES = _form_routes()


def _url(rule: str, ids: dict[str, int]) -> str:
    return re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: str(PATH_VALUES.get(m.group(2), ids.get(m.group(2), 1))), rule)


def _page_inputs(client, url: str) -> tuple[list[str], dict[str, str]]:
    """The input names of the pages the route belongs to (the page itself, its parent, the
    overview), and the hidden values they carry (base_version…), which a post starts from."""
    names, hidden = set(), {}
    for page in ("/cycles/2025/FRA/", url.rsplit("/", 1)[0] + "/", url):
        response = client.get(page)
        if response.status_code != 200:
            continue
        text = response.get_data(as_text=True)
        names |= set(re.findall(r'<(?:input|textarea|select)[^>]*name="([^"]+)"', text))
        for tag in re.findall(r'<input[^>]*type="hidden"[^>]*>', text):
            name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
            if name and value and name.group(1) not in ("next", "csrf_token"):
                hidden[name.group(1)] = value.group(1)
    return sorted(names - {"csrf_token"}) or ["value"], hidden


@pytest.mark.parametrize(("endpoint", "rule"), ROUTES, ids=[endpoint for endpoint, _rule in ROUTES])
def test_form_route_never_answers_with_a_server_error(app, db, client, cycle, endpoint, rule):
    focal = make_user("focal_point", "FRA", email="fuzz.fp@fra.example.org")
    make_user("admin", None, email="fuzz.admin@unodc.example.org")
    make_user("compiler", None, email="fuzz.compiler@unodc.example.org")
    if endpoint == "responses.review":  # only a submitted questionnaire has a review form
        with write_transaction():
            db.session.scalar(select(Submission).join(Submission.country).where(Submission.cycle_id == cycle.id)
                              .filter_by(iso3="FRA")).state = "submitted"
    if endpoint.startswith("admin."):
        login(client, "fuzz.admin@unodc.example.org")
    elif endpoint in COMPILER:
        login(client, "fuzz.compiler@unodc.example.org")
    elif endpoint not in ANONYMOUS:
        login(client, "fuzz.fp@fra.example.org")
    url = _url(rule, {"user_id": focal.id})
    names, hidden = _page_inputs(client, url)
    token = csrf_token(client, "/login" if endpoint in ANONYMOUS else "/cycles/")
    statuses = []

    @given(data=st.dictionaries(st.sampled_from(names + ["unknown.field"]), VALUE, max_size=6))
    @settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def fuzz(data):
        form = {**hidden, "csrf_token": token}
        for name, value in data.items():
            if isinstance(value, tuple):
                form[name] = (io.BytesIO(value[1]), "upload.bin")
            else:
                form[name] = value
        if endpoint == "reports.build":
            form["countries"] = "XXX"  # never start a real build in the background
        response = client.post(url, data=form, content_type="multipart/form-data" if any(isinstance(v, tuple) for v in form.values()) else None)
        global SERVER_ERRORS
        SERVER_ERRORS += response.status_code >= 500
        assert response.status_code < 500, (endpoint, data, response.get_data(as_text=True)[:500])
        statuses.append(response.status_code)

    fuzz()
    FIGURES[endpoint] = len(statuses)


def test_form_fuzz_figures():
    """Runs after the fuzz: every form route got examples."""
    assert set(FIGURES) == {endpoint for endpoint, _rule in ROUTES}
    report = os.environ.get("FUZZ_REPORT")
    if report:
        with open(report, "a") as handle:
            handle.write(json.dumps({"forms": {"routes": len(FIGURES), "cases": sum(FIGURES.values()), "server_errors": SERVER_ERRORS,
                                               "per_route": FIGURES}}) + "\n")

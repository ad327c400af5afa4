"""The input boundary (``reporting.core.inputs``), one test per cause of the
server errors found from outside (issue 17), through the real app: each bad
value is refused with an error naming the field, and nothing is written."""
import io

import pytest
from sqlalchemy import func, select

from reporting.accounts.services import create_api_token
from reporting.core.inputs import InputError, clean_text, load_json, parse_number
from reporting.database import write_transaction
from reporting.models import Answer, AuditEvent, Cycle, ReviewComment, Submission
from tests.conftest import csrf_token, form_state, post_section

SECTION = "/cycles/2025/FRA/dr-prevention"
ANSWERS_API = "/api/v1/cycles/2025/submissions/FRA/answers"


def counts(db):
    db.session.rollback()
    return tuple(db.session.scalar(select(func.count()).select_from(model)) for model in (Answer, AuditEvent, ReviewComment))


@pytest.fixture
def bearer(cycle, user_factory):
    user = user_factory("focal_point", "FRA", email="api@fra.example.org")
    with write_transaction():
        return {"Authorization": f"Bearer {create_api_token(user.email, 'fuzz')}"}


def patch_raw(client, headers, body: bytes):
    return client.patch(ANSWERS_API, headers={**headers, "Content-Type": "application/json"}, data=body)


# --- 1. control characters (a paste from Word) ------------------------------------------

@pytest.mark.parametrize("character", ["\x0b", "\x00", "\x0c", "\x1b", "\x85"])
def test_control_character_in_a_text_answer_is_refused_on_the_web(db, client, cycle, login_as, character):
    login_as("focal_point", "FRA")
    before = counts(db)
    response = post_section(client, "dr-prevention", {"t.1.status": "planned", "t.1.measures": f"From Word{character}text"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"It contains a control character (U+{ord(character):04X}); remove it and try again." in page
    assert 'id="item-t.1.measures" class="followup has-error"' in page
    assert counts(db) == before


def test_control_character_in_the_api_names_the_answer(db, client, bearer):
    before = counts(db)
    response = client.patch(ANSWERS_API, headers=bearer, json={"base_version": 1, "answers": {"t.1.measures": "a\x0bb"}})
    assert response.status_code == 422
    assert "control character (U+000B)" in response.json["error"]["fields"]["answers.t.1.measures"][0]
    assert counts(db) == before


def test_tabs_newlines_and_windows_line_breaks_are_kept_as_newlines(db, client, cycle, login_as):
    login_as("focal_point", "FRA")
    response = post_section(client, "dr-prevention", {"t.1.status": "planned", "t.1.measures": "one\r\ntwo\tthree\rfour"})
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.scalar(select(Answer.value).where(Answer.key == "t.1.measures")) == "one\ntwo\tthree\nfour"


def test_text_is_stored_in_nfc(db, client, bearer):
    response = client.patch(ANSWERS_API, headers=bearer, json={"base_version": 1, "answers": {"t.1.status": "planned", "t.1.measures": "Cafe\u0301"}})
    assert response.status_code == 200, response.json
    stored = client.get(ANSWERS_API.removesuffix("/answers"), headers=bearer).json
    assert stored["answers"]["t.1.measures"]["value"] == "Caf\u00e9"


# --- 2. lone surrogates --------------------------------------------------------------------

def test_lone_surrogate_in_json_is_refused(db, client, bearer):
    before = counts(db)
    response = patch_raw(client, bearer, b'{"base_version": 1, "answers": {"t.1.measures": "bad \\ud800"}}')
    assert response.status_code == 422
    assert "unpaired surrogate, U+D800" in response.json["error"]["fields"]["answers.t.1.measures"][0]
    # A key is text too.
    response = patch_raw(client, bearer, b'{"base_version": 1, "answers": {"t.1\\udfff": "x"}}')
    assert response.status_code == 422
    assert counts(db) == before


def test_a_surrogate_pair_is_a_character_not_an_error(db, client, bearer):
    response = patch_raw(client, bearer, '{"base_version": 1, "answers": {"t.1.status": "planned", "t.1.measures": "\\ud83d\\ude00 ok"}}'.encode())
    assert response.status_code == 200
    stored = client.get(ANSWERS_API.removesuffix("/answers"), headers=bearer).json
    assert stored["answers"]["t.1.measures"]["value"] == "\U0001F600 ok"


# --- 3. sNaN, NaN, Infinity and huge numbers ---------------------------------------------

@pytest.mark.parametrize("value", ["sNaN", "NaN", "-Infinity", "inf", "1e999999", "2²", "1_000", "0x10", "1" * 41])
def test_number_fields_parse_strictly_on_the_web(db, client, cycle, login_as, value):
    login_as("focal_point", "FRA")
    before = counts(db)
    response = post_section(client, "dr-prevention", {"t.1.status": "planned", "t.2.indicator.1": value})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter a number." in page or "Enter a number of at most 10^15 in size." in page
    assert counts(db) == before


@pytest.mark.parametrize("body", [
    b'{"base_version": 1, "answers": {"t.2.indicator.1": "sNaN"}}',
    b'{"base_version": 1, "answers": {"t.2.indicator.1": NaN}}',
    b'{"base_version": 1, "answers": {"t.2.indicator.1": -Infinity}}',
    b'{"base_version": 1, "answers": {"t.2.indicator.1": 1e400}}',
    b'{"base_version": 1, "answers": {"t.2.indicator.1": 1' + b"0" * 5000 + b'}}',
])
def test_number_fields_parse_strictly_in_the_api(db, client, bearer, body):
    before = counts(db)
    response = patch_raw(client, bearer, body)
    assert response.status_code == 422 and response.is_json
    assert response.json["error"]["fields"]
    assert counts(db) == before


def test_numbers_in_other_scripts_are_digits():
    assert parse_number("١٢٣", "n") == 123  # Arabic-Indic digits, as typed on an Arabic keyboard
    with pytest.raises(InputError):
        parse_number("²", "n")


# --- 4. deeply nested and oversized JSON -------------------------------------------------

@pytest.mark.parametrize("body", [b"[" * 5000, b'{"a":' * 5000, b'{"base_version": 1, "answers": {"x": "' + b"y" * 1_000_001 + b'"}}'])
def test_deep_or_huge_json_is_refused_before_parsing(db, client, bearer, body):
    response = patch_raw(client, bearer, body)
    assert response.status_code == 422
    assert "_body" in response.json["error"]["fields"]


def test_brackets_inside_strings_do_not_count_as_depth():
    assert load_json(b'{"a": "' + b"[" * 100 + b'"}') == {"a": "[" * 100}


# --- 5. base_version=² on save, submit and review --------------------------------------

@pytest.mark.parametrize("path", ["dr-prevention", "submit"])
def test_superscript_version_is_refused_on_save_and_submit(db, client, cycle, login_as, path):
    login_as("focal_point", "FRA")
    state = form_state(client, SECTION)
    before = counts(db)
    response = client.post(f"/cycles/2025/FRA/{path}", data={**state, "base_version": "²", "t.1.status": "planned"} if path != "submit" else {**state, "base_version": "²"})
    assert response.status_code == 422
    assert "base_version: Enter a whole number from 1 to 2147483647." in response.get_data(as_text=True)
    assert counts(db) == before


def test_superscript_version_is_refused_on_review(db, client, cycle, login_as):
    with write_transaction():
        submission = db.session.scalar(select(Submission).join(Submission.country).where(Submission.cycle_id == cycle.id).filter_by(iso3="FRA"))
        submission.state = "submitted"
    login_as("compiler", None)
    state = form_state(client, "/cycles/2025/FRA/review")
    before = counts(db)
    response = client.post("/cycles/2025/FRA/review", data={**state, "base_version": "²", "action": "accept"})
    assert response.status_code == 422
    assert "base_version" in response.get_data(as_text=True)
    assert counts(db) == before


# --- 6. a file where text is expected -----------------------------------------------------

def test_file_uploaded_into_a_text_field_is_refused(db, client, cycle, login_as):
    login_as("focal_point", "FRA")
    state = form_state(client, SECTION)
    before = counts(db)
    response = client.post(SECTION, data={**state, "t.1.status": "planned", "t.1.measures": (io.BytesIO(b"%PDF"), "measures.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "A file was sent where text is expected." in response.get_data(as_text=True)
    assert counts(db) == before


# --- 7. an integer query parameter beyond any database integer -----------------------------

@pytest.mark.parametrize("path", ["/cycles/2025/", "/cycles/2025/dashboard.csv"])
@pytest.mark.parametrize("region", ["99999999999999999999999", "-1", "²", "1e3", "0"])
def test_region_filter_is_a_small_ascii_integer(client, cycle, login_as, path, region):
    login_as("compiler", None)
    response = client.get(path, query_string={"region": region})
    assert response.status_code == 422
    assert "region: Enter a whole number from 1 to 999." in response.get_data(as_text=True)


def test_valid_region_still_filters(client, cycle, login_as):
    login_as("compiler", None)
    response = client.get("/cycles/2025/dashboard.csv", query_string={"region": "150"})
    assert response.status_code == 200 and "FRA" in response.get_data(as_text=True)


# --- 8. a cycle label with a trailing newline ---------------------------------------------

@pytest.mark.parametrize("label", ["2026\n", "2026\r\n", " 2026", "20 26", "2026/x"])
def test_cycle_label_must_match_entirely_on_the_web(db, client, spec_version, login_as, label):
    login_as("compiler", None)
    token = csrf_token(client, "/cycles/")
    response = client.post("/cycles/", data={"csrf_token": token, "label": label, "spec_version": "9.0.0", "deadline": "2026-06-30"})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Cycle)) == 0


def test_cycle_label_must_match_entirely_in_the_cli(runner, db, spec_version):
    result = runner.invoke(args=["cycle", "open", "2026\n", "--spec", "9.0.0", "--deadline", "2026-06-30"])
    assert result.exit_code != 0 and "must be 1–32 letters" in result.output
    assert db.session.scalar(select(func.count()).select_from(Cycle)) == 0


# --- lists for single values, comments over the limit --------------------------------------

def test_a_list_for_a_single_value_field_is_refused_not_reduced(db, client, cycle, login_as):
    login_as("focal_point", "FRA")
    state = form_state(client, SECTION)
    before = counts(db)
    response = client.post(SECTION, data={**state, "t.1.status": ["planned", "implemented"]})
    assert response.status_code == 422
    assert "Only one value may be sent for this field; 2 were sent." in response.get_data(as_text=True)
    assert counts(db) == before


def test_a_list_for_a_single_value_answer_is_refused_in_the_api(db, client, bearer):
    response = client.patch(ANSWERS_API, headers=bearer, json={"base_version": 1, "answers": {"t.1.status": ["planned", "implemented"]}})
    assert response.status_code == 422
    assert "Only one value may be sent" in response.json["error"]["fields"]["answers"]["t.1.status"][0]
    response = client.patch(ANSWERS_API, headers=bearer, json={"base_version": 1, "answers": {"t.1.measures": {"a": 1}, "t.1.status": True}})
    assert response.json["error"]["fields"]["answers"] == {"t.1.measures": ["Send text or a number."], "t.1.status": ["Send text or a number."]}


def test_review_comment_over_the_limit_is_refused_not_cut(db, client, cycle, login_as):
    with write_transaction():
        submission = db.session.scalar(select(Submission).join(Submission.country).where(Submission.cycle_id == cycle.id).filter_by(iso3="FRA"))
        submission.state = "submitted"
    login_as("compiler", None)
    state = form_state(client, "/cycles/2025/FRA/review")
    before = counts(db)
    comment = "Please add the measures. " + "x" * 4000
    response = client.post("/cycles/2025/FRA/review", data={**state, "action": "return", "comment-dr-prevention": comment})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "At most 4000 characters." in page
    assert comment in page  # what the compiler typed is still there to shorten
    assert counts(db) == before
    db.session.rollback()
    assert db.session.get(Submission, submission.id).state == "submitted"


# --- the primitives --------------------------------------------------------------------

def test_clean_text_names_the_field_and_bounds_the_length():
    with pytest.raises(InputError) as error:
        clean_text("x" * 11, "comment", max_length=10)
    assert str(error.value) == "comment: At most 10 characters."
    assert clean_text("e\u0301\r\n", "f") == "\u00e9\n"
    for bad in ("\ufffe", "\uffff", "\ud800", "\x7f", "\x9f"):
        with pytest.raises(InputError):
            clean_text(bad, "f")


# --- the CLI -----------------------------------------------------------------------------

def test_cli_text_passes_the_same_boundary(runner, db):
    password = "correct horse battery staple"
    result = runner.invoke(args=["users", "create", "x@example.org", "--role", "compiler", "--name", "Ana\x1b[31m"],
                           input=f"{password}\n{password}\n")
    assert result.exit_code != 0 and "name: It contains a control character (U+001B)" in result.output
    runner.invoke(args=["users", "create", "x@example.org", "--role", "compiler"], input=f"{password}\n{password}\n")
    result = runner.invoke(args=["users", "token", "x@example.org", "--name", "script\x00"])
    assert result.exit_code != 0 and "name: It contains a control character (U+0000)" in result.output
    assert "Traceback" not in result.output


def test_the_fast_check_refuses_exactly_the_characters_the_rule_names():
    """``text_problem`` looks for a refused character with one regex: the same set, over every code point,
    as the rule (control characters but tab and line feed, surrogates, U+FFFE, U+FFFF)."""
    import unicodedata

    from reporting.core.inputs import _REFUSED, ALLOWED_CONTROLS

    for code in range(0x110000):
        character = chr(code)
        refused = (0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF)
                   or (unicodedata.category(character) == "Cc" and character not in ALLOWED_CONTROLS))
        assert bool(_REFUSED.match(character)) == refused, hex(code)

"""Bad posts are refused with a clear message; nothing is written and the typed input stays on the page."""
import pytest
from sqlalchemy import func, select

from reporting.models import Answer, AuditEvent
from tests.conftest import form_state, post_section


def counts(db):
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Answer)), db.session.scalar(select(func.count()).select_from(AuditEvent))


@pytest.mark.parametrize(
    ("answers", "status", "message"),
    [
        ({"t.1.status": "done"}, 422, "Choose one of the statuses of the scale."),
        ({"t.2.indicator.1": "-5"}, 422, "Enter a number from 0 to 1000000."),
        ({"t.2.indicator.1": "12.5"}, 422, "Enter a whole number."),
        ({"t.2.indicator.2": "140"}, 422, "Enter a number from 0 to 100."),
        ({"t.2.indicator.2": "NaN"}, 422, "Enter a number."),
        ({"t.1.status": "planned", "t.1.measures": "x" * 201}, 422, "At most 200 characters."),
        ({"t.1.status": "planned", "unknown.key": "1"}, 400, "not part of this section: unknown.key"),
    ],
)
def test_invalid_answers_are_refused_inline(db, client, cycle, login_as, answers, status, message):
    login_as("focal_point", "FRA")
    before = counts(db)
    response = post_section(client, "dr-prevention", answers)
    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert message in page
    assert counts(db) == before
    # What the user typed is still in the form.
    for key, value in answers.items():
        if key != "unknown.key" and not key.endswith(".status") and len(value) < 50:
            assert f'value="{value}"' in page or f">{value}<" in page


def test_evidence_must_be_a_web_address(db, client, cycle, login_as):
    login_as("focal_point", "FRA")
    response = post_section(client, "sr-precursors", {"t.3.status": "implemented", "t.3.evidence": "javascript:alert(1)"})
    assert response.status_code == 422
    assert "starting with https://" in response.get_data(as_text=True)


@pytest.mark.parametrize("version", ["", "abc", "-1", "²", "١", "99999999999999999999"])
def test_tampered_version_is_refused(db, client, cycle, login_as, version):
    login_as("focal_point", "FRA")
    state = form_state(client, "/cycles/2025/FRA/dr-prevention")
    before = counts(db)
    response = post_section(client, "dr-prevention", {"t.1.status": "planned"}, state={**state, "base_version": version})
    assert response.status_code in (400, 422)
    if version:  # an empty version is a missing field (400); any other is named
        assert "base_version: Enter a whole number from 1 to 2147483647." in response.get_data(as_text=True)
    assert counts(db) == before


def test_missing_csrf_token_is_refused(db, client, cycle, login_as):
    login_as("focal_point", "FRA")
    before = counts(db)
    response = client.post("/cycles/2025/FRA/dr-prevention", data={"base_version": "1", "t.1.status": "planned"})
    assert response.status_code == 400
    assert counts(db) == before


def test_another_countrys_submission_is_forbidden(db, client, cycle, login_as):
    login_as("focal_point", "FRA")
    state = form_state(client, "/cycles/2025/FRA/dr-prevention")
    before = counts(db)
    response = client.post("/cycles/2025/DEU/dr-prevention", data={**state, "t.1.status": "planned"})
    assert response.status_code == 403
    assert client.get("/cycles/2025/DEU/").status_code == 403
    assert counts(db) == before


def test_viewer_cannot_edit_own_country(db, client, cycle, login_as):
    login_as("viewer", "FRA")
    page = client.get("/cycles/2025/FRA/dr-prevention").get_data(as_text=True)
    assert "disabled" in page and "Read-only" in page
    state = form_state(client, "/cycles/2025/FRA/dr-prevention")
    before = counts(db)
    assert client.post("/cycles/2025/FRA/dr-prevention", data={**state, "t.1.status": "planned"}).status_code == 403
    assert counts(db) == before


def test_closed_cycle_accepts_no_edits(db, client, cycle, login_as):
    from reporting.database import write_transaction
    from reporting.models import CycleState
    from reporting.responses.cycles import change_state

    login_as("focal_point", "FRA")
    state = form_state(client, "/cycles/2025/FRA/dr-prevention")
    with write_transaction():
        change_state(db.session.merge(cycle), CycleState.CLOSED)
    before = counts(db)
    response = post_section(client, "dr-prevention", {"t.1.status": "planned"}, state=state)
    assert response.status_code == 409
    assert "closed" in response.get_data(as_text=True)
    assert counts(db) == before


def test_unknown_cycle_and_section_are_404(client, cycle, login_as):
    login_as("focal_point", "FRA")
    assert client.get("/cycles/1999/FRA/").status_code == 404
    assert client.get("/cycles/2025/FRA/no-such-section").status_code == 404


def test_with_csrf_protection_switched_off_a_refused_post_is_still_a_clear_page(db, app, client, cycle, login_as):
    """``WTF_CSRF_ENABLED = False`` (behind a proxy that checks origins, say): the form has no token field."""
    app.config["WTF_CSRF_ENABLED"] = False
    login_as("focal_point", "FRA")
    before = counts(db)
    response = post_section(client, "dr-prevention", {"t.1.status": "done"})
    assert response.status_code == 422
    assert "Choose one of the statuses of the scale." in response.get_data(as_text=True)
    assert counts(db) == before

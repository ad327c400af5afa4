"""The whole reporting workflow through the real app: fill, save, submit,
return, correct, resubmit, accept — and the audit log of every step."""
from sqlalchemy import select

from reporting.models import AuditEvent, Submission
from tests.conftest import csrf_token, login
from tests.conftest import form_state, post_section


def submission_of(db, cycle, iso3):
    from reporting.models import Country

    db.session.rollback()
    return db.session.scalar(
        select(Submission).join(Country).where(Submission.cycle_id == cycle.id, Country.iso3 == iso3)
    )


def test_focal_point_fills_submits_and_compiler_returns_then_accepts(app, db, client, cycle, user_factory):
    user_factory("focal_point", "FRA", email="fp@fra.example.org")
    user_factory("compiler", None, email="compiler@unodc.example.org")
    login(client, "fp@fra.example.org")

    page = client.get("/cycles/2025/FRA/dr-prevention").get_data(as_text=True)
    assert "Prevention programmes" in page and "Not started" in page

    # A draft: one section half done.
    response = post_section(client, "dr-prevention", {"t.1.status": "implemented", "t.1.measures": "National prevention strategy 2024"})
    assert response.status_code == 302
    submission = submission_of(db, cycle, "FRA")
    assert submission.state == "in_progress"
    assert {a.key: a.value for a in submission.answers} == {"t.1.status": "implemented", "t.1.measures": "National prevention strategy 2024"}

    # Submitting an incomplete questionnaire lists every problem with a link to its field.
    state = form_state(client, "/cycles/2025/FRA/submit")
    response = client.post("/cycles/2025/FRA/submit", data=state)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "#item-t.2.status" in page and "#item-t.3.status" in page and "#item-s.1.status" in page
    assert submission_of(db, cycle, "FRA").state == "in_progress"

    post_section(client, "dr-prevention", {"t.1.status": "implemented", "t.1.measures": "National prevention strategy 2024", "t.2.status": "planned"})
    post_section(client, "sr-precursors", {"t.3.status": "in_progress", "t.3.evidence": "https://example.gouv.fr/precursors"})
    post_section(client, "sofia-cooperation", {"s.1.status": "not_applicable"})
    response = client.post("/cycles/2025/FRA/submit", data=form_state(client, "/cycles/2025/FRA/submit"))
    assert response.status_code == 302
    assert submission_of(db, cycle, "FRA").state == "submitted"

    # Read-only once submitted.
    response = post_section(client, "sr-precursors", {"t.3.status": "implemented"})
    assert response.status_code == 409
    assert submission_of(db, cycle, "FRA").answers and {a.key: a.value for a in submission_of(db, cycle, "FRA").answers}["t.3.status"] == "in_progress"

    # The compiler returns it with a comment on one section, after a confirmation page.
    client.post("/logout", data={"csrf_token": csrf_token(client, "/cycles/")})
    login(client, "compiler@unodc.example.org")
    state = form_state(client, "/cycles/2025/FRA/review")
    comment = {"comment-sr-precursors": "Please say which precursors."}
    response = client.post("/cycles/2025/FRA/review", data={**state, "action": "return", **comment})
    assert response.status_code == 200 and "Please say which precursors." in response.get_data(as_text=True)
    assert submission_of(db, cycle, "FRA").state == "submitted"  # not before the confirmation
    response = client.post("/cycles/2025/FRA/review", data={**state, "action": "return", "confirmed": "1", **comment})
    assert response.status_code == 302
    assert submission_of(db, cycle, "FRA").state == "returned"

    # The focal point sees the comment, corrects and resubmits.
    client.post("/logout", data={"csrf_token": csrf_token(client, "/cycles/")})
    login(client, "fp@fra.example.org")
    assert "Please say which precursors." in client.get("/cycles/2025/FRA/sr-precursors").get_data(as_text=True)
    post_section(client, "sr-precursors", {"t.3.status": "implemented", "t.3.evidence": "https://example.gouv.fr/precursors"})
    assert client.post("/cycles/2025/FRA/submit", data=form_state(client, "/cycles/2025/FRA/submit")).status_code == 302

    client.post("/logout", data={"csrf_token": csrf_token(client, "/cycles/")})
    login(client, "compiler@unodc.example.org")
    state = form_state(client, "/cycles/2025/FRA/review")
    assert client.post("/cycles/2025/FRA/review", data={**state, "action": "accept"}).status_code == 200
    assert submission_of(db, cycle, "FRA").state == "submitted"
    assert client.post("/cycles/2025/FRA/review", data={**state, "action": "accept", "confirmed": "1"}).status_code == 302
    submission = submission_of(db, cycle, "FRA")
    assert submission.state == "accepted"

    states = [
        (event.old, event.new)
        for event in db.session.scalars(select(AuditEvent).where(AuditEvent.submission_id == submission.id, AuditEvent.action == "submission.state").order_by(AuditEvent.id))
    ]
    assert states == [
        ("not_started", "in_progress"), ("in_progress", "submitted"), ("submitted", "returned"),
        ("returned", "submitted"), ("submitted", "accepted"),
    ]
    changes = db.session.scalars(select(AuditEvent).where(AuditEvent.submission_id == submission.id, AuditEvent.key == "t.3.status")).all()
    assert [(e.old, e.new, e.actor) for e in changes] == [
        (None, "in_progress", "fp@fra.example.org"), ("in_progress", "implemented", "fp@fra.example.org"),
    ]
    history = client.get("/cycles/2025/FRA/history").get_data(as_text=True)
    assert "Please say which precursors." in history and "fp@fra.example.org" in history


def test_measures_are_not_kept_when_status_does_not_ask_for_them(db, client, cycle, login_as):
    login_as("focal_point", "FRA")
    post_section(client, "dr-prevention", {"t.1.status": "not_started", "t.1.measures": "should be dropped"})
    submission = submission_of(db, cycle, "FRA")
    assert {a.key: a.value for a in submission.answers} == {"t.1.status": "not_started"}


def test_cross_field_check_blocks_submission(db, client, cycle, login_as):
    login_as("focal_point", "FRA")
    post_section(client, "dr-prevention", {"t.1.status": "planned", "t.2.status": "implemented", "t.2.indicator.1": "0", "t.2.indicator.2": "40"})
    post_section(client, "sr-precursors", {"t.3.status": "planned"})
    post_section(client, "sofia-cooperation", {"s.1.status": "planned"})
    response = client.post("/cycles/2025/FRA/submit", data=form_state(client, "/cycles/2025/FRA/submit"))
    assert response.status_code == 422
    assert "Coverage above zero needs people in treatment." in response.get_data(as_text=True)


def test_regional_module_only_for_countries_in_scope(client, cycle, login_as):
    login_as("focal_point", "KEN")
    assert "sofia-cooperation" not in client.get("/cycles/2025/KEN/").get_data(as_text=True)
    assert client.get("/cycles/2025/KEN/sofia-cooperation").status_code == 404
    assert client.get("/cycles/2025/KEN/sr-precursors").status_code == 200

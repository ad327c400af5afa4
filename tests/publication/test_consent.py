"""Consent on submit: "the descriptions of measures and the documents of this submission may be
published" — a real checkbox on the submit page and a field of the API's submit, stored on the
submission, not consented unless ticked, audit-logged, and shown to compilers in review."""
import json
import re

from sqlalchemy import select

from reporting.models import AuditEvent, Country, Submission
from tests.conftest import form_state, login, post_section

CONSENT = "The descriptions of measures and the documents of this submission may be published"


def submission_of(db, cycle, iso3="FRA"):
    db.session.rollback()
    return db.session.scalar(select(Submission).join(Country).where(Submission.cycle_id == cycle.id, Country.iso3 == iso3))


def complete(client):
    post_section(client, "dr-prevention", {"t.1.status": "implemented", "t.1.measures": "Prevention in every school",
                                           "t.2.status": "planned"})
    post_section(client, "sr-precursors", {"t.3.status": "in_progress", "t.3.evidence": "https://example.gouv.fr/p"})
    post_section(client, "sofia-cooperation", {"s.1.status": "not_applicable"})


def publication_events(db):
    db.session.rollback()
    return [(event.old, event.new) for event in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "submission.publication").order_by(AuditEvent.id))]


def test_consent_is_asked_on_submit_stored_audited_and_shown_in_review(app, db, client, cycle, user_factory):
    user_factory("focal_point", "FRA", email="fp@fra.example.org")
    user_factory("compiler", None, email="compiler@unodc.example.org")
    login(client, "fp@fra.example.org")
    complete(client)
    page = client.get("/cycles/2025/FRA/submit").get_data(as_text=True)
    box = re.search(r'<input[^>]*name="may_publish"[^>]*>', page).group(0)
    assert 'type="checkbox"' in box and "checked" not in box  # not consented until ticked
    assert f'<label for="may_publish">{CONSENT}</label>' in page
    assert submission_of(db, cycle).may_publish is False

    # Ticked: stored and audited.
    response = client.post("/cycles/2025/FRA/submit", data={**form_state(client, "/cycles/2025/FRA/submit"), "may_publish": "y"})
    assert response.status_code == 302
    assert submission_of(db, cycle).may_publish is True
    assert publication_events(db) == [(False, True)]

    # The compiler sees the choice in review and on the examples page, then returns the submission.
    staff = app.test_client()
    login(staff, "compiler@unodc.example.org")
    review = staff.get("/cycles/2025/FRA/review").get_data(as_text=True)
    assert "France agreed that the descriptions of measures and the documents of this submission may be published." in review
    state = form_state(staff, "/cycles/2025/FRA/review")
    staff.post("/cycles/2025/FRA/review", data={**state, "action": "return", "confirmed": "1",
                                                  "comment-dr-prevention": "Please say more."})
    assert submission_of(db, cycle).state == "returned"

    # Resubmitted without the tick: the new choice replaces the old one (the box shows it ticked first).
    page = client.get("/cycles/2025/FRA/submit").get_data(as_text=True)
    assert "checked" in re.search(r'<input[^>]*name="may_publish"[^>]*>', page).group(0)
    assert client.post("/cycles/2025/FRA/submit", data=form_state(client, "/cycles/2025/FRA/submit")).status_code == 302
    assert submission_of(db, cycle).may_publish is False
    assert publication_events(db) == [(False, True), (True, False)]
    for path in ("/cycles/2025/FRA/review", "/cycles/2025/FRA/examples"):
        assert "France did not agree to publish the descriptions of measures" in staff.get(path).get_data(as_text=True)


def test_history_names_the_choice(db, client, cycle, login_as):
    login_as("focal_point", "FRA")
    complete(client)
    client.post("/cycles/2025/FRA/submit", data={**form_state(client, "/cycles/2025/FRA/submit"), "may_publish": "y"})
    assert "Choice about publishing descriptions and documents" in client.get("/cycles/2025/FRA/history").get_data(as_text=True)


def test_api_submit_takes_the_consent_and_refuses_a_non_boolean(app, db, client, cycle, user_factory):
    from reporting.accounts.services import create_api_token
    from reporting.database import write_transaction

    user = user_factory("focal_point", "FRA")
    with write_transaction():
        token = create_api_token(user.email, "test")
    headers = {"Authorization": f"Bearer {token}"}
    login(client, user.email)
    complete(client)
    version = submission_of(db, cycle).version
    api = app.test_client()  # the token alone, no session cookie
    bad = api.post("/api/v1/cycles/2025/submissions/FRA/submit", headers=headers,
                      json={"base_version": version, "may_publish": "perhaps"})
    assert bad.status_code == 422 and "may_publish" in bad.get_json()["error"]["fields"]
    assert submission_of(db, cycle).state == "in_progress" and publication_events(db) == []
    response = api.post("/api/v1/cycles/2025/submissions/FRA/submit", headers=headers,
                           json={"base_version": version, "may_publish": True})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["may_publish"] is True
    assert submission_of(db, cycle).may_publish is True and publication_events(db) == [(False, True)]
    assert "may_publish" in json.dumps(api.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["Submit"])

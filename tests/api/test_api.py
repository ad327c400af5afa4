"""REST API through the real app with bearer tokens."""
import pytest
from openapi_spec_validator import validate
from sqlalchemy import func, select

from reporting.accounts.services import create_api_token
from reporting.database import write_transaction
from reporting.models import Answer, AuditEvent


def token_for(user_factory, role, country=None, email=None):
    user = user_factory(role, country, email=email)
    with write_transaction():
        return {"Authorization": f"Bearer {create_api_token(user.email, 'test client')}"}


def count_answers(db):
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Answer))


def test_openapi_document_is_valid(client):
    document = client.get("/api/v1/openapi.json").json
    validate(document)
    assert "/cycles/{label}/submissions/{iso3}/answers" in document["paths"]


def test_requires_authentication(client, cycle):
    response = client.get("/api/v1/cycles")
    assert response.status_code == 401 and response.json["error"]["status"] == 401
    assert client.get("/api/v1/cycles", headers={"Authorization": "Bearer drp_forged"}).status_code == 401


def test_focal_point_reads_and_writes_own_answers(client, db, cycle, user_factory):
    headers = token_for(user_factory, "focal_point", "FRA")
    submission = client.get("/api/v1/cycles/2025/submissions/FRA", headers=headers).json
    assert submission["state"] == "not_started" and submission["answers"] == {}

    response = client.patch(
        "/api/v1/cycles/2025/submissions/FRA/answers", headers=headers,
        json={"base_version": submission["version"], "answers": {"t.1.status": "implemented", "t.1.measures": "Strategy", "t.2.indicator.1": 1200}},
    )
    assert response.status_code == 200, response.json
    body = response.json
    # A lean answer: the new version, what was saved and changed, and what is missing in the saved sections only.
    assert set(body) == {"version", "state", "updated_at", "saved", "changed", "problems"}
    assert body["state"] == "in_progress" and body["version"] == submission["version"] + 1
    assert body["saved"] == ["t.1.measures", "t.1.status", "t.2.indicator.1"]
    assert sorted(body["changed"]) == ["t.1.measures", "t.1.status", "t.2.indicator.1"]
    assert body["problems"] == {"t.2.status": ["This question needs an answer."]}  # not t.3 or s.1: not saved
    stored = client.get("/api/v1/cycles/2025/submissions/FRA", headers=headers).json
    assert stored["version"] == body["version"]
    assert stored["answers"]["t.2.indicator.1"]["value"] == 1200
    assert stored["answers"]["t.1.measures"]["value"] == "Strategy"

    response = client.patch(  # a show_if that stops applying clears its answer: reported as changed
        "/api/v1/cycles/2025/submissions/FRA/answers", headers=headers,
        json={"base_version": body["version"], "answers": {"t.1.status": "not_started", "t.2.status": "planned"}},
    )
    assert response.json["saved"] == ["t.1.status", "t.2.status"]
    assert sorted(response.json["changed"]) == ["t.1.measures", "t.1.status", "t.2.status"]
    assert response.json["problems"] == {}

    # The list shows only the country's own submission.
    listing = client.get("/api/v1/cycles/2025/submissions", headers=headers).json
    assert [row["country"] for row in listing] == ["FRA"]


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"t.1.status": "done"}, "t.1.status", "Choose one of the statuses of the scale."),
        ({"t.2.indicator.1": -1}, "t.2.indicator.1", "Enter a number from 0 to 1000000."),
        ({"no.such.key": "x"}, "no.such.key", "not a question of this country's questionnaire"),
        ({"s.1.status": "planned"}, "s.1.status", None),
    ],
)
def test_invalid_answers_are_422_with_field_messages(client, db, cycle, user_factory, answers, field, message):
    headers = token_for(user_factory, "focal_point", "KEN")  # Kenya: not in the EU–CELAC module
    before = count_answers(db)
    response = client.patch("/api/v1/cycles/2025/submissions/KEN/answers", headers=headers, json={"base_version": 1, "answers": answers})
    assert response.status_code == 422
    messages = response.json["error"]["fields"]["answers"][field]
    assert message is None or message in messages
    assert count_answers(db) == before


@pytest.mark.parametrize(
    "body",
    [None, [], {"answers": {"t.1.status": "planned"}}, {"base_version": "1", "answers": {"t.1.status": "planned"}}, {"base_version": 1, "answers": {}}],
)
def test_malformed_bodies_are_422(client, db, cycle, user_factory, body):
    headers = token_for(user_factory, "focal_point", "FRA")
    response = client.patch("/api/v1/cycles/2025/submissions/FRA/answers", headers=headers, json=body)
    assert response.status_code == 422
    assert response.is_json and "fields" in response.json["error"]


def test_stale_version_is_409(client, db, cycle, user_factory):
    headers = token_for(user_factory, "focal_point", "FRA")
    url = "/api/v1/cycles/2025/submissions/FRA/answers"
    assert client.patch(url, headers=headers, json={"base_version": 1, "answers": {"t.1.status": "planned"}}).status_code == 200
    response = client.patch(url, headers=headers, json={"base_version": 1, "answers": {"t.1.status": "implemented"}})
    assert response.status_code == 409
    assert "base_version" in response.json["error"]["fields"]


def test_other_country_is_forbidden(client, db, cycle, user_factory):
    headers = token_for(user_factory, "focal_point", "FRA")
    assert client.get("/api/v1/cycles/2025/submissions/DEU", headers=headers).status_code == 403
    response = client.patch("/api/v1/cycles/2025/submissions/DEU/answers", headers=headers, json={"base_version": 1, "answers": {"t.1.status": "planned"}})
    assert response.status_code == 403


def test_session_cookie_writes_need_csrf(client, db, cycle, login_as):
    login_as("focal_point", "FRA")
    response = client.patch("/api/v1/cycles/2025/submissions/FRA/answers", json={"base_version": 1, "answers": {"t.1.status": "planned"}})
    assert response.status_code == 400
    assert client.get("/api/v1/cycles/2025/submissions/FRA").status_code == 200


def test_submit_and_review_through_the_api(client, db, cycle, user_factory):
    focal = token_for(user_factory, "focal_point", "FRA")
    compiler = token_for(user_factory, "compiler")
    url = "/api/v1/cycles/2025/submissions/FRA"
    version = client.patch(url + "/answers", headers=focal, json={"base_version": 1, "answers": {"t.1.status": "planned"}}).json["version"]
    response = client.post(url + "/submit", headers=focal, json={"base_version": version})
    assert response.status_code == 422 and "t.2.status" in response.json["error"]["fields"]
    version = client.patch(url + "/answers", headers=focal, json={"base_version": version, "answers": {
        "t.2.status": "planned", "t.3.status": "planned", "s.1.status": "planned"}}).json["version"]
    version = client.post(url + "/submit", headers=focal, json={"base_version": version}).json["version"]
    assert client.post(url + "/review", headers=focal, json={"base_version": version, "action": "accept"}).status_code == 403
    response = client.post(url + "/review", headers=compiler, json={"base_version": version, "action": "return", "comments": {"nope": "x"}})
    assert response.status_code == 422
    response = client.post(url + "/review", headers=compiler, json={"base_version": version, "action": "return", "comments": {"dr-prevention": "Add measures."}})
    assert response.status_code == 200 and response.json["state"] == "returned"
    assert response.json["comments"][0]["text"] == "Add measures."
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "submission.state")).all()
    assert len(actions) == 3


def test_a_save_reads_only_what_its_sections_need(client, db, cycle, user_factory):
    """A deadline save must not load the whole submission: with 500 other answers stored, saving
    one section's answer loads no answer as an ORM object and stays within a few statements."""
    from sqlalchemy import event, insert
    from sqlalchemy.orm import Session

    from reporting.extensions import db as database
    from reporting.models import Submission

    headers = token_for(user_factory, "focal_point", "FRA")
    version = client.get("/api/v1/cycles/2025/submissions/FRA", headers=headers).json["version"]
    submission_id = db.session.scalar(select(Submission.id).where(Submission.cycle_id == cycle.id, Submission.version == version)
                                      .join(Submission.country).filter_by(iso3="FRA"))
    with write_transaction():
        db.session.execute(insert(Answer), [{"submission_id": submission_id, "key": f"elsewhere.{n}", "value": "planned"} for n in range(500)])
    loaded, statements = [], []

    def on_load(_session, instance):
        if isinstance(instance, Answer):
            loaded.append(instance.key)

    def on_statement(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(Session, "loaded_as_persistent", on_load)
    event.listen(database.engine, "before_cursor_execute", on_statement)
    try:
        response = client.patch("/api/v1/cycles/2025/submissions/FRA/answers", headers=headers,
                                json={"base_version": version, "answers": {"t.1.status": "implemented"}})
    finally:
        event.remove(Session, "loaded_as_persistent", on_load)
        event.remove(database.engine, "before_cursor_execute", on_statement)
    assert response.status_code == 200, response.json
    assert loaded == []
    assert len(statements) <= 15, statements
    db.session.rollback()
    assert db.session.scalar(select(Answer.value).where(Answer.key == "t.1.status")) == "implemented"
    assert db.session.scalar(select(func.count()).select_from(Answer).where(Answer.key.like("elsewhere.%"))) == 500

"""Contributors through the real app and a real SMTP server: the focal point
invites by e-mail, the invitee chooses a password through a one-time link,
edits only the assigned sections (pages and API), marks them ready; the focal
point sees who changed what and alone submits."""
from datetime import datetime, timedelta, timezone
import re

import pytest
from sqlalchemy import func, select, update

from reporting.accounts.services import create_api_token
from reporting.database import write_transaction
from reporting.models import AccountLink, Answer, AuditEvent, Country, SectionReady, Submission, User
from tests.conftest import PASSWORD, csrf_token, form_state, login, post_section

LINK = re.compile(r"https://reporting\.example\.org(/password/set/[\w-]+)")
NEW_PASSWORD = "a different long passphrase"


def invite(client, email="health@fra.example.org", sections=("dr-prevention",), name="Dr Claire Martin", language="en"):
    token = csrf_token(client, "/cycles/2025/FRA/contributors")
    return client.post("/cycles/2025/FRA/contributors", data={
        "csrf_token": token, "email": email, "name": name, "language": language, "sections": list(sections),
    })


def link_in(mailbox, email) -> str:
    [message] = mailbox.to(email)
    return LINK.search(message.get_content()).group(1)


def set_password(client, path, password=NEW_PASSWORD, confirm=None):
    token = csrf_token(client, path)
    return client.post(path, data={"csrf_token": token, "password": password, "confirm": confirm or password})


@pytest.fixture
def contributor(app, client, cycle, login_as, mailbox):
    """A focal point of France invites a contributor for the prevention section, who accepts."""
    login_as("focal_point", "FRA", name="Jean Dupont")
    response = invite(client)
    assert response.status_code == 302, response.get_data(as_text=True)
    path = link_in(mailbox, "health@fra.example.org")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/cycles/")})
    assert set_password(client, path).status_code == 302
    assert login(client, "health@fra.example.org", NEW_PASSWORD).status_code == 302
    return path


def count(db, model):
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def test_invitation_email_in_the_invitees_language(app, client, cycle, login_as, mailbox, db):
    login_as("focal_point", "FRA", name="Jean Dupont")
    assert invite(client, language="fr").status_code == 302
    [message] = mailbox.to("health@fra.example.org")
    assert message["Content-Language"] == "fr"
    body = message.get_content()
    assert "Jean Dupont" in body and "France" in body and LINK.search(body)
    db.session.rollback()
    user = db.session.scalar(select(User).where(User.email == "health@fra.example.org"))
    assert (user.role, user.country.iso3, user.name, user.has_password) == ("contributor", "FRA", "Dr Claire Martin", False)
    page = client.get("/cycles/2025/FRA/contributors").get_data(as_text=True)
    assert "Dr Claire Martin" in page and "Invitation not accepted yet" in page


def test_invited_user_cannot_sign_in_before_choosing_a_password(app, client, cycle, login_as, mailbox):
    login_as("focal_point", "FRA")
    invite(client)
    other = app.test_client()
    assert login(other, "health@fra.example.org", "").status_code != 302
    assert login(other, "health@fra.example.org", PASSWORD).status_code == 401


def test_invitation_link_works_once(contributor, app, mailbox, db):
    other = app.test_client()
    response = other.get(contributor)
    assert response.status_code == 410
    assert "already been used" in response.get_data(as_text=True)
    db.session.rollback()
    before = db.session.scalar(select(User.password_hash).where(User.email == "health@fra.example.org"))
    token = csrf_token(other, "/login")
    assert other.post(contributor, data={"csrf_token": token, "password": "yet another passphrase x", "confirm": "yet another passphrase x"}).status_code == 410
    db.session.rollback()
    assert db.session.scalar(select(User.password_hash).where(User.email == "health@fra.example.org")) == before


def test_expired_invitation_is_refused_clearly(app, client, cycle, login_as, mailbox, db):
    login_as("focal_point", "FRA")
    invite(client)
    path = link_in(mailbox, "health@fra.example.org")
    with write_transaction():
        db.session.execute(update(AccountLink).values(expires_at=datetime.now(timezone.utc) - timedelta(minutes=1)))
    other = app.test_client()
    response = other.get(path)
    assert response.status_code == 410
    assert "invitation has expired" in response.get_data(as_text=True)
    assert other.get("/password/set/not-a-real-token").status_code == 410
    # Inviting again sends a fresh link that works, and the old one stays dead.
    assert invite(client).status_code == 302
    fresh = LINK.search(mailbox.to("health@fra.example.org")[-1].get_content()).group(1)
    assert fresh != path and other.get(fresh).status_code == 200 and other.get(path).status_code == 410


def test_invitee_password_follows_the_same_rules(app, client, cycle, login_as, mailbox, db):
    login_as("focal_point", "FRA")
    invite(client)
    path = link_in(mailbox, "health@fra.example.org")
    other = app.test_client()
    response = set_password(other, path, "short")
    assert response.status_code == 422 and "password is too short" in response.get_data(as_text=True)
    response = set_password(other, path, NEW_PASSWORD, "something else entirely")
    assert response.status_code == 422 and "not the same" in response.get_data(as_text=True)
    assert other.get(path).status_code == 200  # a refused password does not spend the link


@pytest.mark.parametrize(("email", "sections", "message"), [
    ("not-an-email", ["dr-prevention"], "is not valid"),
    ("x@fra.example.org", [], "choose at least one section"),
    ("x@fra.example.org", ["no-such-section"], "no-such-section is not a section"),
    ("focal_point.fra@example.org", ["dr-prevention"], "already has an account"),
])
def test_bad_invitations_change_nothing(app, client, cycle, login_as, mailbox, db, email, sections, message):
    login_as("focal_point", "FRA")
    before = count(db, User), count(db, AuditEvent)
    response = invite(client, email=email, sections=sections)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert (count(db, User), count(db, AuditEvent)) == before and mailbox.messages == []


@pytest.mark.parametrize("role", ["contributor", "viewer", "compiler"])
def test_only_the_focal_point_invites(app, client, cycle, login_as, mailbox, db, role):
    login_as(role, "FRA")
    before = count(db, User)
    response = invite(client, email="x@fra.example.org")
    assert response.status_code == 403 and count(db, User) == before


def test_contributor_edits_only_the_assigned_section(contributor, app, client, db):
    page = client.get("/cycles/2025/FRA/").get_data(as_text=True)
    assert "Prevention" in page and "Precursors" not in page and "Submit to UNODC" not in page
    response = post_section(client, "dr-prevention", {"t.1.status": "implemented", "t.1.measures": "Plan national"})
    assert response.status_code == 302
    # Another section by URL: refused, for reading and writing, and nothing stored.
    assert client.get("/cycles/2025/FRA/sr-precursors").status_code == 403
    state = form_state(client, "/cycles/2025/FRA/dr-prevention")
    before = count(db, Answer)
    assert client.post("/cycles/2025/FRA/sr-precursors", data={**state, "t.3.status": "planned"}).status_code == 403
    assert count(db, Answer) == before
    # Nothing of another country.
    assert client.get("/cycles/2025/DEU/").status_code == 403
    assert client.get("/cycles/2025/DEU/dr-prevention").status_code == 403
    assert client.get("/cycles/2025/FRA/history").status_code == 403


def test_contributor_is_refused_another_section_through_the_api(contributor, app, client, db, user_factory):
    focal = app.test_client()
    login(focal, "focal_point.fra@example.org")
    post_section(focal, "sr-precursors", {"t.3.status": "implemented", "t.3.evidence": "https://example.org/secret-plan"})
    with write_transaction():
        headers = {"Authorization": f"Bearer {create_api_token('health@fra.example.org', 'ministry tool')}"}
    api = app.test_client()
    submission = api.get("/api/v1/cycles/2025/submissions/FRA", headers=headers).json
    assert submission["answers"] == {}  # the focal point's answers to other sections are not shown
    assert "secret-plan" not in client.get("/cycles/2025/FRA/").get_data(as_text=True)
    before = count(db, Answer)
    response = api.patch("/api/v1/cycles/2025/submissions/FRA/answers", headers=headers, json={
        "base_version": submission["version"], "answers": {"t.1.status": "planned", "t.3.status": "planned"},
    })
    assert response.status_code == 403
    assert "sr-precursors" in response.json["error"]["message"]
    assert count(db, Answer) == before
    response = api.patch("/api/v1/cycles/2025/submissions/FRA/answers", headers=headers, json={
        "base_version": submission["version"], "answers": {"t.1.status": "planned"},
    })
    assert response.status_code == 200 and response.json["saved"] == response.json["changed"] == ["t.1.status"]
    stored = api.get("/api/v1/cycles/2025/submissions/FRA", headers=headers).json
    assert stored["answers"] == {"t.1.status": {"value": "planned", "carried_over": False}}  # their sections only
    assert api.post("/api/v1/cycles/2025/submissions/FRA/submit", headers=headers,
                    json={"base_version": response.json["version"]}).status_code == 403
    assert api.get("/api/v1/cycles/2025/submissions/DEU", headers=headers).status_code == 403


def test_ready_mark_history_with_names_and_sign_off(contributor, app, client, db, user_factory):
    post_section(client, "dr-prevention", {"t.1.status": "implemented", "t.2.status": "planned"})
    token = csrf_token(client, "/cycles/2025/FRA/")
    assert client.post("/cycles/2025/FRA/dr-prevention/ready", data={"csrf_token": token, "ready": "1"}).status_code == 302
    assert count(db, SectionReady) == 1
    # A contributor cannot mark, nor submit, a section that is not theirs.
    assert client.post("/cycles/2025/FRA/sr-precursors/ready", data={"csrf_token": token}).status_code == 403
    state = form_state(client, "/cycles/2025/FRA/dr-prevention")
    assert client.post("/cycles/2025/FRA/submit", data=state).status_code == 403

    focal = app.test_client()
    login(focal, "focal_point.fra@example.org")
    page = focal.get("/cycles/2025/FRA/").get_data(as_text=True)
    assert "Ready for the focal point" in page and "Dr Claire Martin" in page
    history = focal.get("/cycles/2025/FRA/history").get_data(as_text=True)
    assert "Dr Claire Martin &lt;health@fra.example.org&gt;" in history
    assert "Section marked ready for the focal point" in history
    # The focal point edits any section and submits.
    post_section(focal, "sr-precursors", {"t.3.status": "planned"})
    post_section(focal, "sofia-cooperation", {"s.1.status": "planned"})  # France is in the EU: the Sofia module applies
    state = form_state(focal, "/cycles/2025/FRA/")
    response = focal.post("/cycles/2025/FRA/submit", data=state)
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.scalar(select(Submission.state).join(Country).where(Country.iso3 == "FRA")) == "submitted"


def test_focal_point_changes_assignments(contributor, app, db):
    focal = app.test_client()
    login(focal, "focal_point.fra@example.org")
    db.session.rollback()
    user = db.session.scalar(select(User).where(User.email == "health@fra.example.org"))
    token = csrf_token(focal, "/cycles/2025/FRA/contributors")
    response = focal.post(f"/cycles/2025/FRA/contributors/{user.id}", data={"csrf_token": token, "sections": ["sr-precursors"]})
    assert response.status_code == 302
    contributor_client = app.test_client()
    login(contributor_client, "health@fra.example.org", NEW_PASSWORD)
    assert contributor_client.get("/cycles/2025/FRA/sr-precursors").status_code == 200
    assert contributor_client.get("/cycles/2025/FRA/dr-prevention").status_code == 403
    response = focal.post(f"/cycles/2025/FRA/contributors/{user.id}", data={"csrf_token": token, "sections": ["bogus"]})
    assert response.status_code == 422 and "bogus is not a section" in response.get_data(as_text=True)


def test_focal_point_withdraws_a_contributors_access(contributor, app, client, db, user_factory):
    db.session.rollback()
    user = db.session.scalar(select(User).where(User.email == "health@fra.example.org"))
    focal = app.test_client()
    login(focal, "focal_point.fra@example.org")
    path = f"/cycles/2025/FRA/contributors/{user.id}/access"
    page = focal.get(path)
    assert page.status_code == 200 and "Yes, deactivate the account" in page.get_data(as_text=True)
    assert client.get("/cycles/2025/FRA/").status_code == 200  # asking changes nothing
    token = csrf_token(focal, "/cycles/2025/FRA/contributors")
    assert focal.post(path, data={"csrf_token": token}).status_code == 302
    assert client.get("/cycles/2025/FRA/").status_code == 302  # signed out at once
    assert login(app.test_client(), "health@fra.example.org", NEW_PASSWORD).status_code == 401
    # Another country's focal point, or the contributor, cannot touch it.
    user_factory("focal_point", "DEU", email="fp@deu.example.org")
    other = app.test_client()
    login(other, "fp@deu.example.org")
    assert other.post(f"/cycles/2025/DEU/contributors/{user.id}/access",
                      data={"csrf_token": csrf_token(other, "/cycles/")}).status_code == 403
    assert focal.post(path, data={"csrf_token": token, "active": "1"}).status_code == 302
    assert login(app.test_client(), "health@fra.example.org", NEW_PASSWORD).status_code == 302

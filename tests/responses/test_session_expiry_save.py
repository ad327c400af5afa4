"""Never lose typed input: a save that arrives after its session ended (idle
timeout, or a sign-in elsewhere) is kept, shown again after signing in, and
saved under the usual version check (409 when someone saved in between)."""
import re

from sqlalchemy import func, select

from reporting.models import Answer, PendingSave
from tests.conftest import PASSWORD, IsolatedClient, csrf_token, form_state, login

SECTION = "/cycles/2025/FRA/dr-prevention"
TYPED = {"t.1.status": "implemented", "t.1.measures": "An hour of careful typing about school programmes"}


def stored(db):
    db.session.rollback()
    return {answer.key: answer.value for answer in db.session.scalars(select(Answer))}


def sign_in_and_follow(client, email, next_path):
    """Sign in as the login page does after a refused request (``next`` = the page), and open that page."""
    data = {"email": email, "password": PASSWORD, "csrf_token": csrf_token(client), "next": next_path}
    response = client.post("/login", data=data)
    assert response.status_code == 302 and response.headers["Location"] == next_path
    return client.get(next_path)


def test_save_after_the_idle_timeout_is_kept_and_saved_after_signing_in(app, db, client, cycle, user_factory):
    user_factory("focal_point", "FRA", email="fp@fra.example.org")
    login(client, "fp@fra.example.org")
    state = form_state(client, SECTION)
    with client.session_transaction() as session:
        session["_last_seen"] -= app.config["IDLE_TIMEOUT"].total_seconds() + 5

    response = client.post(SECTION, data={**state, **TYPED})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert stored(db) == {}  # nothing saved without a session...
    login_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "has been kept" in login_page  # ...but the user is told the input is safe

    assert re.search(r"next=[^\"]*dr-prevention", response.headers["Location"])
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', login_page).group(1)
    response = client.post(response.headers["Location"], data={"email": "fp@fra.example.org", "password": "correct horse battery staple", "csrf_token": token})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert TYPED["t.1.measures"] in page and "nothing has been saved yet" in page
    assert f'name="base_version" value="{state["base_version"]}"' in page
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(PendingSave)) == 0  # handed back once

    response = client.post(SECTION, data={**form_state(client, SECTION), "base_version": state["base_version"], **TYPED})
    assert response.status_code == 302
    assert stored(db) == TYPED


def test_save_after_signing_in_elsewhere_meets_the_version_check(app, db, client, cycle, user_factory):
    user_factory("focal_point", "FRA", email="fp@fra.example.org")
    login(client, "fp@fra.example.org")
    state = form_state(client, SECTION)

    # The same person signs in on another computer (which ends the first session) and saves there.
    other = IsolatedClient(app)
    login(other, "fp@fra.example.org")
    assert other.post(SECTION, data={**form_state(other, SECTION), "t.1.status": "planned"}).status_code == 302

    response = client.post(SECTION, data={**state, **TYPED})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert stored(db) == {"t.1.status": "planned"}

    page = sign_in_and_follow(client, "fp@fra.example.org", SECTION).get_data(as_text=True)
    assert TYPED["t.1.measures"] in page
    response = client.post(SECTION, data={**form_state(client, SECTION), "base_version": state["base_version"], **TYPED})
    assert response.status_code == 409  # someone saved in between: both shown, the typed input kept
    conflict = response.get_data(as_text=True)
    assert TYPED["t.1.measures"] in conflict and "planned" in conflict
    assert stored(db) == {"t.1.status": "planned"}


def test_a_post_without_its_sessions_csrf_token_is_not_kept(app, db, client, cycle, user_factory):
    user_factory("focal_point", "FRA", email="fp@fra.example.org")
    login(client, "fp@fra.example.org")
    state = form_state(client, SECTION)
    with client.session_transaction() as session:
        session["_last_seen"] -= app.config["IDLE_TIMEOUT"].total_seconds() + 5
    assert client.post(SECTION, data={**state, "csrf_token": "forged", **TYPED}).status_code == 400
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(PendingSave)) == 0
    # Nor when the session was ended elsewhere and the post carries no token of it.
    other = IsolatedClient(app)
    login(other, "fp@fra.example.org")
    assert client.post(SECTION, data={**state, "csrf_token": "forged", **TYPED}).status_code in (302, 400)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(PendingSave)) == 0

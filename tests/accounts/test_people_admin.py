"""Deactivation, password reset by e-mailed one-time link, and the admins'
accounts pages, through the real app and a real SMTP server."""
from datetime import datetime, timedelta, timezone
import re

import pytest
from sqlalchemy import func, select, update

from reporting.accounts.services import create_api_token
from reporting.database import write_transaction
from reporting.models import AccountLink, AuditEvent, Cycle, User
from tests.conftest import PASSWORD, csrf_token, login

LINK = re.compile(r"https://reporting\.example\.org(/password/set/[\w-]+)")
NEW_PASSWORD = "a brand new passphrase"


def count(db, model):
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def forgot(client, email):
    return client.post("/password/forgot", data={"csrf_token": csrf_token(client, "/password/forgot"), "email": email})


def choose(client, path, password=NEW_PASSWORD):
    return client.post(path, data={"csrf_token": csrf_token(client, "/login"), "password": password, "confirm": password})


def test_reset_request_does_not_reveal_whether_an_account_exists(client, user_factory, mailbox):
    user_factory("focal_point", "FRA", email="fp@fra.example.org")
    known, unknown = forgot(client, "fp@fra.example.org"), forgot(client, "nobody@fra.example.org")
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    message = "If an active account uses this address"
    assert message in client.get("/login").get_data(as_text=True)
    assert len(mailbox.to("fp@fra.example.org")) == 1 and mailbox.to("nobody@fra.example.org") == []
    assert forgot(client, "not an address").status_code == 302  # same answer, nothing sent
    assert len(mailbox.messages) == 1


def test_reset_link_sets_the_password_once_and_ends_other_sessions(app, client, user_factory, mailbox, db):
    user_factory("focal_point", "FRA", email="fp@fra.example.org")
    elsewhere = app.test_client()
    assert login(elsewhere, "fp@fra.example.org").status_code == 302
    forgot(client, "fp@fra.example.org")
    path = LINK.search(mailbox.to("fp@fra.example.org")[0].get_content()).group(1)
    assert client.get(path).status_code == 200
    assert choose(client, path).status_code == 302
    assert elsewhere.get("/cycles/").status_code == 302  # the other session is over
    assert login(app.test_client(), "fp@fra.example.org", PASSWORD).status_code == 401
    assert login(app.test_client(), "fp@fra.example.org", NEW_PASSWORD).status_code == 302
    reused = choose(app.test_client(), path, "and another passphrase")
    assert reused.status_code == 410 and "already been used" in reused.get_data(as_text=True)
    assert login(app.test_client(), "fp@fra.example.org", NEW_PASSWORD).status_code == 302


def test_expired_or_superseded_reset_link_is_refused(app, client, user_factory, mailbox, db):
    user_factory("focal_point", "FRA", email="fp@fra.example.org")
    forgot(client, "fp@fra.example.org")
    first = LINK.search(mailbox.to("fp@fra.example.org")[0].get_content()).group(1)
    forgot(client, "fp@fra.example.org")
    second = LINK.search(mailbox.to("fp@fra.example.org")[1].get_content()).group(1)
    response = client.get(first)
    assert response.status_code == 410 and "expired or was replaced" in response.get_data(as_text=True)
    with write_transaction():
        db.session.execute(update(AccountLink).values(expires_at=datetime.now(timezone.utc) - timedelta(seconds=1)))
    before = db.session.scalar(select(User.password_hash).where(User.email == "fp@fra.example.org"))
    assert choose(client, second).status_code == 410
    db.session.rollback()
    assert db.session.scalar(select(User.password_hash).where(User.email == "fp@fra.example.org")) == before


def test_deactivated_user_cannot_sign_in_and_session_and_token_stop(app, client, user_factory, login_as, db, mailbox):
    user_factory("focal_point", "FRA", email="fp@fra.example.org")
    with write_transaction():
        headers = {"Authorization": f"Bearer {create_api_token('fp@fra.example.org', 'tool')}"}
    session = app.test_client()
    assert login(session, "fp@fra.example.org").status_code == 302
    assert session.get("/cycles/").status_code == 200
    assert app.test_client().get("/api/v1/cycles", headers=headers).status_code == 200

    admin = login_as("admin", None)
    user = db.session.scalar(select(User).where(User.email == "fp@fra.example.org"))
    confirm = client.get(f"/admin/users/{user.id}/deactivate")
    assert confirm.status_code == 200 and "Yes, deactivate the account" in confirm.get_data(as_text=True)
    assert count(db, AuditEvent) and db.session.get(User, user.id).active  # asking changes nothing
    token = csrf_token(client, f"/admin/users/{user.id}/deactivate")
    assert client.post(f"/admin/users/{user.id}/deactivate", data={"csrf_token": token}).status_code == 302

    assert session.get("/cycles/").status_code == 302  # signed out at once
    assert app.test_client().get("/api/v1/cycles", headers=headers).status_code == 401
    assert login(app.test_client(), "fp@fra.example.org").status_code == 401
    forgot(app.test_client(), "fp@fra.example.org")
    assert mailbox.to("fp@fra.example.org") == []  # no reset for a deactivated account
    # An admin cannot lock themself out.
    assert client.post(f"/admin/users/{admin.id}/deactivate", data={"csrf_token": token}).status_code == 302
    db.session.rollback()
    assert db.session.get(User, admin.id).active

    assert client.post(f"/admin/users/{user.id}/reactivate", data={"csrf_token": token}).status_code == 302
    assert login(app.test_client(), "fp@fra.example.org").status_code == 302


def test_admin_creates_accounts_with_the_cli_rules(client, login_as, db):
    login_as("admin", None)
    token = csrf_token(client, "/admin/users")
    good = {"csrf_token": token, "email": "new@ken.example.org", "name": "Wanjiru", "role": "contributor",
            "country": "ken", "password": "a long enough passphrase", "confirm": "a long enough passphrase"}
    assert client.post("/admin/users", data=good).status_code == 302
    db.session.rollback()
    user = db.session.scalar(select(User).where(User.email == "new@ken.example.org"))
    assert (user.role, user.country.iso3, user.name) == ("contributor", "KEN", "Wanjiru")
    assert "new@ken.example.org" in client.get("/admin/users").get_data(as_text=True)


@pytest.mark.parametrize(("changes", "message"), [
    ({"role": "viewer", "country": ""}, "needs a country"),
    ({"role": "compiler", "country": "FRA"}, "covers all countries"),
    ({"role": "viewer", "country": "ZZZ"}, "unknown country code"),
    ({"role": "boss"}, "Not a valid choice"),
    ({"password": "short", "confirm": "short"}, "password is too short"),
    ({"confirm": "something different"}, "not the same"),
    ({"email": "new@example.org"}, "already exists"),
])
def test_admin_create_bad_input_changes_nothing(client, login_as, db, user_factory, changes, message):
    user_factory("viewer", "FRA", email="new@example.org")
    login_as("admin", None)
    data = {"csrf_token": csrf_token(client, "/admin/users"), "email": "other@example.org", "role": "viewer",
            "country": "FRA", "password": "a long enough passphrase", "confirm": "a long enough passphrase", **changes}
    before = count(db, User), count(db, AuditEvent)
    response = client.post("/admin/users", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert (count(db, User), count(db, AuditEvent)) == before


def test_admin_sends_a_reset_link(client, login_as, db, user_factory, mailbox):
    user = user_factory("viewer", "FRA", email="viewer@fra.example.org")
    login_as("admin", None)
    response = client.post(f"/admin/users/{user.id}/reset", data={"csrf_token": csrf_token(client, "/admin/users")})
    assert response.status_code == 302
    assert LINK.search(mailbox.to("viewer@fra.example.org")[0].get_content())


@pytest.mark.parametrize("role", ["compiler", "focal_point", "contributor", "viewer"])
def test_accounts_pages_are_for_admins_only(client, login_as, role):
    login_as(role, "FRA")
    for path in ("/admin/users", "/admin/outbox", "/admin/users/1/deactivate"):
        assert client.get(path).status_code == 403


def test_close_cycle_asks_for_confirmation(client, login_as, cycle, db):
    login_as("compiler", None)
    token = csrf_token(client, "/cycles/")
    response = client.post("/cycles/2025/state", data={"csrf_token": token, "state": "closed"})
    assert response.status_code == 200 and "Yes, close the cycle" in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(select(Cycle.state).where(Cycle.label == "2025")) == "open"
    response = client.post("/cycles/2025/state", data={"csrf_token": token, "state": "closed", "confirmed": "1"})
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.scalar(select(Cycle.state).where(Cycle.label == "2025")) == "closed"


def test_cli_deactivate_and_bad_arguments(runner, user_factory, db):
    user_factory("viewer", "FRA", email="viewer@fra.example.org")
    result = runner.invoke(args=["users", "deactivate", "viewer@fra.example.org"])
    assert result.exit_code == 0 and "deactivated" in result.output
    db.session.rollback()
    assert not db.session.scalar(select(User.active).where(User.email == "viewer@fra.example.org"))
    result = runner.invoke(args=["users", "deactivate", "nobody@fra.example.org"])
    assert result.exit_code != 0 and "no user with email nobody@fra.example.org" in result.output
    result = runner.invoke(args=["users", "reset-password", "viewer@fra.example.org"])
    assert result.exit_code != 0 and "deactivated" in result.output

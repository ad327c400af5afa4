"""Account security through the real app: token revocation, weak passwords,
sign-in limits (per account, per client address behind trusted proxies, only
failures count, shared in Redis), and CSRF whenever the cookie signs in."""
from contextlib import contextmanager
import shutil
import socket
import subprocess
import time

import pytest
from sqlalchemy import func, select

from reporting import create_app
from reporting.accounts.services import AccountError, check_password_strength, create_api_token
from reporting.database import write_transaction
from reporting.extensions import db as _db, limiter
from reporting.models import ApiToken, AuditEvent, User
from tests.conftest import PASSWORD, IsolatedClient, _settings, csrf_token, login

WRONG = "not the right passphrase"


def bearer_for(user, name="client"):
    with write_transaction():
        return {"Authorization": f"Bearer {create_api_token(user.email, name)}"}


# --- revocation -----------------------------------------------------------------------

def test_user_lists_and_revokes_own_token_on_the_web(client, db, cycle, login_as):
    user = login_as("focal_point", "FRA")
    headers = bearer_for(user, "national statistics office")
    program = IsolatedClient(client.application)  # a program: the token, no cookie
    assert program.get("/api/v1/cycles", headers=headers).status_code == 200
    page = client.get("/account/tokens").get_data(as_text=True)
    row = db.session.scalar(select(ApiToken))
    assert "national statistics office" in page and "Never" not in page  # its last use is shown
    db.session.rollback()
    assert db.session.get(ApiToken, row.id).last_used_at is not None

    response = client.post(f"/account/tokens/{row.id}/revoke", data={"csrf_token": csrf_token(client, "/account/tokens")})
    assert response.status_code == 302
    assert "Revoked" in client.get("/account/tokens").get_data(as_text=True)
    assert program.get("/api/v1/cycles", headers=headers).status_code == 401
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "token.revoked")) == 1


def test_nobody_revokes_another_users_token_or_without_csrf(client, db, user_factory, login_as):
    other = user_factory("focal_point", "DEU", email="fp@deu.example.org")
    bearer_for(other)
    token_id = db.session.scalar(select(ApiToken.id))
    login_as("focal_point", "FRA")
    token = csrf_token(client, "/account/tokens")
    assert client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/account/tokens/{token_id}/revoke").status_code == 400
    db.session.rollback()
    assert db.session.get(ApiToken, token_id).revoked_at is None


def test_cli_lists_and_revokes_tokens(runner, db, client, user_factory):
    user = user_factory("compiler", None, email="c@unodc.example.org")
    headers = bearer_for(user, "dashboard script")
    client.get("/api/v1/cycles", headers=headers)
    listing = runner.invoke(args=["users", "tokens", "c@unodc.example.org"])
    assert listing.exit_code == 0 and "dashboard script\tactive" in listing.output and "last used never" not in listing.output
    token_id = listing.output.split("\t")[0]
    result = runner.invoke(args=["users", "revoke-token", "c@unodc.example.org", token_id])
    assert result.exit_code == 0 and "Revoked API token" in result.output
    assert client.get("/api/v1/cycles", headers=headers).status_code == 401
    again = runner.invoke(args=["users", "revoke-token", "c@unodc.example.org", token_id])
    assert again.exit_code != 0 and "already revoked" in again.output and "Traceback" not in again.output
    assert "revoked" in runner.invoke(args=["users", "tokens", "c@unodc.example.org"]).output


# --- weak passwords ---------------------------------------------------------------------

@pytest.mark.parametrize("password", ["password1234", "qwertyuiop12", "123456789012", "iloveyou2024!"])
def test_weak_passwords_are_refused_by_the_cli(runner, db, password):
    result = runner.invoke(args=["users", "create", "w@example.org", "--role", "compiler"], input=f"{password}\n{password}\n")
    assert result.exit_code != 0 and "password is too easy to guess" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_weak_password_is_refused_on_the_set_password_page(client, db, user_factory):
    from reporting.accounts.services import issue_account_link
    from reporting.models import AccountLinkPurpose

    user = user_factory("viewer", "KEN", email="v@ken.example.org")
    with write_transaction():
        token, _link = issue_account_link(db.session.merge(user), AccountLinkPurpose.RESET)
    path = f"/password/set/{token}"
    response = client.post(path, data={"csrf_token": csrf_token(client, path), "password": "qwertyuiop12", "confirm": "qwertyuiop12"})
    assert response.status_code == 422 and "too easy to guess" in response.get_data(as_text=True)
    assert login(client, "v@ken.example.org").status_code == 302  # the old password still works


def test_password_rules_keep_good_passphrases_and_normalise_them():
    assert check_password_strength("Cafe\u0301 on the hill at noon", "x@example.org") == "Caf\u00e9 on the hill at noon"
    with pytest.raises(AccountError, match="e-mail"):
        check_password_strength("maria.lopez plus some words", "maria.lopez@example.org")


# --- sign-in limits -----------------------------------------------------------------------

@contextmanager
def app_with(database_url, tmp_path, **settings):
    """An app with these settings on this test's database (SQLite or PostgreSQL, as the suite runs)."""
    app = create_app(_settings(database_url, tmp_path / "reports", **settings))
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


def attempt(client, email, password, address=None, forwarded=None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    environ = {"REMOTE_ADDR": address} if address else {}
    token = csrf_token(client)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                       headers=headers, environ_base=environ).status_code


def test_only_failed_sign_ins_count(client, user_factory):
    user_factory("viewer", "KEN", email="often@ken.example.org")
    for _ in range(8):  # more than the 5 a minute of the limit
        assert login(client, "often@ken.example.org").status_code == 302
        client.post("/logout", data={"csrf_token": csrf_token(client, "/countries/")})
    assert [attempt(client, "often@ken.example.org", WRONG) for _ in range(6)] == [401] * 5 + [429]


def test_limit_per_account_holds_across_addresses(client, user_factory):
    user_factory("viewer", "KEN", email="target@ken.example.org")
    statuses = [attempt(client, "target@ken.example.org", WRONG, address=f"198.51.100.{n}") for n in range(6)]
    assert statuses == [401] * 5 + [429]
    # Another account from the same addresses is not slowed by it.
    user_factory("viewer", "KEN", email="other@ken.example.org")
    assert attempt(client, "other@ken.example.org", PASSWORD, address="198.51.100.1") == 302


def test_limit_per_client_address_behind_a_trusted_proxy(database_url, tmp_path, smtp_server):
    with app_with(database_url, tmp_path, TRUSTED_PROXIES=1, LOGIN_ADDRESS_RATE_LIMIT="3 per minute") as app:
        limiter.reset()
        from tests.conftest import make_user

        make_user("viewer", "KEN", email="a@ken.example.org")
        client = app.test_client()
        proxy = "10.0.0.5"  # every request arrives from the proxy; the client is in X-Forwarded-For
        # A client that tries several accounts is stopped by its own address...
        statuses = [attempt(client, f"guess{n}@ken.example.org", WRONG, proxy, "203.0.113.7") for n in range(4)]
        assert statuses == [401, 401, 401, 429]
        # ...while other people behind the same proxy sign in normally.
        assert attempt(client, "a@ken.example.org", PASSWORD, proxy, "203.0.113.8") == 302
        # A client cannot pose as another by adding its own X-Forwarded-For entry in front: the proxy's is used.
        assert attempt(client, "guess9@ken.example.org", WRONG, proxy, "192.0.2.1, 203.0.113.7") == 429


def test_without_trusted_proxies_x_forwarded_for_is_ignored(client, user_factory, app):
    app.config["LOGIN_ADDRESS_RATE_LIMIT"] = "3 per minute"
    statuses = [attempt(client, f"guess{n}@ken.example.org", WRONG, "203.0.113.9", f"192.0.2.{n}") for n in range(4)]
    assert statuses == [401, 401, 401, 429]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A real Redis server for the shared limiter storage, started and stopped by the test."""
    server = shutil.which("redis-server")
    if not server:
        pytest.fail("redis-server is not installed: bootstrap.sh test installs it (apt-get install redis-server)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_counters_are_shared_through_redis(database_url, tmp_path, smtp_server, redis_url):
    """Two app instances (as two gunicorn workers) on one Redis see the same failures."""
    settings = {"RATELIMIT_STORAGE_URI": redis_url, "LOGIN_RATE_LIMIT": "3 per minute"}
    with app_with(database_url, tmp_path, **settings) as first:
        limiter.reset()
        client = first.test_client()
        assert [attempt(client, "shared@ken.example.org", WRONG) for _ in range(2)] == [401, 401]
    with app_with(database_url, tmp_path, **settings) as second:
        client = second.test_client()
        assert [attempt(client, "shared@ken.example.org", WRONG) for _ in range(2)] == [401, 429]
        limiter.reset()


# --- CSRF whenever the session cookie authenticates ------------------------------------------

@pytest.mark.parametrize("authorization", ["Bearer x", "Bearer drp_forged", "bearer ", "Basic abc"])
def test_junk_authorization_header_does_not_skip_csrf_on_a_cookie_write(client, db, cycle, login_as, authorization):
    login_as("focal_point", "FRA")
    response = client.patch("/api/v1/cycles/2025/submissions/FRA/answers", headers={"Authorization": authorization},
                            json={"base_version": 1, "answers": {"t.1.status": "planned"}})
    assert response.status_code == 400
    assert "did not come from this site" in response.json["error"]["message"]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "answer.changed")) == 0


def test_cookie_write_with_the_csrf_header_and_token_write_without_it(client, db, cycle, login_as):
    user = login_as("focal_point", "FRA")
    token = csrf_token(client, "/cycles/2025/FRA/dr-prevention")
    response = client.patch("/api/v1/cycles/2025/submissions/FRA/answers", headers={"X-CSRFToken": token, "Authorization": "Bearer x"},
                            json={"base_version": 1, "answers": {"t.1.status": "planned"}})
    assert response.status_code == 200
    fresh = IsolatedClient(client.application)  # no cookie: the token alone signs in, and needs no CSRF
    response = fresh.patch("/api/v1/cycles/2025/submissions/FRA/answers", headers=bearer_for(user),
                           json={"base_version": response.json["version"], "answers": {"t.1.status": "implemented"}})
    assert response.status_code == 200

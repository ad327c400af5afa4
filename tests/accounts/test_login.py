"""Signing in and out through the real app: sessions, rate limits, CSRF."""
from sqlalchemy import select

from reporting.models import AuditEvent
from tests.conftest import PASSWORD, csrf_token, login


def test_focal_point_signs_in_and_sees_own_country(client, user_factory):
    user_factory("focal_point", "KEN", email="fp@ken.example.org")
    response = login(client, "FP@ken.example.org")
    assert response.status_code == 302
    page = client.get("/countries/").get_data(as_text=True)
    assert "KEN" in page and "FRA" not in page


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client, user_factory):
    user_factory("viewer", "KEN", email="v@ken.example.org")
    for email in ("v@ken.example.org", "nobody@example.org"):
        response = login(client, email, "wrong password 123")
        assert response.status_code == 401
        assert "e-mail address or password is not correct" in response.get_data(as_text=True)
    assert client.get("/countries/").status_code == 302


def test_logout_ends_the_session_even_for_a_copied_cookie(app, client, user_factory):
    user_factory("compiler", None, email="c@unodc.example.org")
    login(client, "c@unodc.example.org")
    stolen = client.get_cookie("session").value
    assert client.get("/countries/").status_code == 200

    client.post("/logout", data={"csrf_token": csrf_token(client, "/countries/")})
    assert client.get("/countries/").status_code == 302

    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/countries/").status_code == 302


def test_session_is_rotated_at_login(app, client, user_factory):
    user = user_factory("compiler", None, email="rot@unodc.example.org")
    token_before = user.session_token
    login(client, "rot@unodc.example.org")
    from reporting.extensions import db

    db.session.rollback()  # end the test's read snapshot to see the request's commit
    db.session.refresh(user)
    assert user.session_token != token_before
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(user.id))).all()
    assert actions == ["user.created", "user.login"]


def test_idle_session_expires(app, client, user_factory):
    user_factory("compiler", None, email="idle@unodc.example.org")
    login(client, "idle@unodc.example.org")
    with client.session_transaction() as sess:
        sess["_last_seen"] -= app.config["IDLE_TIMEOUT"].total_seconds() + 5
    response = client.get("/countries/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/countries/").status_code == 302


def test_login_is_rate_limited(client, user_factory):
    user_factory("viewer", "KEN", email="slow@ken.example.org")
    statuses = [login(client, "slow@ken.example.org", "not the password!").status_code for _ in range(6)]
    assert statuses[:5] == [401] * 5
    assert statuses[5] == 429
    # Even the right password waits once the limit is reached.
    assert login(client, "slow@ken.example.org").status_code == 429


def test_post_without_csrf_token_is_refused(client, user_factory):
    user_factory("viewer", "KEN", email="csrf@ken.example.org")
    response = client.post("/login", data={"email": "csrf@ken.example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "did not come from this site" in response.get_data(as_text=True)
    assert client.get("/countries/").status_code == 302


def test_login_ignores_redirects_to_other_sites(client, user_factory):
    user_factory("viewer", "KEN", email="next@ken.example.org")
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={"email": "next@ken.example.org", "password": PASSWORD, "csrf_token": token, "next": "//evil.example/"},
    )
    assert response.headers["Location"] == "/"

"""Application-wide behaviour: configuration, headers, error pages."""
import pytest

from reporting import ConfigError, create_app


def test_missing_secret_key_in_production_is_a_startup_error(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})


@pytest.mark.parametrize("value", ["-1", "20", "low", "1.5"])
def test_a_build_niceness_outside_0_to_19_is_a_startup_error(monkeypatch, tmp_path, value):
    monkeypatch.setenv("BUILD_NICENESS", value)
    with pytest.raises(ConfigError, match=f"BUILD_NICENESS='{value}': give a niceness from 0"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db", "SECRET_KEY": "x"})


def test_development_generates_and_keeps_a_secret(monkeypatch, tmp_path):
    monkeypatch.delenv("APP_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    from reporting.config import secret_key

    first = secret_key(tmp_path, production=False)
    assert len(first) == 64 and secret_key(tmp_path, production=False) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_security_headers(client):
    response = client.get("/login")
    headers = response.headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in headers
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_pages_have_no_inline_script(client):
    assert "<script>" not in client.get("/login").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/no/such/page", "/countries/../../etc/passwd"])
def test_not_found_page_leaks_nothing(client, path):
    response = client.get(path)
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "There is no such page" in body and "Traceback" not in body


def test_api_errors_are_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json["error"]["status"] == 404


def test_unexpected_error_is_a_plain_500(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = client.get("/boom")
    assert response.status_code == 500
    assert "secret internals" not in response.get_data(as_text=True)


def test_rtl_for_arabic(client):
    page = client.get("/login", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    page = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert '<html lang="zh-CN" dir="ltr">' in page


def test_language_switcher_keeps_the_page(client):
    from tests.conftest import csrf_token

    token = csrf_token(client)
    response = client.post("/language", data={"lang": "fr", "next": "/login?next=/countries/", "csrf_token": token})
    assert response.headers["Location"] == "/login?next=/countries/"
    assert '<html lang="fr"' in client.get("/login").get_data(as_text=True)

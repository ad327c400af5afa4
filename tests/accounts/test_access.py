"""Role and country boundaries on every country page."""
import pytest


@pytest.mark.parametrize("path", ["/countries/", "/countries/FRA"])
def test_pages_require_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("role", ["focal_point", "viewer"])
def test_country_user_cannot_open_another_country(client, login_as, role):
    login_as(role, "FRA")
    assert client.get("/countries/FRA").status_code == 200
    response = client.get("/countries/DEU")
    assert response.status_code == 403
    assert "Germany" not in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["admin", "compiler"])
def test_staff_see_every_country(client, login_as, role):
    login_as(role, None)
    assert client.get("/countries/DEU").status_code == 200
    assert client.get("/countries/").get_data(as_text=True).count("/countries/") >= 195


def test_unknown_country_is_404(client, login_as):
    login_as("compiler", None)
    assert client.get("/countries/XXX").status_code == 404

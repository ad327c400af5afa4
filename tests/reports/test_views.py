"""The /reports pages: compilers build and download everything; a country's users their own only."""
from pathlib import Path
import threading

import pytest

from ..conftest import csrf_token
from .conftest import FRENCH_TEXT, GERMAN_TEXT


REPORT, FRANCE, GERMANY = "/reports/2026/en/report.pdf", "/reports/2026/en/FRA.pdf", "/reports/2026/en/DEU.pdf"
DATA = ["/reports/2026/answers.csv", "/reports/2026/answers.xlsx", "/reports/2026/aggregates.xlsx",
        "/reports/2026/aggregates-status.csv", "/reports/2026/aggregates-indicators.csv"]


@pytest.fixture
def built(runner, cycles):
    """The 2026 report in English, with the profiles of France and Germany."""
    result = runner.invoke(args=["report", "build", "--cycle", "2026", "--lang", "en", "--countries", "FRA,DEU", "--workers", "1"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("path", ["/reports/", "/reports/2026/", REPORT, FRANCE, DATA[0], "/reports/2026/FRA/answers.csv"])
def test_pages_require_login(client, cycles, path):
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_compiler_sees_and_downloads_everything(client, login_as, built):
    login_as("compiler", None)
    assert "2026" in client.get("/reports/").get_data(as_text=True)
    page = client.get("/reports/2026/").get_data(as_text=True)
    assert 'action="/reports/2026/build"' in page
    names = ["progress-report-2026-en.pdf", "country-profile-FRA-2026-en.pdf", "country-profile-DEU-2026-en.pdf",
             "answers-2026.csv", "answers-2026.xlsx", "aggregates-2026.xlsx", "aggregates-status-2026.csv",
             "aggregates-indicators-2026.csv"]
    for path, name in zip([REPORT, FRANCE, GERMANY, *DATA], names):
        assert f'href="{path}"' in page
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["Content-Disposition"] == f"attachment; filename={name}"
    assert client.get(REPORT).data.startswith(b"%PDF-")
    assert client.get("/reports/2026/fr/report.pdf").status_code == 404  # not built


@pytest.mark.parametrize("role", ["focal_point", "viewer"])
def test_country_users_get_their_own_profile_and_answers_only(client, login_as, built, role):
    login_as(role, "FRA")
    page = client.get("/reports/2026/").get_data(as_text=True)
    assert FRANCE in page and GERMANY not in page and "Germany" not in page
    assert REPORT not in page and "/build" not in page and "/reports/2026/answers.csv" not in page
    assert client.get(FRANCE).status_code == 200
    for path in (GERMANY, REPORT, *DATA, "/reports/2026/DEU/answers.csv"):
        assert client.get(path).status_code == 403, path
    own = client.get("/reports/2026/FRA/answers.csv")
    assert own.status_code == 200 and own.mimetype == "text/csv"
    assert FRENCH_TEXT in own.get_data(as_text=True) and GERMAN_TEXT not in own.get_data(as_text=True)
    assert client.get("/reports/2026/FRA/answers.xlsx").data.startswith(b"PK")
    token = csrf_token(client, "/reports/2026/")
    assert client.post("/reports/2026/build", data={"csrf_token": token}).status_code == 403


@pytest.mark.parametrize("path", ["/reports/1999/", "/reports/1999/en/report.pdf", "/reports/2026/xx/report.pdf",
                                  "/reports/2026/en/XXX.pdf", "/reports/2026/XXX/answers.csv",
                                  "/reports/2026/FRA/answers.pdf", "/reports/2026/FRA/other.csv",
                                  "/reports/2026/answers.pdf", "/reports/1999/FRA/answers.csv"])
def test_unknown_things_are_404(client, login_as, cycles, path):
    login_as("compiler", None)
    assert client.get(path).status_code == 404


def test_compiler_triggers_a_build(client, login_as, app, cycles):
    login_as("compiler", None)
    assert client.post("/reports/2026/build", data={"lang": "en", "countries": "none"}).status_code == 400  # no CSRF token
    token = csrf_token(client, "/reports/2026/")
    form = client.get("/reports/2026/").get_data(as_text=True)
    # Profiles are chosen, not typed as English keywords.
    assert 'name="profiles" value="all" checked' in form and 'name="profiles" value="none"' in form and "all (every" not in form
    response = client.post("/reports/2026/build", data={"csrf_token": token, "lang": ["en"], "profiles": "none", "countries": ""})
    assert response.status_code == 302
    for thread in threading.enumerate():
        if thread.name == "report-build-2026":
            thread.join(timeout=120)
    assert (Path(app.config["REPORTS_DIR"]) / "2026" / "en" / "progress-report-2026-en.pdf").is_file()
    page = client.get("/reports/2026/").get_data(as_text=True)
    assert "The last build failed" not in page and "Building:" not in page
    assert f'href="{REPORT}"' in page


def test_bad_build_input_is_reported_on_the_page(client, login_as, cycles):
    login_as("compiler", None)
    token = csrf_token(client, "/reports/2026/")
    response = client.post("/reports/2026/build", data={"csrf_token": token, "lang": ["en"], "profiles": "list", "countries": "FRA,XXX"},
                           follow_redirects=True)
    assert "The reports could not be built: unknown country code XXX" in response.get_data(as_text=True)
    assert not any(thread.name == "report-build-2026" for thread in threading.enumerate())

"""Cycles from the CLI and the compilers' dashboard."""
from sqlalchemy import func, select

from reporting.models import Cycle, Submission
from tests.conftest import csrf_token


def test_cli_opens_closes_and_publishes(runner, db, spec_version):
    result = runner.invoke(args=["cycle", "open", "2025", "--spec", "9.0.0", "--deadline", "2026-06-30"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 193
    assert runner.invoke(args=["cycle", "close", "2025"]).exit_code == 0
    assert runner.invoke(args=["cycle", "publish", "2025"]).exit_code == 0
    listing = runner.invoke(args=["cycle", "list"]).output
    assert "2025\tpublished\tspec 9.0.0\tdeadline 2026-06-30\tnot_started 193" in listing


def test_cli_bad_input_changes_nothing(runner, db, spec_version):
    cases = [
        (["cycle", "open", "2025", "--spec", "7.7.7", "--deadline", "2026-06-30"], "unknown spec version '7.7.7'"),
        (["cycle", "open", "2025", "--spec", "9.0.0", "--deadline", "30/06/2026"], "is not a date in the form YYYY-MM-DD"),
        (["cycle", "open", "bad label!", "--spec", "9.0.0", "--deadline", "2026-06-30"], "must be 1–32 letters"),
        (["cycle", "close", "1999"], "unknown cycle '1999'"),
    ]
    for args, message in cases:
        result = runner.invoke(args=args)
        assert result.exit_code != 0 and message in result.output, result.output
    assert db.session.scalar(select(func.count()).select_from(Cycle)) == 0
    runner.invoke(args=["cycle", "open", "2025", "--spec", "9.0.0", "--deadline", "2026-06-30"])
    result = runner.invoke(args=["cycle", "publish", "2025"])
    assert result.exit_code != 0 and "cycle 2025 is open; it cannot become published" in result.output


def test_compiler_opens_a_cycle_in_the_web_ui(client, db, spec_version, login_as):
    login_as("compiler", None)
    token = csrf_token(client, "/cycles/")
    response = client.post("/cycles/", data={"csrf_token": token, "label": "2025", "spec_version": "9.0.0", "deadline": "2026-06-30"})
    assert response.status_code == 302
    response = client.post("/cycles/", data={"csrf_token": token, "label": "2025", "spec_version": "9.0.0", "deadline": "2026-06-30"})
    assert response.status_code == 422 and "already exists" in response.get_data(as_text=True)


def test_focal_point_cannot_manage_cycles(client, spec_version, login_as):
    login_as("focal_point", "FRA")
    token = csrf_token(client, "/cycles/")
    assert client.post("/cycles/", data={"csrf_token": token, "label": "x", "spec_version": "9.0.0", "deadline": "2026-06-30"}).status_code == 403


def test_dashboard_lists_all_member_states_with_filters(client, cycle, login_as):
    login_as("compiler", None)
    page = client.get("/cycles/2025/").get_data(as_text=True)
    assert page.count('href="/cycles/2025/') >= 193
    africa = client.get("/cycles/2025/?region=2").get_data(as_text=True)
    assert "Kenya" in africa and "France" not in africa
    csv_text = client.get("/cycles/2025/dashboard.csv?region=150").get_data(as_text=True)
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("iso3,country,region")
    assert len(lines) == 1 + 43
    assert any(line.startswith("FRA,France,Europe") for line in lines)


def test_country_user_is_sent_to_own_submission(client, cycle, login_as):
    login_as("viewer", "KEN")
    response = client.get("/cycles/2025/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/cycles/2025/KEN/")
    assert client.get("/cycles/2025/dashboard.csv").status_code == 403

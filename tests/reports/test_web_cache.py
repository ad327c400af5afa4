"""The web report is served from cached content and rendering (reporting/reports/cache.py): files under
the reports folder shared by every worker, recomputed only when what they are made from changes."""
import csv
import io
from pathlib import Path
import re

from reporting import create_app
from reporting.database import write_transaction
from reporting.reports.cache import CACHE_FOLDER

from tests.conftest import form_state, login, make_user

from .conftest import S1

WEB = "/reports/2026/en/"
SECTION = "/cycles/2026/MEX/demand_reduction.prevention"
SUBMIT, REVIEW = "/cycles/2026/MEX/submit", "/cycles/2026/MEX/review"


def cache_files(app, cycle) -> dict[str, int]:
    folder = Path(app.config["REPORTS_DIR"]) / CACHE_FOLDER / f"cycle-{cycle.id}"
    return {path.name: path.stat().st_mtime_ns for path in folder.iterdir() if not path.name.startswith(".")}


def article(page: str) -> str:
    """The report itself, without the site's frame (whose forms carry a fresh CSRF token each time)."""
    return page[page.index('<article class="web-report">'):page.index("</article>")]


def prevention_row(page: str, index: int = 0) -> list[str]:
    """The world figures of one policy question of the prevention section: replies, base, the five
    statuses, share implemented, change, Member States compared."""
    table = re.search(r'<table class="data" id="t-demand_reduction.prevention">.*?</table>', page, re.S).group(0)
    row = re.findall(r"<tr>\s*<th scope=\"row\">.*?</tr>", table, re.S)[index]
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def signed_in(app, role: str, country: str | None):
    """A client of its own, signed in as a new user with ``role``."""
    client = app.test_client()
    assert login(client, make_user(role, country, email=f"{role}-{country}@example.org".lower()).email).status_code == 302
    return client


def test_the_second_request_and_another_worker_read_the_cache(app, client, cycles, login_as):
    login_as("compiler", None)
    first = client.get(WEB).get_data(as_text=True)
    files = cache_files(app, cycles[1])
    assert set(files) == {"content.pickle", "body-en.html"}
    assert article(client.get(WEB).get_data(as_text=True)) == article(first)
    # A second app on the same database and reports folder, as another gunicorn worker: nothing recomputed.
    second = create_app(dict(app.config))
    second.test_client_class = type(client)  # each request in its own app context, as a worker runs it
    other = second.test_client()
    login(other, make_user("compiler", None, email="second-compiler@unodc.example.org").email)
    assert article(other.get(WEB).get_data(as_text=True)) == article(first)
    csv = other.get("/reports/2026/en/tables/t-coverage.csv")
    assert csv.status_code == 200 and b"member_states" in csv.data
    assert cache_files(app, cycles[1]) == files
    # A country's users still see none of it before publication, cache or not.
    country = signed_in(app, "focal_point", "FRA")
    assert country.get(WEB).status_code == 403
    assert country.get("/reports/2026/en/tables/t-coverage.csv").status_code == 403


def test_a_changed_answer_shows_at_once(app, cycles):
    """Mexico's response enters the count, then comes back with another answer: each time the page
    shows the new figures, and the cache files were rewritten rather than served stale."""
    with write_transaction():
        cycles[1].state = "open"
    compiler, focal = signed_in(app, "compiler", None), signed_in(app, "focal_point", "MEX")

    def save_and_submit(status: str) -> None:
        assert focal.post(SECTION, data={**form_state(focal, SECTION), S1: status}).status_code == 302
        assert focal.post(SUBMIT, data=form_state(focal, SUBMIT)).status_code == 302

    # Ungass 1 (a): FRA, DEU implemented, GBR in progress, NGA not started: 4 replies, too few for a share.
    assert prevention_row(compiler.get(WEB).get_data(as_text=True))[:8] == ["4", "4", "1", "0", "1", "2", "0", "too few replies"]
    before = cache_files(app, cycles[1])
    save_and_submit("planned")
    assert prevention_row(compiler.get(WEB).get_data(as_text=True))[:8] == ["5", "5", "1", "1", "1", "2", "0", "40%"]
    after = cache_files(app, cycles[1])
    assert all(after[name] != before[name] for name in before)

    # Returned, corrected (planned → implemented) and submitted again: the same countries, a new answer.
    state = form_state(compiler, REVIEW)
    assert compiler.post(REVIEW, data={**state, "action": "return", "confirmed": "1",
                                       "comment-demand_reduction.prevention": "Please check the status."}).status_code == 302
    save_and_submit("implemented")
    assert prevention_row(compiler.get(WEB).get_data(as_text=True))[:8] == ["5", "5", "1", "0", "1", "3", "0", "60%"]
    # The CSV behind the figure follows too.
    rows = csv.DictReader(io.StringIO(compiler.get("/reports/2026/en/tables/t-demand_reduction.prevention.csv")
                                      .get_data(as_text=True).lstrip("\ufeff")))
    world = next(row for row in rows if row["question"] == S1 and row["level"] == "world")
    assert (world["replies"], world["planned"], world["implemented"], world["share_implemented"]) == ("5", "0", "3", "0.6")


def test_publishing_changes_the_page(client, cycles, login_as):
    login_as("compiler", None)
    assert "Draft — includes submitted responses not yet accepted" in client.get(WEB).get_data(as_text=True)
    with write_transaction():
        cycles[1].state = "published"
    page = client.get(WEB).get_data(as_text=True)
    assert "Draft — includes submitted responses not yet accepted" not in page
    # Published: accepted responses only, so Britain's submitted reply no longer counts.
    assert prevention_row(page)[:2] == ["3", "3"]


def test_a_tampered_cache_file_is_never_loaded(app, client, cycles, login_as):
    login_as("compiler", None)
    page = client.get(WEB).get_data(as_text=True)
    folder = Path(app.config["REPORTS_DIR"]) / CACHE_FOLDER / f"cycle-{cycles[1].id}"
    for name in ("content.pickle", "body-en.html"):
        path = folder / name
        header, _payload = path.read_bytes().split(b"\n", 1)
        path.write_bytes(header + b"\n" + b"<p>planted</p>")  # the right fingerprint, a payload it did not sign
    assert article(client.get(WEB).get_data(as_text=True)) == article(page)
    assert b"planted" not in (folder / "body-en.html").read_bytes()
    assert client.get("/reports/2026/en/tables/t-coverage.csv").status_code == 200
    assert b"planted" not in (folder / "content.pickle").read_bytes()


def test_an_unwritable_reports_folder_still_serves_the_page(app, client, cycles, login_as, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the reports folder should be")
    app.config["REPORTS_DIR"] = str(blocked)
    login_as("compiler", None)
    response = client.get(WEB)
    assert response.status_code == 200 and "Progress report, 2026 reporting cycle" in response.get_data(as_text=True)

"""Examples of measures: marked in review by a compiler, quoted in the report as submitted."""
import re

import pytest
from sqlalchemy import func, select

from reporting.extensions import db
from reporting.models import AuditEvent, MeasureExample
from reporting.reports.content import cycle_content

from .conftest import FRENCH_TEXT, GERMAN_TEXT, MEASURES, pdf_text, render_pdf

PAGE = "/cycles/2026/{iso3}/examples"
REPORT = "reports/pdf/cycle_report.html"


def token(client, iso3="FRA"):
    page = client.get(PAGE.format(iso3=iso3)).get_data(as_text=True)
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


def mark(client, iso3="FRA", **fields):
    data = {"key": MEASURES, "excerpt": "", "language": "fr", "action": "mark", **fields}
    return client.post(PAGE.format(iso3=iso3), data={"csrf_token": token(client, iso3), **data})


def marks():
    db.session.rollback()  # end the test's read transaction: see what the requests committed
    return db.session.scalars(select(MeasureExample)).all()


def audit_count(action):
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def test_compiler_marks_an_example_and_the_report_quotes_it(app, client, cycles, login_as):
    login_as("compiler", None)
    page = client.get(PAGE.format(iso3="FRA")).get_data(as_text=True)
    assert FRENCH_TEXT in page and GERMAN_TEXT not in page
    response = mark(client, excerpt="  Stratégie nationale de prévention  ", language="fr")
    assert response.status_code == 302
    [example] = marks()
    assert (example.key, example.excerpt, example.language) == (MEASURES, "Stratégie nationale de prévention", "fr")
    assert audit_count("examples.marked") == 1
    content = cycle_content(cycles[1])
    [quoted] = content.pillars[0].examples
    assert (quoted.iso2, quoted.text, quoted.language, quoted.question) == (
        "FR", "Stratégie nationale de prévention", "fr", "Implementation status")
    html = render_pdf(app, REPORT, "en", content=content)
    text = re.sub(r"\s+", " ", pdf_text(html.pdf))
    assert "Examples of measures taken" in text
    assert "Stratégie nationale de prévention" in text and "As submitted by France, in French." in text
    from reporting.reports.render import Renderer
    assert '<p class="free-text" lang="fr" dir="auto">Stratégie nationale de prévention</p>' in Renderer(app).html(
        REPORT, "en", content=content)
    # Updating keeps one mark; without an excerpt the country's whole text is quoted.
    assert mark(client, excerpt="", language="fr").status_code == 302
    assert [example.excerpt for example in marks()] == [None]
    assert cycle_content(cycles[1]).pillars[0].examples[0].text == FRENCH_TEXT
    assert audit_count("examples.marked") == 2
    # Removing it takes it out of the report.
    assert mark(client, action="unmark").status_code == 302
    assert marks() == [] and audit_count("examples.unmarked") == 1
    assert cycle_content(cycles[1]).pillars[0].examples == []


@pytest.mark.parametrize("fields, status, message", [
    ({"excerpt": "x" * 801}, 422, "The excerpt of ungass2016.1.a.measures has 801 characters; at most 800 are allowed."),
    ({"language": "xx-nonsense"}, 422, "Unknown language code xx-nonsense"),
    ({"key": "ungass2016.1.a.status"}, 404, "ungass2016.1.a.status is not a “measures taken” answer of this submission."),
    ({"key": MEASURES, "action": "unmark"}, 404, "ungass2016.1.a.measures is not marked as an example."),
])
def test_bad_marks_change_nothing(client, cycles, login_as, fields, status, message):
    login_as("compiler", None)
    response = mark(client, **fields)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert marks() == [] and audit_count("examples.marked") == 0


def test_an_excerpt_of_exactly_800_characters_is_accepted(client, cycles, login_as):
    login_as("compiler", None)
    assert mark(client, excerpt="é" * 800).status_code == 302
    assert len(marks()[0].excerpt) == 800


@pytest.mark.parametrize("role", ["focal_point", "viewer"])
def test_a_country_user_cannot_see_or_mark(client, cycles, login_as, role):
    login_as(role, "FRA")
    assert client.get(PAGE.format(iso3="FRA")).status_code == 403
    assert client.post(PAGE.format(iso3="FRA"), data={"key": MEASURES, "language": "fr"}).status_code in (400, 403)
    assert marks() == []


def test_only_reviewed_responses_are_marked(client, cycles, login_as):
    login_as("compiler", None)
    # MEX is still in progress: the page shows its text but offers no mark, and a post is refused.
    assert "Mark as an example" not in client.get(PAGE.format(iso3="MEX")).get_data(as_text=True)
    response = mark(client, iso3="MEX")
    assert response.status_code in (403, 404) and marks() == []


def test_csrf_is_required(client, cycles, login_as):
    login_as("compiler", None)
    response = client.post(PAGE.format(iso3="FRA"), data={"key": MEASURES, "language": "fr", "action": "mark"})
    assert response.status_code == 400 and marks() == []


def test_an_excerpt_with_a_control_character_is_refused(client, cycles, login_as):
    login_as("compiler", None)
    response = mark(client, excerpt="Stratégie\x07 nationale")
    assert response.status_code in (400, 422)  # refused at the request boundary, or by the mark itself
    assert marks() == [] and audit_count("examples.marked") == 0

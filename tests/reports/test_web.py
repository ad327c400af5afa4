"""The report on the web: the same content as the PDF, in every language, figures linking to their tables and CSVs."""
import csv
import io
import re

import pytest

from sqlalchemy import select

from reporting.database import write_transaction
from reporting.extensions import db
from reporting.reports.content import cycle_content
from reporting.reports.render import Renderer

from .conftest import S1, S2

WEB = "/reports/2026/{lang}/"


def test_compiler_reads_the_report_as_web_pages(app, client, cycles, login_as):
    login_as("compiler", None)
    page = client.get(WEB.format(lang="en")).get_data(as_text=True)
    assert "<h1 class=\"doc-title\">Progress report, 2026 reporting cycle</h1>" in page
    assert '<svg class="bar"' in page  # the same SVG charts as the PDF
    # Every figure links to the table behind it and to a CSV of it.
    links = re.findall(r'<p class="figure-links"><a href="#([^"]+)">[^<]+</a> · <a href="([^"]+)">CSV</a></p>', page)
    assert links and all(f'id="{table_id}"' in page for table_id, _url in links)
    for table_id, url in links:
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "text/csv", url
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
        assert len(rows) > 1, url
    # The same figures as the PDF: the body is the PDF's body, rendered from the same content object.
    pdf_html = Renderer(app).html("reports/pdf/cycle_report.html", "en", content=cycle_content(cycles[1]))
    for table_id, _url in links:
        table = re.search(rf'<table class="data" id="{table_id}">.*?</table>', pdf_html, re.S).group(0)
        assert table in page, table_id


def test_the_csv_of_a_section_figure_has_its_questions(client, cycles, login_as):
    login_as("compiler", None)
    response = client.get("/reports/2026/en/tables/t-demand_reduction.prevention.csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert {row["question"] for row in rows} == {S1, S2}
    world = next(row for row in rows if row["question"] == "ungass2016.1.a.status" and row["level"] == "world")
    assert (world["replies"], world["base"], world["note"]) == ("4", "4", "too few replies")


@pytest.mark.parametrize("lang, direction, sample", [("ar", "rtl", "ألمانيا"), ("zh", "ltr", "德国"), ("fr", "ltr", "Allemagne")])
def test_every_language(client, cycles, login_as, lang, direction, sample):
    login_as("compiler", None)
    page = client.get(WEB.format(lang=lang)).get_data(as_text=True)
    assert f'dir="{direction}"' in page.split(">", 2)[1] and sample in page


def test_country_users_read_it_once_published(client, cycles, login_as):
    login_as("focal_point", "FRA")
    assert client.get(WEB.format(lang="en")).status_code == 403
    assert client.get("/reports/2026/en/tables/t-coverage.csv").status_code == 403
    with write_transaction():
        cycles[1].state = "published"
    assert client.get(WEB.format(lang="en")).status_code == 200
    assert client.get("/reports/2026/en/tables/t-coverage.csv").status_code == 200


@pytest.mark.parametrize("path, status", [
    ("/reports/2026/xx/", 404), ("/reports/1999/en/", 404), ("/reports/2026/en/tables/t-nothing.csv", 404),
])
def test_unknown_language_cycle_or_table(client, cycles, login_as, path, status):
    login_as("compiler", None)
    assert client.get(path).status_code == status


def test_sign_in_required(client, cycles):
    assert client.get(WEB.format(lang="en")).status_code == 302


def test_a_pillar_with_no_policy_question_is_no_chapter(client, db, login_as):
    """The screening questions only switch modules on: no "Chapter 1. Screening" of "too few replies"."""
    import copy
    from datetime import date

    from .conftest import ANSWERS, SPEC, fill, make_cycle

    spec = copy.deepcopy(SPEC)
    spec["version"] = "1.2.0"
    spec["pillars"].insert(0, {"key": "screening", "title": "Screening", "sections": [{
        "key": "screening", "title": "Screening: what applies to your country", "chapter": None, "scope": ["global"],
        "context": [], "checks": [], "items": [{"key": "screening.cultivation", "kind": "single_choice", "commitments": [],
                                                "label": "Illicit crops are cultivated", "choices": [
                                                    {"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}]}]}]})
    fill(make_cycle("2026", date(2026, 6, 30), spec=spec), ANSWERS)
    login_as("compiler", None)
    page = client.get(WEB.format(lang="en")).get_data(as_text=True)
    assert "Screening" not in page
    assert 'id="chapter-demand_reduction"' in page and "Chapter 1. Demand reduction and related measures" in page
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids))  # no two elements share an id (a chapter and a section once did)


def test_a_country_profile_as_a_web_page(app, client, cycles, login_as):
    """Compilers read any country's profile as it stands, before a build; a country's users read their own
    once the cycle is published (a draft profile shows its region's unreviewed figures), never another's."""
    from reporting.models import Country
    from reporting.reports.build import profile_path
    from reporting.reports.content import country_responses
    from reporting.reports.profiles import profile_content

    from tests.conftest import csrf_token

    from .conftest import GERMAN_TEXT

    login_as("compiler", None)
    page = client.get("/reports/2026/en/countries/DEU/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<h1 class="doc-title">Germany</h1>' in html and "Statuses changed since its accepted submission of the 2025 cycle" in html
    assert GERMAN_TEXT in html and "Measures taken (excerpt)" not in html  # the country's words whole
    # The same status chart as the PDF profile: one template, one content.
    germany = db.session.scalar(select(Country).where(Country.iso3 == "DEU"))
    response = country_responses(cycles[1], [germany])[0]
    pdf_html = Renderer(app).html("reports/pdf/country_profile.html", "en", response=response,
                                  content=profile_content(cycle_content(cycles[1]), germany.region_m49))
    chart = re.search(r'<table class="chart">.*?</table>', pdf_html, re.S).group(0)
    assert chart in html
    assert 'href="/reports/2026/ar/countries/DEU/"' in html  # the other languages
    assert 'href="/reports/2026/en/DEU.pdf"' not in html  # no PDF before a build registers one
    register_built(app, cycles[1], profile_path("2026", "en", "DEU"), "profile", germany.id)
    assert 'href="/reports/2026/en/DEU.pdf"' in client.get("/reports/2026/en/countries/DEU/").get_data(as_text=True)
    arabic = client.get("/reports/2026/ar/countries/DEU/").get_data(as_text=True)
    assert '<h1 class="doc-title">ألمانيا</h1>' in arabic
    review = client.get("/cycles/2026/DEU/review").get_data(as_text=True)
    assert 'href="/reports/2026/en/countries/DEU/"' in review

    client.post("/logout", data={"csrf_token": csrf_token(client, "/cycles/")})
    login_as("focal_point", "FRA")
    assert client.get("/reports/2026/en/countries/FRA/").status_code == 403  # not published yet
    assert 'countries/FRA/' not in client.get("/reports/2026/").get_data(as_text=True)
    with write_transaction():
        cycles[1].state = "published"
    assert client.get("/reports/2026/en/countries/FRA/").status_code == 200
    assert 'href="/reports/2026/en/countries/FRA/"' in client.get("/reports/2026/").get_data(as_text=True)
    assert client.get("/reports/2026/en/countries/DEU/").status_code == 403
    assert client.get("/reports/2026/xx/countries/FRA/").status_code == 404
    assert client.get("/reports/2026/en/countries/XYZ/").status_code == 404


def register_built(app, cycle, relative: str, kind: str, country_id: int | None = None) -> None:
    """A file as a build leaves it: written under REPORTS_DIR/<cycle>/ and registered."""
    from pathlib import Path

    from reporting.models import ReportFile

    pdf = Path(app.config["REPORTS_DIR"]) / cycle.label / relative
    pdf.parent.mkdir(parents=True, exist_ok=True)
    pdf.write_bytes(b"%PDF-1.7 built")
    with write_transaction():
        db.session.add(ReportFile(cycle_id=cycle.id, kind=kind, lang="en", country_id=country_id,
                                  path=f"{cycle.label}/{relative}", sha256="0" * 64, size=14))


def test_the_web_report_links_its_pdf_once_built(app, client, cycles, login_as):
    from reporting.reports.build import report_path

    login_as("compiler", None)
    assert 'href="/reports/2026/en/report.pdf"' not in client.get(WEB.format(lang="en")).get_data(as_text=True)
    register_built(app, cycles[1], report_path("2026", "en"), "report")
    page = client.get(WEB.format(lang="en")).get_data(as_text=True)
    assert 'href="/reports/2026/en/report.pdf"' in page and 'hreflang="fr" href="/reports/2026/fr/"' in page
    assert client.get("/reports/2026/en/report.pdf").status_code == 200

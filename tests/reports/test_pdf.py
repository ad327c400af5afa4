"""The PDFs themselves: figures, headings, bookmarks, fonts, metadata, languages, privacy."""
from datetime import date, datetime, timezone
import io
import logging
from pathlib import Path
import re
import subprocess

from pypdf import PdfReader
import pytest
from sqlalchemy import select

from reporting.database import write_transaction
from reporting.extensions import db
from reporting.models import Country
from reporting.reports.content import country_responses, cycle_content
from reporting.reports.aggregation import StatusCounts
from reporting.reports.render import Renderer, StaticFilesOnly, template_helpers
from reporting.reports.services import ReportError

from .conftest import FRENCH_TEXT, GERMAN_TEXT, embedded_fonts, make_cycle, outline_titles, pdf_text, render_pdf, render_profile

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
REPORT = "reports/pdf/cycle_report.html"
SCRIPTS = {"ar": "[\u0600-\u06ff]", "zh": "[\u4e00-\u9fff]", "ru": "[\u0400-\u04ff]"}
# Germany, as CLDR names it in each language: it is in every report's list of reporting Member States.
GERMANY = {"ar": "ألمانيا", "zh": "德国", "en": "Germany", "fr": "Allemagne", "ru": "Германия", "es": "Alemania"}


def lines(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def report(app, cycles):
    return render_pdf(app, REPORT, "en", content=cycle_content(cycles[1]))


def test_report_figures_and_headings(report):
    text = lines(pdf_text(report.pdf))
    for heading in ("Progress report, 2026 reporting cycle", "Contents", "Executive summary",
                    "Demand reduction and related measures", "Prevention of drug use", "EU–CELAC cooperation",
                    "Annex I. Methodology and response rates", "Annex II. Reporting Member States",
                    "Annex III. Text of the commitments"):
        assert heading in text
    assert "Draft — includes submitted responses not yet accepted" in text
    assert "4 of 193 (2%)" in text  # FRA, DEU, GBR (submitted), NGA
    assert "4 Member States had their responses counted for the 2026 reporting cycle, a response rate of 2%." in text
    # Every question has fewer than 5 applicable replies: no share, no change, and the report says so.
    assert "No policy question has at least 5 applicable replies yet, so no share is given." in text
    assert "All policy questions 0 (+3) too few replies – 0" in text
    # Question rows: replies, base (without "not applicable"), the five statuses, share, change, countries compared.
    # Each question cites its commitments by document and paragraph, never by register id.
    assert "UNGASS 2016 outcome document, paragraph 1 (a) 4 4 1 0 1 2 0 too few replies too few replies 3" in text
    assert "Plan of Action 2009, Action 2 (c) 4 3 0 1 1 1 1 too few replies – 0" in text
    assert "paragraph 8 2 2 0 0 1 1 0 too few replies – 0" in text  # 2 replies of the 60 EU and CELAC Member States
    assert not re.search(r"\b[a-z]+20\d\d[-.]", text)
    # The indicator: 100, 300, 50, 1000 people (a quantity: summed); the previous cycle's median 200.
    assert "people 4 1,450 200 50 1,000 200" in text
    # Scope stated truly: every document the questionnaire covers, and its version.
    assert ("annual report questionnaire (version 1.0.0) on the commitments of: Plan of Action 2009, "
            "UNGASS 2016 outcome document and Sofia Declaration 2018 (EU–CELAC)") in text
    for rule in ("Denominators and “not applicable”", "Minimum number of replies", "Changes between cycles"):
        assert rule in text
    assert "France Germany United Kingdom of Great Britain and Northern Ireland" in text and "Nigeria" in text and "Mexico" not in text
    assert "Take effective and practical primary prevention measures that protect people from drug use." in text
    assert "UNGASS 2016 outcome document, paragraph 1 (a)" in text


def test_bookmarks_table_of_contents_and_page_numbers(report):
    titles = outline_titles(report.pdf)
    assert titles[:3] == ["Contents", "Executive summary", "Demand reduction and related measures"]
    assert titles[3] == ["Prevention of drug use"]
    assert titles[4:6] == ["Supply reduction and related measures", ["EU–CELAC cooperation"]]
    assert titles[-3:] == ["Annex I. Methodology and response rates", "Annex II. Reporting Member States",
                           "Annex III. Text of the commitments"]
    reader = PdfReader(io.BytesIO(report.pdf))
    contents = lines(reader.pages[1].extract_text())
    assert re.search(r"Executive summary \.+ ?3", contents)
    assert lines(reader.pages[2].extract_text()).rstrip().endswith("3")  # the page number in the footer


def test_fonts_are_embedded_subsets_and_metadata_is_set(report):
    fonts = embedded_fonts(report.pdf)
    assert fonts and all(fonts.values())
    assert all(re.match(r"/[A-Z]{6}\+", name) for name in fonts)
    reader = PdfReader(io.BytesIO(report.pdf))
    assert reader.metadata.title == "Progress report, 2026 reporting cycle"
    assert reader.metadata.creation_date.date() == date.today()
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert report.pages == len(reader.pages) and not report.missing_glyphs


def test_published_report_counts_accepted_only_and_is_not_a_draft(app, cycles):
    with write_transaction():
        cycles[1].state = "published"
        cycles[1].published_at = datetime(2026, 9, 1, tzinfo=timezone.utc)
    pdf = render_pdf(app, REPORT, "en", content=cycle_content(cycles[1])).pdf
    text = lines(pdf_text(pdf))
    assert "Draft" not in text
    assert "3 of 193 (2%)" in text and "United Kingdom" not in text
    assert PdfReader(io.BytesIO(pdf)).metadata.creation_date.date() == date(2026, 9, 1)


def test_cycle_without_responses_is_a_valid_report(app, db):
    pdf = render_pdf(app, REPORT, "en", content=cycle_content(make_cycle("2027", date(2027, 6, 30)))).pdf
    text = lines(pdf_text(pdf))
    assert "No response has been counted for this reporting cycle yet, so no share or change can be given." in text
    assert "0 of 193 (0%)" in text
    assert "No Member State has had its response counted for this reporting cycle yet." in text


def profile(app, cycle, iso3: str, language: str = "en") -> str:
    country = db.session.scalar(select(Country).where(Country.iso3 == iso3))
    content = cycle_content(cycle)
    response = country_responses(cycle, [country])[0]
    return lines(pdf_text(render_profile(app, language, content, response).pdf))


def test_country_profile_holds_its_own_free_text_only(app, cycles):
    france, germany = profile(app, cycles[1], "FRA"), profile(app, cycles[1], "DEU")
    assert FRENCH_TEXT in france
    assert GERMAN_TEXT not in france
    assert GERMAN_TEXT in germany
    assert FRENCH_TEXT not in germany
    assert "Commentaire français" not in france  # section comments: in the answers export, not in the profile
    assert "France reported on 3 policy questions." in france
    # Its status beside its status at its previous accepted submission (2025: in progress), in the pillar's table.
    assert "Statuses changed since its accepted submission of the 2025 cycle: 1 moved forward, 0 moved back." in france
    assert "Implemented 2025: In progress " + FRENCH_TEXT in france
    # Against the region and the world, all replies pooled: its own 3 are too few for a bar, Europe's 7 are not.
    assert "All policy questions France too few replies n = 3 Europe n = 7 World n = 9" in france
    assert not re.search(r"\b[a-z]+20\d\d[-.]", france)  # references, never register ids


def test_country_profile_of_a_response_that_does_not_count(app, cycles):
    text = profile(app, cycles[1], "MEX")
    assert "Mexico has no response counted for the 2026 reporting cycle, nor accepted answers in the previous cycle." in text
    assert "[DEMO]" not in text and "Measures reported" not in text


@pytest.mark.parametrize("language", ["ar", "zh", "en", "fr", "ru", "es"])
def test_every_language_has_text_in_its_script_and_no_missing_glyph(app, cycles, language, caplog):
    caplog.set_level(logging.WARNING, logger="weasyprint")
    rendered = render_pdf(app, REPORT, language, content=cycle_content(cycles[1]))
    text = pdf_text(rendered.pdf)
    assert GERMANY[language] in text
    if language in SCRIPTS:
        assert len(re.findall(SCRIPTS[language], text)) > 20
    assert not rendered.missing_glyphs and ".notdef" not in caplog.text
    assert all(embedded_fonts(rendered.pdf).values())
    reader = PdfReader(io.BytesIO(rendered.pdf))
    assert reader.trailer["/Root"]["/Lang"] == ("zh-CN" if language == "zh" else language)
    assert "Take effective and practical primary prevention measures" in lines(text)  # quoted in English
    if language in ("ar", "zh"):
        keep_page_images(rendered.pdf, f"report-{language}")


def keep_page_images(pdf: bytes, name: str, pages: tuple[int, int] = (1, 4)) -> None:
    """PNG renders of the first pages (pdftoppm, as a reader would see them), kept in test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    source = ARTIFACTS / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", str(pages[0]), "-l", str(pages[1]), str(source), str(ARTIFACTS / name)], check=True)
    images = sorted(ARTIFACTS.glob(f"{name}-*.png"))
    assert len(images) >= pages[1] - pages[0] + 1 and all(image.stat().st_size > 10_000 for image in images)


def test_arabic_report_is_right_to_left_with_mirrored_bars(app, cycles):
    renderer = Renderer(app)
    content = cycle_content(cycles[1])
    arabic, english = (renderer.html(REPORT, language, content=content) for language in ("ar", "en"))
    assert '<html lang="ar" dir="rtl">' in arabic and '<html lang="en" dir="ltr">' in english
    assert 'font-family: "Noto Naskh Arabic", "Noto Sans", "Noto Sans CJK SC"' in arabic
    assert '<p lang="en" dir="ltr">Take effective' in arabic
    assert "@top-right { content: string(doctitle)" in arabic and "@top-left { content: string(doctitle)" in english
    # With 4 applicable replies, ungass2016.1.a gets no bar but "too few replies", in both languages.
    assert '<rect x="0.000" y="0" width="25.000"' not in english and "too few replies" in english
    # A bar of 8 replies, 2 of them not started, starts at the left edge in English and at the right in Arabic.
    counts = StatusCounts({"not_started": 2, "implemented": 6})
    helpers = {language: template_helpers(language) for language in ("ar", "en")}
    assert '<rect x="0.000" y="0" width="25.000" height="10" fill="#c0504d"/>' in helpers["en"]["status_bar"](counts)
    assert '<rect x="75.000" y="0" width="25.000" height="10" fill="#c0504d"/>' in helpers["ar"]["status_bar"](counts)


def test_a_failing_template_names_the_file_and_line(app, cycles, monkeypatch):
    from reporting.reports import render

    def broken(_value):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(render, "_percent", broken)
    with pytest.raises(ReportError, match=r"template error in reports/pdf/_report_body\.html:\d+: ZeroDivisionError"):
        Renderer(app).html(REPORT, "en", content=cycle_content(cycles[1]))


def test_reports_load_nothing_but_the_apps_static_files(app):
    fetcher = StaticFilesOnly()
    assert b"table-layout: fixed" in fetcher.fetch(render_static("reports/print.css")).read()
    for url in ("file:///etc/passwd", "https://example.org/style.css", render_static("../templates/base.html")):
        with pytest.raises(ValueError, match="may only load the app's static files"):
            fetcher.fetch(url)
    with pytest.raises(ReportError, match="may only load the app's static files"):
        Renderer(app).pdf('<img src="https://example.org/logo.png">')


def render_static(path: str) -> str:
    from reporting.reports.render import BASE_URL

    return BASE_URL + path


def test_profile_excerpts_keep_their_own_direction_and_break_at_a_word():
    from reporting.reports.profiles import excerpt, writing_direction

    assert writing_direction("12: برنامج وطني [DEMO]") == "rtl" and writing_direction("« Plan national »") == "ltr"
    assert excerpt("short text") == "short text"
    cut = excerpt("word " * 60)
    assert cut.endswith("word…") and len(cut) <= 151
    assert excerpt("禁毒" * 100) == "禁毒" * 37 + "禁…"  # a Chinese character takes two columns: 150 columns, 75 characters

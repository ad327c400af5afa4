"""Reports that must still build and say what is missing: no accepted answers, a previous cycle on
another questionnaire version, a country that answered only the previous cycle."""
import copy
from datetime import date
import re

from sqlalchemy import select

from reporting.extensions import db
from reporting.models import Country
from reporting.reports.content import country_responses, cycle_content
from reporting.reports.render import Renderer

from .conftest import SPEC, S1, S2, fill, make_cycle, pdf_text, render_pdf, render_profile

REPORT = "reports/pdf/cycle_report.html"
COUNTRIES = ("FRA", "DEU", "ITA", "ESP", "POL", "NGA", "KEN", "BRA")


def text_of(pdf: bytes) -> str:
    return re.sub(r"\s+", " ", pdf_text(pdf))


def test_no_accepted_answers_gives_a_report_without_empty_charts(app, db):
    cycle = fill(make_cycle("2027", date(2027, 6, 30), state="published"), {"FRA": ("submitted", {S1: "implemented"})})
    content = cycle_content(cycle)
    assert not content.has_replies and content.world.spread().questions == 0 and content.world.change is None
    html = Renderer(app).html(REPORT, "en", content=content)
    assert '<svg class="bar"' not in html  # no chart drawn over nothing
    text = text_of(render_pdf(app, REPORT, "en", content=content).pdf)
    assert "No response has been counted for this reporting cycle yet, so no share or change can be given." in text
    france = db.session.scalar(select(Country).where(Country.iso3 == "FRA"))
    profile = text_of(render_profile(app, "en", content, country_responses(cycle, [france])[0]).pdf)
    assert "France has no response counted for the 2027 reporting cycle" in profile


def test_previous_cycle_on_another_questionnaire_version(app, db):
    """2.0-style: one policy question covers the two commitments that 1.0 asked separately; a new question
    covers a commitment not asked before. Changes go through the mapping; the new question is reported as new."""
    new = copy.deepcopy(SPEC)
    new["version"] = "2.0.0"
    section = new["pillars"][0]["sections"][0]
    section["items"] = [
        {"key": "q.prevention.status", "kind": "status", "commitments": [S1.removesuffix(".status"), S2.removesuffix(".status")],
         "label": "Prevention that respects human rights", "required": True},
        {"key": "q.new.status", "kind": "status", "commitments": ["pd2009.36.b"], "label": "A new question"},
    ]
    new["commitments"]["pd2009.36.b"] = {"document": "pd2009", "label": "(b)", "title": "Reduce illicit demand",
                                         "text": "Illicit demand for narcotic drugs and psychotropic substances;"}
    # 1.0.0: both commitments asked; a country's previous status counts where its two answers agree.
    before = {iso3: ("accepted", {S1: "in_progress", S2: "in_progress"}) for iso3 in COUNTRIES}
    before["BRA"] = ("accepted", {S1: "implemented", S2: "planned"})  # disagree: not compared
    fill(make_cycle("2025", date(2025, 6, 30), state="published"), before)
    now = {iso3: ("accepted", {"q.prevention.status": "implemented", "q.new.status": "planned"}) for iso3 in COUNTRIES}
    cycle = fill(make_cycle("2026", date(2026, 6, 30), state="published", spec=new), now)
    content = cycle_content(cycle)
    prevention, added = content.pillars[0].questions
    pairs = prevention.pairs_at()
    assert (pairs.countries, pairs.implemented_before, pairs.implemented_now) == (7, 0, 7)
    assert prevention.change == 100
    assert added.pairs is None and content.new_questions == 1  # the EU–CELAC question keeps its key
    text = text_of(render_pdf(app, REPORT, "en", content=content).pdf)
    assert "The 2025 cycle used version 1.0.0 of the questionnaire and this cycle version 2.0.0" in text
    assert "new question" in text


def test_a_country_with_answers_only_in_the_previous_cycle(app, db):
    fill(make_cycle("2025", date(2025, 6, 30), state="published"),
         {"GBR": ("accepted", {S1: "implemented", "ungass2016.1.a.measures": "National prevention strategy 2024"})})
    cycle = fill(make_cycle("2026", date(2026, 6, 30)), {"FRA": ("accepted", {S1: "planned"})})
    content = cycle_content(cycle)
    britain = db.session.scalar(select(Country).where(Country.iso3 == "GBR"))
    response = country_responses(cycle, [britain])[0]
    assert response.answers_from == "2025" and response.answers[S1] == "implemented" and not response.counted
    text = text_of(render_profile(app, "en", content, response).pdf)
    assert "has no response counted for the 2026 reporting cycle. This profile shows its accepted answers of the 2025 cycle." in text
    assert "National prevention strategy 2024" in text
    # The cycle report counts this cycle only: the previous answers do not enter its figures.
    assert content.coverage[content.areas[0]].reporting == 1

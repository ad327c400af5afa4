"""A small hand-made cycle: six countries, three commitments, one indicator.

Expected figures in the tests are computed by hand from ``ANSWERS`` below.
"""
from datetime import date
import io

import pytest
from sqlalchemy import select

from reporting.database import write_transaction
from reporting.extensions import db
from reporting.models import Answer, Country, Cycle, SpecVersion, Submission

SPEC = {
    "spec_id": "arq-test",
    "version": "1.0.0",
    "register_checksum": "0" * 64,
    "title": "Test questionnaire",
    "pillars": [
        {
            "key": "demand_reduction",
            "title": "Demand reduction and related measures",
            "sections": [
                {
                    "key": "demand_reduction.prevention",
                    "title": "Prevention of drug use",
                    "chapter": 1,
                    "scope": ["global"],
                    "context": [],
                    "items": [
                        {"key": "ungass2016.1.a.status", "kind": "status", "commitments": ["ungass2016.1.a"],
                         "label": "Implementation status", "required": True},
                        {"key": "ungass2016.1.a.measures", "kind": "text", "commitments": ["ungass2016.1.a"],
                         "label": "Measures taken"},
                        {"key": "poa2009.I.2.c.status", "kind": "status", "commitments": ["poa2009.I.2.c"],
                         "label": "Implementation status"},
                        {"key": "poa2009.I.2.c.indicator.1", "kind": "number", "commitments": ["poa2009.I.2.c"],
                         "label": "People in drug treatment", "number": {"type": "integer", "unit": "people", "min": 0}},
                        {"key": "demand_reduction.prevention.comments", "kind": "comment", "commitments": [],
                         "label": "Comments"},
                    ],
                    "checks": [],
                }
            ],
        },
        {
            "key": "supply_reduction",
            "title": "Supply reduction and related measures",
            "sections": [
                {
                    "key": "supply_reduction.sofia",
                    "title": "EU–CELAC cooperation",
                    "chapter": 3,
                    "scope": ["eu", "celac"],
                    "context": [],
                    "items": [
                        {"key": "sofia2018.8.status", "kind": "status", "commitments": ["sofia2018.8"],
                         "label": "Implementation status"},
                    ],
                    "checks": [],
                }
            ],
        },
    ],
    "commitments": {
        "ungass2016.1.a": {"document": "ungass2016", "label": "(a)", "title": "Primary prevention measures",
                           "text": "Take effective and practical primary prevention measures that protect people from drug use."},
        "poa2009.I.2.c": {"document": "poa2009", "label": "(c)", "title": "Human rights in demand reduction",
                            "text": "Ensure that demand reduction measures respect human rights and the dignity of the person."},
        "sofia2018.8": {"document": "sofia2018", "label": "8", "title": "Improve the ARQ",
                        "text": "Review and improve the Annual Report Questionnaire in light of the UNGASS recommendations."},
    },
}

S1, S2, S3, N1 = "ungass2016.1.a.status", "poa2009.I.2.c.status", "sofia2018.8.status", "poa2009.I.2.c.indicator.1"
MEASURES, COMMENTS = "ungass2016.1.a.measures", "demand_reduction.prevention.comments"
FRENCH_TEXT = "Stratégie nationale de prévention en milieu scolaire"
GERMAN_TEXT = "Bundesweites Präventionsprogramm Kenntnisreich"

# Current cycle (closed, so a draft report counts submitted + accepted):
#   FRA 150/155 accepted, DEU 150/155 accepted, GBR 150/154 submitted, NGA 2/202 accepted;
#   MEX in progress, JPN returned and PSE (observer State) never count.
ANSWERS = {
    "FRA": ("accepted", {S1: "implemented", S2: "in_progress", N1: 100, S3: "implemented",
                         MEASURES: FRENCH_TEXT, COMMENTS: "Commentaire français"}),
    "DEU": ("accepted", {S1: "implemented", S2: "planned", N1: 300, S3: "in_progress", MEASURES: GERMAN_TEXT}),
    "GBR": ("submitted", {S1: "in_progress", S2: "not_applicable", N1: 50}),
    "NGA": ("accepted", {S1: "not_started", S2: "implemented", N1: 1000}),
    "MEX": ("in_progress", {S1: "implemented", N1: 7}),
    "JPN": ("returned", {S1: "implemented"}),
    "PSE": ("accepted", {S1: "implemented", N1: 99999}),
}
# Previous cycle (published: accepted only): FRA in progress, DEU implemented, GBR planned; ITA submitted.
PREVIOUS_ANSWERS = {
    "FRA": ("accepted", {S1: "in_progress"}),
    "DEU": ("accepted", {S1: "implemented", N1: 200}),
    "GBR": ("accepted", {S1: "planned"}),
    "ITA": ("submitted", {S1: "implemented"}),
}


def make_cycle(label: str, deadline: date, state: str = "closed", spec: dict = SPEC) -> Cycle:
    with write_transaction():
        version = db.session.scalar(select(SpecVersion).where(SpecVersion.version == spec["version"]))
        if version is None:
            version = SpecVersion(spec_id=spec["spec_id"], version=spec["version"],
                                  register_checksum=spec["register_checksum"], content_sha256="0" * 64, content=spec)
            db.session.add(version)
        cycle = Cycle(label=label, spec_version=version, state=state, deadline=deadline)
        db.session.add(cycle)
    return cycle


def make_submission(cycle: Cycle, iso3: str, state: str, answers: dict) -> Submission:
    with write_transaction():
        country = db.session.scalar(select(Country).where(Country.iso3 == iso3))
        submission = Submission(cycle_id=cycle.id, country_id=country.id, state=state)
        submission.answers = [Answer(key=key, value=value) for key, value in answers.items()]
        db.session.add(submission)
    return submission


def fill(cycle: Cycle, answers: dict) -> Cycle:
    for iso3, (state, values) in answers.items():
        make_submission(cycle, iso3, state, values)
    return cycle


@pytest.fixture
def cycles(db):
    """(previous, current): 2025 published, 2026 closed."""
    previous = fill(make_cycle("2025", date(2025, 6, 30), state="published"), PREVIOUS_ANSWERS)
    current = fill(make_cycle("2026", date(2026, 6, 30)), ANSWERS)
    return previous, current


# --- PDFs -------------------------------------------------------------------------------------------

def render_pdf(app, template: str, language: str, **context):
    from reporting.reports.render import Renderer

    return Renderer(app).render(template, language, **context)


def render_profile(app, language: str, content, response):
    """A country profile as the build renders it: from its region's ``ProfileContent`` and its own answers."""
    from reporting.reports.profiles import profile_content

    return render_pdf(app, "reports/pdf/country_profile.html", language,
                      content=profile_content(content, response.place.region_m49), response=response)


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def outline_titles(data: bytes) -> list:
    """The PDF bookmarks as nested lists of titles."""
    from pypdf import PdfReader

    def walk(entries):
        return [walk(entry) if isinstance(entry, list) else entry.title for entry in entries]

    return walk(PdfReader(io.BytesIO(data)).outline)


def embedded_fonts(data: bytes) -> dict[str, bool]:
    """Every font the pages use → whether its program is embedded (as a subset, named ABCDEF+Name)."""
    from pypdf import PdfReader

    fonts: dict[str, bool] = {}

    def visit(resources):
        resources = resources.get_object() if resources else {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            descriptor = (font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font).get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            fonts[font["/BaseFont"]] = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
        for xobject in (resources.get("/XObject") or {}).values():
            visit(xobject.get_object().get("/Resources"))

    for page in PdfReader(io.BytesIO(data)).pages:
        visit(page.get("/Resources"))
    return fonts

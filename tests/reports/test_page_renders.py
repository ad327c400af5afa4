"""Page renders to look at: the executive summary, a 2019-target page and a country profile in English,
Arabic and Chinese (pdftoppm PNGs in test-artifacts/), from a full cycle: the real questionnaire
(arq-2.0.0) answered in full by all 193 Member States in two cycles, with examples of measures marked;
and the profile of a country answering everything is short."""
from datetime import date
import io
from pathlib import Path
import random
import subprocess

from pypdf import PdfReader
import pytest
import yaml
from sqlalchemy import insert, select

from forms.spec import Spec
from reporting.database import write_transaction
from reporting.demo.services import complete_answers
from reporting.extensions import db
from reporting.models import Answer, Country, MeasureExample, Submission
from reporting.reports.content import country_responses, cycle_content

from .conftest import make_cycle, render_pdf, render_profile

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SPEC_FILE = ROOT / "questionnaire_specs" / "arq-2.0.0.yaml"  # the real questionnaire, with its indicator tables
MEASURES = "prevention-programmes.measures"


def fill_everyone(cycle, spec: dict, seed: str) -> None:
    """Every Member State answers everything that applies to it, every measures text filled."""
    countries = db.session.scalars(select(Country).where(Country.is_member_state)).all()
    with write_transaction():
        for country in countries:
            submission = Submission(cycle_id=cycle.id, country_id=country.id, state="accepted")
            db.session.add(submission)
            db.session.flush()
            answers = complete_answers(Spec(spec), country, random.Random(f"{seed}:{country.iso3}"))
            db.session.execute(insert(Answer), [{"submission_id": submission.id, "key": key, "value": value}
                                                for key, value in answers.items()])


def mark_examples(cycle) -> None:
    texts = {"FRA": ("fr", "Plan national de mobilisation contre les addictions 2023–2027 : prévention en milieu scolaire."),
             "MEX": ("es", "Estrategia nacional de prevención de adicciones «Juntos por la paz», en todas las escuelas."),
             "EGY": ("ar", "برنامج وطني للوقاية من تعاطي المخدرات في المدارس والجامعات.")}
    with write_transaction():
        for iso3, (language, text) in texts.items():
            submission = db.session.scalar(select(Submission).join(Country).where(
                Submission.cycle_id == cycle.id, Country.iso3 == iso3))
            existing = db.session.scalar(select(Answer).where(Answer.submission_id == submission.id,
                                                              Answer.key == MEASURES))
            if existing:
                existing.value = text
            else:
                db.session.add(Answer(submission_id=submission.id, key=MEASURES, value=text))
            db.session.add(MeasureExample(submission_id=submission.id, key=MEASURES, language=language))


def page_of(pdf: bytes, title: str) -> int:
    reader = PdfReader(io.BytesIO(pdf))

    def walk(entries):
        for entry in entries:
            if isinstance(entry, list):
                yield from walk(entry)
            else:
                yield entry

    for entry in walk(reader.outline):
        if entry.title.startswith(title):
            return reader.get_destination_page_number(entry) + 1
    raise AssertionError(f"no bookmark {title!r}")


def png(pdf: bytes, name: str, page: int) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    source = ARTIFACTS / f"{name}.pdf"
    source.write_bytes(pdf)
    target = ARTIFACTS / name
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-singlefile", "-f", str(page), "-l", str(page), str(source), str(target)],
                   check=True)
    image = target.with_suffix(".png")
    assert image.stat().st_size > 15_000
    return image


@pytest.fixture
def realistic(db):
    with SPEC_FILE.open(encoding="utf-8") as handle:
        spec = yaml.load(handle, Loader=yaml.CSafeLoader)
    previous = make_cycle("2025", date(2025, 6, 30), state="published", spec={**spec, "version": "1.9.0"})
    fill_everyone(previous, spec, "2025")
    current = make_cycle("2026", date(2026, 6, 30), spec=spec)
    fill_everyone(current, spec, "2026")
    mark_examples(current)
    return current


@pytest.mark.parametrize("language", ["en", "ar", "zh"])
def test_page_renders(app, realistic, language):
    content = cycle_content(realistic)
    report = render_pdf(app, "reports/pdf/cycle_report.html", language, content=content)
    assert not report.missing_glyphs
    reader = PdfReader(io.BytesIO(report.pdf))
    titles = [entry.title for entry in reader.outline if not isinstance(entry, list)]
    summary_title = titles[1]
    png(report.pdf, f"page-summary-{language}", page_of(report.pdf, summary_title))
    targets_title = titles[len(content.pillars) + 2]
    png(report.pdf, f"page-target-{language}", page_of(report.pdf, targets_title))
    france = db.session.scalar(select(Country).where(Country.iso3 == "FRA"))
    profile = render_profile(app, language, content, country_responses(realistic, [france])[0])
    # A country answering everything on arq-2.0.0, every measures text filled: at most 8 pages.
    assert profile.pages <= 8 and not profile.missing_glyphs
    png(profile.pdf, f"page-profile-{language}", 1)


def test_profiles_stay_within_8_pages_in_the_longer_languages(app, realistic):
    """French, Spanish and Russian run a fifth longer than English: the profile is laid out for them too."""
    content = cycle_content(realistic)
    for iso3 in ("FRA", "MEX"):
        country = db.session.scalar(select(Country).where(Country.iso3 == iso3))
        response = country_responses(realistic, [country])[0]
        for language in ("fr", "es", "ru"):
            profile = render_profile(app, language, content, response)
            assert profile.pages <= 8 and not profile.missing_glyphs, (iso3, language, profile.pages)

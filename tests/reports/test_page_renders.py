"""Page renders to look at: the executive summary, a 2019-target page and a country profile in English,
Arabic and Chinese (pdftoppm PNGs in test-artifacts/), from a realistic cycle: part of arq-1.0.0 (the
sections that carry the 2019 targets and a regional module) answered by all 193 Member States in two
cycles, with examples of measures marked."""
from datetime import date
import io
from pathlib import Path
import random
import subprocess

from pypdf import PdfReader
import pytest
import yaml
from sqlalchemy import insert, select

from reporting.countries.services import country_scopes
from reporting.database import write_transaction
from reporting.extensions import db
from reporting.models import Answer, Country, MeasureExample, Submission
from reporting.questionnaire.scale import STATUS_VALUES
from reporting.reports.content import country_responses, cycle_content

from .conftest import make_cycle, render_pdf

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SECTIONS = ("dr-prevention", "dr-policy", "dr-eu-celac", "sr-cultivation", "sr-trafficking", "ic-money-laundering")


def partial_spec() -> dict:
    with (ROOT / "questionnaire_specs" / "arq-1.0.0.yaml").open(encoding="utf-8") as handle:
        spec = yaml.load(handle, Loader=yaml.CSafeLoader)
    pillars = []
    for pillar in spec["pillars"]:
        sections = [section for section in pillar["sections"] if section["key"] in SECTIONS]
        if sections:
            pillars.append({**pillar, "sections": sections})
    used = {cid for pillar in pillars for section in pillar["sections"] for item in section["items"] for cid in item["commitments"]}
    return {**spec, "version": "1.0.0", "spec_id": "arq-pages", "pillars": pillars,
            "commitments": {cid: record for cid, record in spec["commitments"].items() if cid in used}}


def answer(item: dict, maturity: float, rng: random.Random, iso3: str):
    kind = item["kind"]
    if kind == "status":
        weights = [1 - maturity, 0.6, 0.8, 2 * maturity, 0.25]
        return rng.choices(STATUS_VALUES, weights)[0]
    if kind == "text":
        return f"[TEST] {iso3}: national measures on this commitment, with a programme, a budget and an evaluation." if rng.random() < 0.5 else None
    if kind == "single_choice":
        return rng.choices([choice["value"] for choice in item["choices"]], [3, 3, 2, 2])[0]
    if kind == "multiple_choice":
        return sorted(choice["value"] for choice in item["choices"] if rng.random() < 0.45) or None
    if kind == "number":
        number = item["number"]
        low, high = number.get("min", 0), number.get("max", 1000)
        return rng.randint(int(low), int(high))
    return None


def fill_everyone(cycle, spec: dict, seed: str, shift: float) -> None:
    countries = db.session.scalars(select(Country).where(Country.is_member_state)).all()
    with write_transaction():
        for country in countries:
            rng = random.Random(f"{seed}:{country.iso3}")
            if rng.random() < 0.1:
                continue
            submission = Submission(cycle_id=cycle.id, country_id=country.id, state="accepted")
            db.session.add(submission)
            db.session.flush()
            scopes = country_scopes(country)
            maturity = min(1.0, rng.random() * 0.8 + shift)
            rows = []
            for pillar in spec["pillars"]:
                for section in pillar["sections"]:
                    if "global" not in section["scope"] and not scopes.intersection(section["scope"]):
                        continue
                    for item in section["items"]:
                        value = answer(item, maturity, rng, country.iso3)
                        if value is not None:
                            rows.append({"submission_id": submission.id, "key": item["key"], "value": value})
            db.session.execute(insert(Answer), rows)


def mark_examples(cycle) -> None:
    texts = {"FRA": ("fr", "Plan national de mobilisation contre les addictions 2023–2027 : prévention en milieu scolaire."),
             "MEX": ("es", "Estrategia nacional de prevención de adicciones «Juntos por la paz», en todas las escuelas."),
             "EGY": ("ar", "برنامج وطني للوقاية من تعاطي المخدرات في المدارس والجامعات.")}
    with write_transaction():
        for iso3, (language, text) in texts.items():
            submission = db.session.scalar(select(Submission).join(Country).where(
                Submission.cycle_id == cycle.id, Country.iso3 == iso3))
            existing = db.session.scalar(select(Answer).where(Answer.submission_id == submission.id,
                                                              Answer.key == "pd2009.14.measures"))
            if existing:
                existing.value = text
            else:
                db.session.add(Answer(submission_id=submission.id, key="pd2009.14.measures", value=text))
            db.session.add(MeasureExample(submission_id=submission.id, key="pd2009.14.measures", language=language))


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
    spec = partial_spec()
    previous = make_cycle("2025", date(2025, 6, 30), state="published", spec={**spec, "version": "0.9.0"})
    fill_everyone(previous, spec, "2025", 0.0)
    current = make_cycle("2026", date(2026, 6, 30), spec=spec)
    fill_everyone(current, spec, "2026", 0.15)
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
    profile = render_pdf(app, "reports/pdf/country_profile.html", language, content=content,
                         response=country_responses(realistic, [france])[0])
    assert profile.pages <= 8 and not profile.missing_glyphs
    png(profile.pdf, f"page-profile-{language}", 1)

"""Cycle progress report speed, on a full cycle: all 193 Member States answering
every question of the real questionnaire (arq-2.0.0, with its indicator tables),
every "measures taken" filled, and a previous cycle answered the same way (for
the trend figures and the profiles' changes).

Prints, as medians over ``--repeat`` runs:
- aggregation: the current cycle's SQL (status distributions, indicators,
  coverage, by world, region and sub-region) against one raw
  ``GROUP BY key, value`` over the same answers (target ≤ 2×, under 1 s); and
  the whole report content (both cycles, arranged by the spec);
- templating (Jinja), WeasyPrint (layout + PDF), pages, pages per second, PDF size;
- the report's WeasyPrint step against bare ``weasyprint.HTML(string=…).write_pdf()``
  on the same HTML (target ≤ 1.15×);
- the peak resident memory of the process.

Run from the repository root: ``.venv/bin/python benchmarks/report_build.py [--lang en] [--repeat 3]``
"""
import argparse
from datetime import date
from pathlib import Path
import random
import resource
import statistics
import sys
import tempfile
import time

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reporting import create_app  # noqa: E402

SEED = 2026
SPEC_FILE = "arq-2.0.0.yaml"  # the real questionnaire
# Countries with the most modules: an EU member (Europe), a CELAC member (Latin America), an African State.
PROFILE_COUNTRIES, PROFILE_LANGUAGES = ("FRA", "MEX", "KEN"), ("en", "ar", "zh")


def median_time(function, repeat: int) -> tuple[float, object]:
    """Median seconds over ``repeat`` runs (after one warm-up run), and the last result."""
    result = function()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), result


def answer_everything(cycle, spec, countries, seed: str) -> int:
    """Every Member State's accepted response to every question that applies to it, every
    "measures taken" filled (``reporting.demo.services.complete_answers``)."""
    from sqlalchemy import insert

    from reporting.demo.services import complete_answers
    from reporting.extensions import db
    from reporting.models import Answer, Submission

    rows = []
    for country in countries:
        submission = Submission(cycle_id=cycle.id, country_id=country.id, state="accepted")
        db.session.add(submission)
        db.session.flush()
        answers = complete_answers(spec, country, random.Random(f"{seed}:{country.iso3}"))
        rows += [{"submission_id": submission.id, "key": key, "value": value} for key, value in answers.items()]
    db.session.execute(insert(Answer), rows)
    return len(rows)


def build_data() -> tuple[object, int]:
    """Two cycles (BENCH-PREVIOUS published, BENCH closed) on the real questionnaire, arq-2.0.0 with
    its indicator tables, answered in full by the 193 Member States; the statuses differ between them."""
    from sqlalchemy import select

    from forms.spec import Spec
    from reporting.countries.services import load_countries
    from reporting.database import write_transaction
    from reporting.extensions import db
    from reporting.models import Country, Cycle
    from reporting.questionnaire.schema import SPECS_DIR, load_spec
    from reporting.questionnaire.versions import activate_spec

    content = load_spec(SPECS_DIR / SPEC_FILE)
    version, _created = activate_spec(content)
    with write_transaction():
        load_countries()
    countries = list(db.session.scalars(select(Country).where(Country.is_member_state)))
    spec = Spec(content)
    answers = 0
    for label, deadline in (("BENCH-PREVIOUS", date(2025, 6, 30)), ("BENCH", date(2026, 6, 30))):
        with write_transaction():
            cycle = Cycle(label=label, spec_version_id=version.id, deadline=deadline,
                          state="published" if label == "BENCH-PREVIOUS" else "closed")
            db.session.add(cycle)
            db.session.flush()
            answers = answer_everything(cycle, spec, countries, f"{SEED}:{label}")
    return cycle, answers


def raw_group_by(cycle_id: int, states: tuple[str, ...]) -> list:
    """The baseline: one GROUP BY over the same answers, nothing else."""
    from sqlalchemy import text

    from reporting.extensions import db

    placeholders = ", ".join(f":s{i}" for i in range(len(states)))
    return db.session.execute(text(
        "SELECT a.key, a.value, count(*) FROM answers a JOIN submissions s ON s.id = a.submission_id "
        f"WHERE s.cycle_id = :cycle AND s.state IN ({placeholders}) GROUP BY a.key, a.value"
    ), {"cycle": cycle_id, **{f"s{i}": state for i, state in enumerate(states)}}).all()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default="en")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{scratch}/bench.sqlite3", "SECRET_KEY": "bench",
                          "REPORTS_DIR": f"{scratch}/reports"})
        with app.app_context():
            run(app, args.lang, args.repeat)


def run(app, language: str, repeat: int) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import select
    from weasyprint import HTML

    from reporting.extensions import db
    from reporting.models import Country

    from forms.spec import Spec
    from reporting.reports.aggregation import Geography, aggregate
    from reporting.reports.content import country_responses, cycle_content
    from reporting.reports.profiles import profile_content
    from reporting.reports.fonts import harfbuzz_subsetting
    from reporting.reports.render import BASE_URL, Renderer
    from reporting.reports.services import counted_states

    upgrade()
    started = time.perf_counter()
    cycle, answers = build_data()
    print(f"Data: 193 Member States, {answers:,} answers per cycle, two cycles "
          f"(generated in {time.perf_counter() - started:.1f} s); HarfBuzz subsetting: {harfbuzz_subsetting()}")

    spec = Spec(cycle.spec_version.content)
    items = spec.items_by_key.values()
    status_keys = [item["key"] for item in items if item["kind"] == "status"]
    number_keys = [item["key"] for item in items if item["kind"] == "number"]
    choice_keys = [item["key"] for item in items if item["kind"] in ("single_choice", "multiple_choice")]
    states = counted_states(cycle)
    geography = Geography.of_member_states([section.scope for section in spec.sections])
    raw, _rows = median_time(lambda: raw_group_by(cycle.id, states), repeat)
    sql, _figures = median_time(
        lambda: aggregate(cycle.id, states, status_keys, number_keys, geography, choice_keys), repeat)
    whole, content = median_time(lambda: cycle_content(cycle), repeat)
    print(f"Aggregation: {sql * 1000:.0f} ms for the cycle's figures in SQL against {raw * 1000:.0f} ms for one raw "
          f"GROUP BY: {sql / raw:.2f}× (target ≤ 2×, under 1 s); {len(geography.areas)} areas "
          f"(world, M49 regions and sub-regions, regional groups, scopes)")
    print(f"  whole report content (both cycles, like-for-like changes, {len(status_keys)} questions, "
          f"{sum(1 for item in items if item['kind'] == 'table')} indicator tables, {len(content.targets)} targets): {whole * 1000:.0f} ms")

    renderer = Renderer(app)
    template = "reports/pdf/cycle_report.html"
    templating, html = median_time(lambda: renderer.html(template, language, content=content), repeat)
    ours, (pdf, pages, _missing) = median_time(lambda: renderer.pdf(html), repeat)
    bare, _bare_pdf = median_time(lambda: HTML(string=html, base_url=BASE_URL).write_pdf(), repeat)
    print(f"Report ({language}): {pages} pages, {len(pdf) / 1e6:.2f} MB")
    print(f"  aggregation {whole:.2f} s · templating {templating:.2f} s · WeasyPrint {ours:.2f} s "
          f"· total {whole + templating + ours:.2f} s")
    print(f"  {pages / ours:.1f} pages/s in WeasyPrint, {pages / (whole + templating + ours):.1f} pages/s end to end")
    print(f"WeasyPrint step against bare weasyprint.HTML().write_pdf() on the same HTML: {ours:.2f} s / "
          f"{bare:.2f} s = {ours / bare:.2f}× (target ≤ 1.15×)")
    profile = "reports/pdf/country_profile.html"
    for profile_language in sorted({language, *PROFILE_LANGUAGES}):
        for iso3 in PROFILE_COUNTRIES:
            country = db.session.scalar(select(Country).where(Country.iso3 == iso3))
            response = country_responses(cycle, [country])[0]
            rendered = renderer.render(profile, profile_language, content=profile_content(content, country.region_m49),
                                       response=response)
            print(f"Country profile {iso3} ({profile_language}): {rendered.pages} pages (target ≤ 8 in English), "
                  f"templating {rendered.templating * 1000:.0f} ms, WeasyPrint {rendered.weasyprint:.2f} s "
                  f"({sum(1 for key in response.answers if key.endswith('.status'))} status answers, "
                  f"{sum(1 for key in response.answers if key.endswith('.measures'))} measures texts)")
    print(f"Peak memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()

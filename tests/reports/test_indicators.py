"""Indicator figures of the report from table answers: sums only where meaningful, medians and
ranges otherwise, "no data" apart, change over countries in both cycles, SDG 3.5.1 by region;
the answers export with one row per cell; the PDF chapter in English and Arabic."""
from datetime import date
from pathlib import Path
import re
import subprocess

import yaml

from reporting.models import Country
from reporting.reports.aggregation import WORLD, Area
from reporting.reports.content import country_responses, cycle_content
from reporting.reports.exports import answers_table
from reporting.reports.indicators import MIN_REPLIES

from .conftest import fill, make_cycle, pdf_text, render_pdf, render_profile

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
EUROPE, AFRICA, AMERICAS = Area("region", 150), Area("region", 2), Area("region", 19)

SPEC = yaml.safe_load("""
spec_id: arq-test
version: 2.0.0
register_checksum: "0000000000000000000000000000000000000000000000000000000000000000"
title: Test questionnaire
pillars:
  - key: supply_reduction
    title: Supply reduction and related measures
    sections:
      - key: sr-trafficking
        title: Law enforcement and illicit trafficking
        chapter: 3
        scope: [global]
        items:
          - key: ind.drug_seizures
            kind: table
            commitments: [poa2009.II.22.m]
            label: Drug seizures, by substance
            table:
              indicator: drug_seizures
              module: seizures_trafficking
              disaggregation: substance
              sdg: ["16.4.1"]
              rows: [{value: heroin, label: Heroin}, {value: cocaine_hcl, label: Cocaine hydrochloride}]
              columns: [{key: kg, label: Quantity seized, unit: kg, type: decimal}]
          - key: ind.drug_prices
            kind: table
            commitments: [poa2009.II.22.m]
            label: Drug prices and purity
            table:
              indicator: drug_prices
              module: price_purity
              disaggregation: substance
              reference_year: latest_available
              rows: [{value: heroin, label: Heroin}]
              columns: [{key: retail_price, label: Typical retail price, unit: usd_per_gram, type: decimal}]
  - key: demand_reduction
    title: Demand reduction and related measures
    sections:
      - key: dr-treatment
        title: Treatment
        chapter: 1
        scope: [global]
        items:
          - key: ind.treatment_persons
            kind: table
            commitments: [poa2009.I.10.a]
            label: People in treatment
            table:
              indicator: treatment_persons
              module: treatment
              disaggregation: substance
              sdg: ["3.5.1"]
              rows: [{value: heroin, label: Heroin}, {value: cannabis_herb, label: Cannabis herb}]
              columns: [{key: persons, label: People in treatment, unit: persons, type: integer}]
          - key: ind.drug_use_disorders
            kind: table
            commitments: [poa2009.I.10.a]
            label: People with drug use disorders
            table:
              indicator: drug_use_disorders
              module: drug_use_disorders
              disaggregation: substance
              sdg: ["3.5.1"]
              rows: [{value: heroin, label: Heroin}, {value: cannabis_herb, label: Cannabis herb}]
              columns: [{key: persons, label: People with drug use disorders, unit: persons, type: integer}]
commitments:
  poa2009.II.22.m: {document: poa2009, label: (m), title: Measurable supply reduction indicators, text: Establish indicators.}
  poa2009.I.10.a: {document: poa2009, label: (a), title: Access to treatment, text: Ensure access to treatment.}
""")


def seizures(heroin, cocaine=None):
    rows = {"heroin": {"kg": heroin}}
    if cocaine is not None:
        rows["cocaine_hcl"] = {"kg": cocaine}
    return {"rows": rows}


def price(value, year):
    return {"rows": {"heroin": {"retail_price": value}}, "year": year}


def treatment(heroin, cannabis):
    return {"rows": {"heroin": {"persons": heroin}, "cannabis_herb": {"persons": cannabis}}}


# Europe: FRA DEU ITA ESP GBR; Africa: NGA KEN; Americas: MEX. GBR is only submitted (counts in a closed cycle's
# draft report), MEX in progress (never counts), PSE is an observer State (never counts).
CURRENT = {
    "FRA": ("accepted", {"ind.drug_seizures": seizures(100, "no_data"), "ind.drug_prices": price(40, 2022),
                         "ind.treatment_persons": treatment(300, 200), "ind.drug_use_disorders": treatment(1000, 1000)}),
    "DEU": ("accepted", {"ind.drug_seizures": seizures(200, 50), "ind.drug_prices": price(60, 2024),
                         "ind.treatment_persons": treatment(100, 100)}),
    "ITA": ("accepted", {"ind.drug_seizures": seizures(300.5), "ind.drug_prices": price(50, 2023),
                         "ind.treatment_persons": treatment(50, 50), "ind.drug_use_disorders": treatment(500, 500)}),
    "ESP": ("accepted", {"ind.drug_seizures": seizures(0)}),
    "GBR": ("submitted", {"ind.drug_seizures": seizures(400)}),
    "NGA": ("accepted", {"ind.drug_seizures": seizures(1000), "ind.drug_prices": price(5, 2021)}),
    "KEN": ("accepted", {"ind.drug_seizures": seizures(10)}),
    "MEX": ("in_progress", {"ind.drug_seizures": seizures(99999)}),
    "PSE": ("accepted", {"ind.drug_seizures": seizures(77777)}),
}
PREVIOUS = {
    "FRA": ("accepted", {"ind.drug_seizures": seizures(50, 10), "ind.drug_prices": price(30, 2021)}),
    "DEU": ("accepted", {"ind.drug_seizures": seizures(100), "ind.drug_prices": price(50, 2021)}),
    "ITA": ("accepted", {"ind.drug_seizures": seizures("no_data")}),
    "ESP": ("accepted", {"ind.drug_seizures": seizures(20)}),
    "NGA": ("accepted", {"ind.drug_seizures": seizures(500)}),
    "KEN": ("accepted", {"ind.drug_seizures": seizures(30)}),
}


def two_cycles():
    previous = fill(make_cycle("2025", date(2025, 6, 30), state="published", spec=SPEC), PREVIOUS)
    current = fill(make_cycle("2026", date(2026, 6, 30), spec=SPEC), CURRENT)
    return previous, current


def lines_of(content, key):
    indicator = next(i for i in content.indicators.indicators if i.key == key)
    return indicator, {(line.row, line.column): line for line in indicator.lines}


def test_quantities_are_summed_by_region_and_world_and_no_data_is_not_zero(db):
    _previous, current = two_cycles()
    content = cycle_content(current)
    indicator, lines = lines_of(content, "ind.drug_seizures")
    heroin = lines["heroin", "kg"]
    # FRA 100, DEU 200, ITA 300.5, ESP 0, GBR 400 (submitted: a closed cycle counts it), NGA 1000, KEN 10.
    assert heroin.at(WORLD).n == 7 and heroin.at(WORLD).total == 2010.5
    assert heroin.at(EUROPE).n == 5 and heroin.at(EUROPE).total == 1000.5
    assert heroin.at(AFRICA).total == 1010 and heroin.at(AMERICAS).n == 0
    cocaine = lines["cocaine_hcl", "kg"]
    assert cocaine.at(WORLD).n == 1 and cocaine.at(WORLD).total == 50 and cocaine.no_data == 1
    assert indicator.countries == 7 and indicator.sdg == ["16.4.1"]


def test_prices_get_median_and_range_never_a_sum_and_years_are_a_span(db):
    _previous, current = two_cycles()
    indicator, lines = lines_of(cycle_content(current), "ind.drug_prices")
    figure = lines["heroin", "retail_price"].at(WORLD)
    assert (figure.n, figure.total, figure.median, figure.minimum, figure.maximum) == (4, None, 45, 5, 60)
    assert indicator.years == (2021, 2024)


def test_change_counts_only_countries_in_both_cycles_and_needs_five(db):
    _previous, current = two_cycles()
    _indicator, lines = lines_of(cycle_content(current), "ind.drug_seizures")
    change = lines["heroin", "kg"].change
    # In both with numbers: FRA 50→100, DEU 100→200, ESP 20→0, NGA 500→1000, KEN 30→10 (ITA had "no data").
    assert (change.n, change.before, change.now) == (5, 700, 1310)
    assert change.enough and round(change.relative, 4) == round(1310 / 700 - 1, 4)
    few = lines["cocaine_hcl", "kg"].change
    assert few.n == 0 and not few.enough and few.relative is None
    _indicator, price_lines = lines_of(cycle_content(current), "ind.drug_prices")
    assert price_lines["heroin", "retail_price"].change.n == 2 < MIN_REPLIES
    assert price_lines["heroin", "retail_price"].change.relative is None


def test_sdg_351_is_derived_by_region_where_both_parts_exist(db):
    _previous, current = two_cycles()
    coverage = cycle_content(current).indicators.sdg_351
    # FRA 500/2000 and ITA 100/1000; DEU has no disorders figure, so it is left out.
    assert (coverage[WORLD].n, coverage[WORLD].treated, coverage[WORLD].disorders) == (2, 600, 3000)
    assert coverage[WORLD].share is None  # fewer than five countries: "too few replies"
    assert coverage[AFRICA].n == 0


def test_the_answers_export_has_one_row_per_cell_with_unit_and_no_data(db):
    _previous, current = two_cycles()
    france = db.session.query(Country).filter_by(iso3="FRA").one()
    table = answers_table(current, france)
    columns = table.columns
    rows = [dict(zip(columns, row)) for row in table.rows if row[columns.index("question")] == "ind.drug_seizures"]
    assert [(r["row"], r["measure"], r["unit"], r["value"], r["no_data"]) for r in rows] == [
        ("heroin", "kg", "kg", 100, False), ("cocaine_hcl", "kg", "kg", None, True)]
    prices = [dict(zip(columns, row)) for row in table.rows if row[columns.index("question")] == "ind.drug_prices"]
    assert [(r["row"], r["measure"], r["unit"], r["value"]) for r in prices] == [
        ("heroin", "retail_price", "usd_per_gram", 40), ("", "reference_year", "year", 2022)]


def _pages_with(pdf: bytes, needle: str) -> list[int]:
    from pypdf import PdfReader
    import io

    return [number for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages, 1) if needle in page.extract_text()]


def test_the_report_and_profile_show_the_indicator_chapter_in_english_and_arabic(app, db):
    _previous, current = two_cycles()
    content = cycle_content(current)
    report = render_pdf(app, "reports/pdf/cycle_report.html", "en", content=content)
    text = re.sub(r"\s+", " ", pdf_text(report.pdf))
    assert "Drug situation indicators" in text
    assert "SDG indicator 3.5.1" in text and "too few replies" in text
    assert "Heroin Quantity seized (kg) 7 2,010 1,010" in text  # 2,010.5 kg worldwide: whole numbers from 100 up
    assert "45 (5–60)" in text  # median price and range
    assert not re.search(r"\b[a-z]+20\d\d[-.]", text)  # commitments cited by reference, never by register id
    arabic = render_pdf(app, "reports/pdf/cycle_report.html", "ar", content=content)
    assert re.search("[\u0600-\u06ff]", pdf_text(arabic.pdf))
    france = db.session.query(Country).filter_by(iso3="FRA").one()
    response = country_responses(current, [france])[0]
    profile = render_profile(app, "en", content, response)
    profile_text = re.sub(r"\s+", " ", pdf_text(profile.pdf))
    assert "Drug situation indicators" in profile_text and "Median, worldwide" in profile_text
    assert not re.search(r"\b[a-z]+20\d\d[-.]", profile_text)
    ARTIFACTS.mkdir(exist_ok=True)
    for name, pdf in (("indicators-report-en", report.pdf), ("indicators-report-ar", arabic.pdf)):
        path = ARTIFACTS / f"{name}.pdf"
        path.write_bytes(pdf)
        first = (_pages_with(pdf, "3.5.1") or [1])[0]
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", str(first), "-l", str(first + 1), str(path),
                        str(ARTIFACTS / name)], check=True)
        assert list(ARTIFACTS.glob(f"{name}-*.png"))


def test_demo_tables_are_valid_answers_and_fill_the_report(app, db):
    """Every demo table passes the form's own validation; the report shows credible world figures."""
    from werkzeug.datastructures import MultiDict

    from forms.tables import read_table, to_formdata
    from reporting.database import write_transaction
    from reporting.demo.services import CURRENT, create_demo
    from reporting.models import Answer, Cycle
    from reporting.questionnaire.indicators import indicator_item, load_catalogue
    from tests.conftest import store_spec
    from tests.questionnaire.test_indicators import _spec_with

    spec = _spec_with([indicator_item(indicator) for indicator in load_catalogue()])
    with write_transaction():
        store_spec(spec)
        create_demo("2.0.0", today=date(2026, 3, 1))
    items = {item["key"]: item for pillar in spec["pillars"] for section in pillar["sections"] for item in section["items"]}
    answers = db.session.query(Answer.key, Answer.value).filter(Answer.key.like("ind.%")).all()
    assert len(answers) > 1000
    with app.test_request_context():
        for key, value in answers:
            read, messages = read_table(items[key], MultiDict(to_formdata(key, value)))
            assert messages == [] and read == value, (key, value, [str(m) for m in messages])
    current = db.session.query(Cycle).filter_by(label=CURRENT).one()
    content = cycle_content(current)
    _indicator, lines = lines_of(content, "ind.drug_seizures")
    cocaine = lines["cocaine_hcl", "kg"]
    assert cocaine.at(AMERICAS).total > cocaine.at(Area("region", 142)).total  # cocaine is seized mostly in the Americas
    assert content.indicators.sdg_351[WORLD].share is not None and 0 < content.indicators.sdg_351[WORLD].share < 1
    ARTIFACTS.mkdir(exist_ok=True)
    for language in ("en", "ar"):
        pdf = render_pdf(app, "reports/pdf/cycle_report.html", language, content=content).pdf
        path = ARTIFACTS / f"indicators-demo-{language}.pdf"
        path.write_bytes(pdf)
        first = _pages_with(pdf, "3.5.1")[0]
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", str(first), "-l", str(first + 3), str(path),
                        str(ARTIFACTS / f"indicators-demo-{language}")], check=True)


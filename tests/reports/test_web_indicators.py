"""The indicator chapter of the web report: the same figures as the PDF, a CSV behind every table that
says the same as the page, right to left in Arabic with the locale's numbers; and the data sources of
the 2019 targets by region, in both."""
import copy
import csv
from datetime import date
import io
import re

from babel.numbers import format_decimal

from reporting.reports.content import cycle_content

from .conftest import SPEC, fill, make_cycle, pdf_text, render_pdf
from .test_indicators import two_cycles

WEB = "/reports/2026/{lang}/"


def tables(page: str, prefix: str = "t-ind.") -> dict[str, str]:
    return dict(re.findall(rf'<table class="data[^"]*" id="({re.escape(prefix)}[^"]*)">(.*?)</table>', page, re.S))


def rows(table: str) -> list[list[str]]:
    """The body rows as their cells' visible text (header cell first)."""
    body = table.split("<tbody>", 1)[1]
    return [[" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def read_csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def shown(value: str) -> str:
    """A CSV figure as the page rounds it for reading: whole numbers from 100 up, one decimal from 1, two below."""
    if value == "":
        return "–"
    number = float(value)
    return format_decimal(round(number, 0 if number >= 100 else 1 if number >= 1 else 2), locale="en")


def test_the_web_chapter_shows_the_pdf_figures(app, client, db, login_as):
    _previous, current = two_cycles()
    login_as("compiler", None)
    page = client.get(WEB.format(lang="en")).get_data(as_text=True)
    web = tables(page)
    assert set(web) == {"t-ind.drug_seizures", "t-ind.drug_prices", "t-ind.treatment_persons", "t-ind.drug_use_disorders"}
    pdf = render_pdf(app, "reports/pdf/cycle_report.html", "en", content=cycle_content(current))
    text = " ".join(pdf_text(pdf.pdf).split())
    chapter = text[text.index("SDG indicator 3.5.1: treatment coverage"):]
    for table_id, table in {**web, **tables(page, "t-sdg-351")}.items():
        for cells in rows(table):
            figures = " ".join(cells[2:] if table_id.startswith("t-ind.") else cells[1:])  # after the row's names
            # Each row's figures, in the order the page shows them, on the PDF's page too.
            assert figures in chapter, (table_id, cells)
    seizures = rows(web["t-ind.drug_seizures"])
    # Heroin: n = 7, 2,010.5 kg worldwide shown as 2,010 (whole numbers from 100 up); Europe 1,000.5; Africa 1,010.
    assert seizures[0][:5] == ["Heroin", "Quantity seized (kg)", "7", "2,010", "1,010"]
    assert "“--” 1" in rows(web["t-ind.drug_seizures"])[1][2]  # cocaine: one "no data", never a zero
    assert rows(web["t-ind.drug_prices"])[0][3] == "45 (5–60)"  # a price: median and range, never a sum


def test_each_indicator_table_has_a_csv_that_says_what_the_page_says(client, db, login_as):
    _previous, current = two_cycles()
    login_as("compiler", None)
    page = client.get(WEB.format(lang="en")).get_data(as_text=True)
    links = dict(re.findall(r'<table class="data[^"]*" id="(t-(?:ind\.|sdg-)[^"]+)">.*?</table>\s*'
                            r'<p class="figure-links table-links"><a href="([^"]+)">CSV of this table</a></p>', page, re.S))
    assert set(links) == {"t-sdg-351", "t-ind.drug_seizures", "t-ind.drug_prices", "t-ind.treatment_persons",
                          "t-ind.drug_use_disorders"}
    regions = ["Africa", "Americas", "Asia", "Europe", "Oceania"]
    for table_id, url in links.items():
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "text/csv", url
        lines = read_csv(response.data)
        shown_rows = rows(tables(page, table_id)[table_id])
        if table_id == "t-sdg-351":
            assert [row["area"] for row in lines] == [*regions, "World"]
            for cells, line in zip(shown_rows, lines):
                assert cells[:4] == [line["area"], line["countries_both_parts"], shown(line["people_in_treatment"]),
                                     shown(line["people_with_disorders"])]
            continue
        by_line: dict[tuple, dict[str, dict]] = {}
        for line in lines:
            by_line.setdefault((line["row"], line["measure"]), {})[line["area"]] = line
        assert len(by_line) == len(shown_rows), table_id
        for cells, areas in zip(shown_rows, by_line.values()):
            world = areas["World"]
            value = "sum" if world["summable"] == "True" else "median"
            assert cells[2].split()[0] == world["countries_reporting"], (table_id, cells)
            assert cells[3].split(" (")[0] == shown(world[value]), (table_id, cells)
            assert cells[4:9] == [shown(areas[region][value]) for region in regions], (table_id, cells)
    seizures = read_csv(client.get(links["t-ind.drug_seizures"]).data)
    heroin = next(line for line in seizures if line["row"] == "heroin" and line["area"] == "World")
    # The CSV keeps the exact figures the page rounds, and the change over the countries in both cycles.
    assert (heroin["sum"], heroin["compared"], heroin["before"], heroin["now"]) == ("2010.5", "5", "700.0", "1310.0")


def test_the_arabic_chapter_reads_right_to_left_with_the_locale_numbers(client, db, login_as):
    two_cycles()
    login_as("compiler", None)
    page = client.get(WEB.format(lang="ar")).get_data(as_text=True)
    assert 'dir="rtl"' in page.split(">", 2)[1] and "مؤشرات حالة المخدِّرات" in page
    seizures = rows(tables(page)["t-ind.drug_seizures"])
    assert seizures[0][2:5] == [format_decimal(7, locale="ar"), format_decimal(2010, locale="ar"),
                                format_decimal(1010, locale="ar")]


# A dated target with its trend and data-sources questions (as arq-2.0.0 asks them).
TARGET_SPEC = copy.deepcopy(SPEC)
TARGET_SPEC["version"] = "1.1.0"
TARGET_SPEC["pillars"][0]["sections"][0]["items"] += [
    {"key": "target-demand.trend", "kind": "single_choice", "commitments": ["pd2009.36.b"], "label": "Trend since the baseline year",
     "choices": [{"value": value, "label": value} for value in ("decreased", "stable", "increased", "not_known")]},
    {"key": "target-demand.sources", "kind": "multiple_choice", "commitments": ["pd2009.36.b"], "label": "Sources of the data",
     "choices": [{"value": "survey", "label": "Population or school survey"},
                 {"value": "records", "label": "Administrative records"}]},
]
TARGET_SPEC["commitments"]["pd2009.36.b"] = {
    "document": "pd2009", "label": "(b)", "title": "Reduce illicit drug demand by 2019", "text": "Eliminate or reduce significantly."}
SOURCES = {"FRA": ["survey", "records"], "DEU": ["survey"], "ITA": ["records"], "ESP": ["survey"], "GBR": ["survey"],
           "NGA": ["records"]}


def test_data_sources_by_region_in_the_pdf_and_the_web_report(app, client, db, login_as):
    """The 2019 targets: the data sources named, by region and worldwide, with n: Europe 5 (survey 4, records 2),
    Africa 1 (records 1, too few for a share), the world 6 (survey 4, records 3)."""
    current = fill(make_cycle("2026", date(2026, 6, 30), spec=TARGET_SPEC),
                   {iso3: ("accepted", {"target-demand.trend": "decreased", "target-demand.sources": named})
                    for iso3, named in SOURCES.items()})
    login_as("compiler", None)
    page = client.get(WEB.format(lang="en")).get_data(as_text=True)
    table_id = "t-target-target-demand.trend-sources"
    shown_rows = rows(tables(page, table_id)[table_id])
    assert shown_rows == [["Africa", "1", "0", "1"], ["Americas", "0", "0", "0"], ["Asia", "0", "0", "0"],
                          ["Europe", "5", "4 (80%)", "2 (40%)"], ["Oceania", "0", "0", "0"], ["World", "6", "4 (67%)", "3 (50%)"]]
    url = re.search(rf'id="{re.escape(table_id)}">.*?</table>\s*<p class="figure-links table-links"><a href="([^"]+)">', page, re.S).group(1)
    lines = {line["area"]: line for line in read_csv(client.get(url).data)}
    assert (lines["Europe"]["sources_replies"], lines["Europe"]["sources"]) == ("5", "survey=4; records=2")
    assert (lines["World"]["sources_replies"], lines["World"]["sources"]) == ("6", "survey=4; records=3")
    pdf = render_pdf(app, "reports/pdf/cycle_report.html", "en", content=cycle_content(current))
    text = " ".join(pdf_text(pdf.pdf).split())
    assert "Data sources named, by region" in text
    assert "Europe 5 4 (80%) 2 (40%)" in text and "World 6 4 (67%) 3 (50%)" in text

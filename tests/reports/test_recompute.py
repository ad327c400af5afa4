"""The published figures, recomputed from the answers exports alone, equal the report's CSV exports.

A small hand-made pair of cycles with enough Member States per question for shares to be
published (at least five applicable replies), "not applicable" replies, a submission that does not
count, an observer State, a country that answered only the previous cycle and one only this cycle.
The recomputation below reads nothing but the answers CSV files: it is the check a reader of the
open data can make.
"""
from collections import defaultdict
import csv
from datetime import date
import io
from pathlib import Path
import statistics

import pytest

from reporting.reports import exports

from .conftest import N1, S1, S2, fill, make_cycle

COUNTED_NOW = ("submitted", "accepted")  # the 2026 cycle is closed: a draft counts submitted responses too
COUNTED_BEFORE = ("accepted",)  # the 2025 cycle is published
CURRENT = {
    "FRA": ("accepted", {S1: "implemented", S2: "implemented", N1: 120}),
    "DEU": ("accepted", {S1: "implemented", S2: "not_applicable", N1: 80}),
    "ITA": ("submitted", {S1: "in_progress", S2: "implemented", N1: 40}),
    "ESP": ("accepted", {S1: "planned", S2: "in_progress"}),
    "POL": ("accepted", {S1: "implemented", S2: "not_applicable", N1: 10}),
    "SWE": ("accepted", {S1: "not_started", S2: "implemented"}),
    "NGA": ("accepted", {S1: "implemented", S2: "planned", N1: 300}),
    "KEN": ("accepted", {S1: "in_progress", S2: "implemented"}),
    "EGY": ("returned", {S1: "implemented"}),  # returned: does not count
    "BRA": ("accepted", {S1: "implemented", S2: "implemented", N1: 1000}),
    "MEX": ("accepted", {S1: "not_applicable", S2: "in_progress"}),
    "PSE": ("accepted", {S1: "implemented", N1: 5}),  # an observer State: never counted
}
PREVIOUS = {
    "FRA": ("accepted", {S1: "in_progress", S2: "implemented"}),
    "DEU": ("accepted", {S1: "implemented", S2: "implemented"}),
    "ITA": ("accepted", {S1: "planned", S2: "planned"}),
    "ESP": ("accepted", {S1: "planned"}),
    "POL": ("accepted", {S1: "in_progress", S2: "not_applicable"}),
    "SWE": ("submitted", {S1: "implemented"}),  # not accepted: not counted in a published report
    "NGA": ("accepted", {S1: "not_started", S2: "planned"}),
    "KEN": ("accepted", {S1: "in_progress"}),
    "GBR": ("accepted", {S1: "implemented"}),  # answered only the previous cycle
    "BRA": ("accepted", {S1: "implemented"}),
}


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def cell(value) -> str:
    """How the CSV writes a value (``exports.to_csv``): empty for None, str() otherwise."""
    return "" if value is None else str(value)


def counted(rows: list[dict], states: tuple[str, ...]) -> list[dict]:
    return [row for row in rows if row["member_state"] == "True" and row["submission_state"] in states]


def areas_of(row: dict) -> list[tuple[str, str]]:
    return [("world", "1"), ("region", row["region_m49"]), ("subregion", row["subregion_m49"])]


def recompute_status(now: list[dict], before: list[dict]) -> dict[tuple[str, str, str], dict[str, str]]:
    """Per (question, level, code): base, share implemented (blank under 5) and the like-for-like change."""
    statuses = {(row["iso3"], row["question"]): row["value"] for row in before if row["kind"] == "status"}
    figures: dict = defaultdict(lambda: {"replies": 0, "not_applicable": 0, "implemented": 0,
                                         "compared": 0, "before": 0, "after": 0})
    for row in now:
        if row["kind"] != "status":
            continue
        for level, code in areas_of(row):
            figure = figures[row["question"], level, code]
            figure["replies"] += 1
            figure["not_applicable"] += row["value"] == "not_applicable"
            figure["implemented"] += row["value"] == "implemented"
            earlier = statuses.get((row["iso3"], row["question"]))
            if earlier not in (None, "not_applicable") and row["value"] != "not_applicable":
                figure["compared"] += 1
                figure["before"] += earlier == "implemented"
                figure["after"] += row["value"] == "implemented"
    published = {}
    for key, figure in figures.items():
        base = figure["replies"] - figure["not_applicable"]
        compared = figure["compared"]
        published[key] = {
            "replies": cell(figure["replies"]),
            "base": cell(base),
            "share_implemented": cell(figure["implemented"] / base if base >= 5 else None),
            "compared": cell(compared),
            "change_points": cell(100 * (figure["after"] - figure["before"]) / compared if compared >= 5 else None),
        }
    return published


@pytest.fixture
def built(runner, app, db, tmp_path):
    fill(make_cycle("2025", date(2025, 6, 30), state="published"), PREVIOUS)
    current = fill(make_cycle("2026", date(2026, 6, 30)), CURRENT)
    result = runner.invoke(args=["report", "build", "--cycle", "2026", "--lang", "en", "--countries", "none",
                                 "--out", str(tmp_path), "--workers", "1"])
    assert result.exit_code == 0, result.output
    return current, tmp_path / "2026" / "data"


def test_shares_and_like_for_like_changes_recomputed_from_the_answers_export(built):
    from reporting.responses.cycles import find_cycle

    _current, data = built
    now = counted(read_csv((data / "answers-2026.csv").read_bytes()), COUNTED_NOW)
    before = counted(read_csv(exports.to_csv(exports.answers_table(find_cycle("2025")))), COUNTED_BEFORE)
    expected = recompute_status(now, before)
    published = {(row["question"], row["level"], row["code"]): row
                 for row in read_csv((data / "aggregates-status-2026.csv").read_bytes())
                 if row["level"] in ("world", "region", "subregion")}
    for key, figure in expected.items():
        assert {column: published[key][column] for column in figure} == figure, key
    # Areas without any counted reply have a row of zeros and no share.
    assert published[(S1, "region", "9")]["replies"] == "0" and published[(S1, "region", "9")]["share_implemented"] == ""
    # The figures the recomputation must agree with, by hand: S1 worldwide has 10 counted replies (EGY returned,
    # PSE an observer), MEX "not applicable", so a base of 9 with 5 implemented; 8 Member States answered S1 in both
    # cycles (not MEX: not applicable; not SWE: not accepted before; not GBR: no reply now): 2 → 5 implemented.
    world = published[(S1, "world", "1")]
    assert (world["replies"], world["base"], world["compared"]) == ("10", "9", "8")
    assert float(world["share_implemented"]) == 5 / 9 and float(world["change_points"]) == 100 * 3 / 8
    # S2: DEU and POL "not applicable": base 8 of 10 replies.
    assert published[(S2, "world", "1")]["base"] == "8"


def test_indicator_sums_recomputed_from_the_answers_export(built):
    _current, data = built
    now = counted(read_csv((data / "answers-2026.csv").read_bytes()), COUNTED_NOW)
    values = [float(row["value"]) for row in now if row["question"] == N1]
    [world] = [row for row in read_csv((data / "aggregates-indicators-2026.csv").read_bytes())
               if row["question"] == N1 and row["level"] == "world"]
    assert world["count"] == str(len(values)) == "6"
    assert float(world["sum"]) == sum(values) == 1550  # people: a quantity, so it is summed
    assert float(world["median"]) == statistics.median(values)
    assert (float(world["minimum"]), float(world["maximum"])) == (min(values), max(values))


def test_summary_by_question_recomputed_from_the_status_export(built):
    """The executive summary's median over questions comes from the questions' published shares."""
    _current, data = built
    status = read_csv((data / "aggregates-status-2026.csv").read_bytes())
    shares = [float(row["share_implemented"]) for row in status
              if row["level"] == "world" and row["share_implemented"]]
    summary = {row["grouping"] + ":" + row["group"]: row for row in read_csv((data / "aggregates-summary-2026.csv").read_bytes())}
    everything = summary["all:world"]
    assert everything["questions"] == str(len(shares)) == "2"  # S1, S2; the EU–CELAC question has too few replies
    assert float(everything["median_share_implemented"]) == statistics.median(shares)
    assert everything["too_few"] == "1"


@pytest.fixture
def built_tables(runner, app, db, tmp_path):
    """The indicator tables' pair of cycles (``test_indicators``), built as the compilers build it."""
    from .test_indicators import two_cycles

    _previous, current = two_cycles()
    result = runner.invoke(args=["report", "build", "--cycle", "2026", "--lang", "en", "--countries", "none",
                                 "--out", str(tmp_path), "--workers", "1"])
    assert result.exit_code == 0, result.output
    return current, tmp_path / "2026" / "data"


def test_indicator_table_figures_recomputed_from_the_answers_export(built_tables):
    """Per table cell line (indicator, row, measure) and area: countries reporting a number, "no data" apart,
    the sum where the unit is summable else the median, minimum and maximum: from the per-cell answers alone."""
    _current, data = built_tables
    now = counted(read_csv((data / "answers-2026.csv").read_bytes()), COUNTED_NOW)
    values: dict = defaultdict(list)
    no_data: dict = defaultdict(int)
    for row in now:
        if row["kind"] != "table" or not row["row"]:
            continue
        if row["no_data"] == "True":
            no_data[row["question"], row["row"], row["measure"]] += 1
        elif row["value"] != "":
            for area in ("World", {"150": "Europe", "2": "Africa", "19": "Americas"}[row["region_m49"]]):
                values[row["question"], row["row"], row["measure"], area].append(float(row["value"]))
    published = read_csv((data / "aggregates-indicator_figures-2026.csv").read_bytes())
    checked = 0
    for line in published:
        found = values.get((line["question"], line["row"], line["measure"], line["area"]), [])
        assert line["countries_reporting"] == str(len(found)), line
        if found:
            summable = line["summable"] == "True"
            assert (float(line["sum"]) if summable else line["sum"]) == (sum(found) if summable else ""), line
            assert float(line["median"]) == statistics.median(found), line
            assert (float(line["minimum"]), float(line["maximum"])) == (min(found), max(found)), line
            checked += 1
        if line["area"] == "World":
            assert line["no_data"] == str(no_data[line["question"], line["row"], line["measure"]]), line
    assert checked >= 10
    heroin = next(line for line in published if (line["question"], line["row"], line["area"]) == ("ind.drug_seizures", "heroin", "World"))
    assert (heroin["countries_reporting"], heroin["sum"]) == ("7", "2010.5")  # GBR submitted counts; MEX, PSE never
    sdg = {line["area"]: line for line in read_csv((data / "aggregates-sdg_351-2026.csv").read_bytes())}
    assert (sdg["World"]["countries_both_parts"], sdg["World"]["people_in_treatment"], sdg["World"]["coverage"]) == ("2", "600.0", "")

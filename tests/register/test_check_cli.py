"""Line accounting and the ``flask register`` commands."""
import csv
import io
import json

from reporting.register.build import REGISTER_DIR, SOURCES_DIR
from reporting.register.check import check_sources


def test_every_source_line_is_accounted_for():
    report = check_sources()
    assert report.problems == []
    total = sum(len(path.read_text(encoding="utf-8").splitlines()) for path in SOURCES_DIR.glob("*.txt"))
    assert sum(report.counts.values()) == total == len(report.ledger)
    assert set(report.counts) == {"record", "heading", "skip", "blank"}


def test_ledger_names_what_each_line_is(inputs):
    ledger = {(name, line): (kind, detail) for name, line, kind, detail in check_sources().ledger}
    chart = "commitments-compilation-2023.txt"
    assert ledger[(chart, 68)] == ("record", "pd2009.36 pd2009.36.a pd2009.36.b pd2009.36.c pd2009.36.d pd2009.36.e")
    assert ledger[(chart, 111)] == ("record", "poa2009.I.10.c")  # continuation row
    assert ledger[(chart, 516)][0] == "skip"  # footnote text between a row and its continuation
    assert ledger[(chart, 518)] == ("record", "ungass2016.3.r")
    assert ledger[(chart, 48)][0] == "skip"
    assert ledger[("high-level-review-2014.txt", 1)][0] == "skip"


def test_check_finds_a_stale_register(inputs):
    inputs.edit_register_file("pd2009.yaml", "Continue raising public awareness", "Raise awareness")
    problems = check_sources(inputs.sources, inputs.register).problems
    assert problems == [f"{inputs.register / 'pd2009.yaml'}: differs from a fresh build of the sources; "
                        "run `flask register build` and review the diff"]


def cli(runner, *args):
    return runner.invoke(args=["register", *args])


def test_cli_build_prints_counts_and_writes_the_register(inputs, runner):
    (inputs.register / "pd2009.yaml").unlink()
    result = cli(runner, "build", "--sources-dir", str(inputs.sources), "--register-dir", str(inputs.register))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "poa2009               203" in lines
    assert "international_cooperation   109" in lines
    assert lines[-1].startswith("533 records; register checksum ")
    assert (inputs.register / "pd2009.yaml").read_bytes() == (REGISTER_DIR / "pd2009.yaml").read_bytes()


def test_cli_check(inputs, runner):
    result = cli(runner, "check", "--sources-dir", str(inputs.sources), "--register-dir", str(inputs.register))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("All 1561 source lines accounted for")
    inputs.edit_register_file("overrides.yaml", "{lines: all,", "{lines: 2-391,")
    result = cli(runner, "check", "--sources-dir", str(inputs.sources), "--register-dir", str(inputs.register))
    assert result.exit_code == 1
    assert "Error: high-level-review-2014.txt:1: not part of a commitment" in result.output


def test_cli_check_verbose_lists_the_ledger(runner):
    result = cli(runner, "check", "--verbose")
    assert result.exit_code == 0, result.output
    assert "commitments-compilation-2023.txt:554: record ungass2016.5.intro" in result.output.splitlines()


def test_cli_export_json(runner):
    result = cli(runner, "export", "--format", "json")
    assert result.exit_code == 0
    records = json.loads(result.output)
    assert len(records) == 533
    assert {"id", "document", "path", "label", "text", "verbs", "target", "addressees", "pillar", "chapter",
            "scope", "title"} <= set(records[0])


def test_cli_export_jsonl_and_csv(runner):
    lines = cli(runner, "export", "--format", "jsonl").output.splitlines()
    assert len(lines) == 533 and json.loads(lines[0])["id"] == "pd2009.13"
    rows = list(csv.DictReader(io.StringIO(cli(runner, "export", "--format", "csv").output)))
    assert len(rows) == 533
    row = next(row for row in rows if row["id"] == "jms2014-priorities.11")
    assert (row["target_text"], row["target_year"]) == ("by 50 per cent by 2015", "2015")
    assert row["path"] == "A. Demand reduction and related measures | Challenges and priorities for action"


def test_cli_export_rejects_an_unknown_format(runner):
    result = cli(runner, "export", "--format", "xml")
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.output

"""Bad input: a clear error naming file and line, and the register left untouched."""
import re

import pytest

from reporting.register.build import build_register, write_register
from reporting.register.check import check_sources
from reporting.register.model import RegisterError

CHART = "commitments-compilation-2023.txt"


def build_error(inputs) -> str:
    with pytest.raises(RegisterError) as error:
        build_register(inputs.sources, inputs.register)
    return str(error.value)


def insert_after(prefix: str, new_line: str):
    def edit(lines):
        number = next(i for i, line in enumerate(lines) if line.startswith(prefix))
        return lines[:number + 1] + [new_line] + lines[number + 1:]
    return edit


def test_changed_source_checksum(inputs):
    inputs.edit_source("sofia-declaration-2018.txt", lambda lines: lines + ["47. **WE ADD** a line."],
                       update_checksum=False)
    message = build_error(inputs)
    assert re.search(r"SHA256SUMS:4: checksum of sofia-declaration-2018\.txt does not match", message)


def test_missing_source(inputs):
    (inputs.sources / CHART).unlink()
    assert re.search(r"SHA256SUMS:1: source commitments-compilation-2023\.txt is missing", build_error(inputs))


def test_unparseable_row(inputs):
    inputs.edit_source(CHART, insert_after("14.\t", "14 bis\tAn extra row"))
    assert build_error(inputs).endswith(f"{CHART}:51: unparseable row (label cell '14 bis')")


def test_unparseable_regional_line(inputs):
    inputs.edit_source("subsidiary-bodies-recommendations-2017.txt",
                       insert_after("### A. Twelfth Meeting", "Some stray sentence."))
    assert build_error(inputs).startswith("subsidiary-bodies-recommendations-2017.txt:36: unparseable line")


def test_duplicate_id(inputs):
    inputs.edit_source(CHART, insert_after("(h)\t<b>Promote the sharing</b>", "(h)\tAgain the same label;"))
    assert build_error(inputs) == f"{CHART}:84: duplicate id poa2009.I.2.h (first at {CHART}:83)"


def test_numbering_that_goes_back(inputs):
    inputs.edit_source(CHART, insert_after("23.\t", "13.\t<b>Repeat</b> an earlier number;"))
    assert build_error(inputs) == (f"{CHART}:60: numbering goes back from 23 to 13 within pd2009 "
                                   "(a document title is missing?)")


def test_override_for_no_record(inputs):
    inputs.edit_register_file("overrides.yaml", "records:\n",
                              "records:\n  pd2009.99: {pillar: supply_reduction, reason: \"no such paragraph\"}\n")
    message = build_error(inputs)
    line = next(number for number, text in enumerate((inputs.register / "overrides.yaml").read_text().splitlines(), 1)
                if text.startswith("  pd2009.99:"))
    assert message == f"{inputs.register / 'overrides.yaml'}:{line}: override for 'pd2009.99', which is no record"


def test_override_needs_a_reason_and_a_change(inputs):
    inputs.edit_register_file("overrides.yaml", 'reason: "raising public awareness of the risks of drugs is prevention"',
                              "reason: ''")
    assert "every entry needs a one-line reason" in build_error(inputs)


def test_override_that_repeats_the_rule(inputs):
    inputs.edit_register_file("overrides.yaml", "pd2009.14: {pillar: demand_reduction, chapter: 1,",
                              "pd2009.14: {pillar: demand_reduction, chapter: 1, scope: [global],")
    assert "pd2009.14: the rules already give scope = ['global']; remove this override" in build_error(inputs)


def test_unacknowledged_gap_in_sub_items(inputs):
    inputs.edit_register_file("overrides.yaml", "  ungass2016.6: {missing: [b],", "  ungass2016.x6: {missing: [b],")
    assert "gap acknowledged for 'ungass2016.x6', which has no sub-items" in build_error(inputs)


def test_dropped_row_shows_as_a_gap(inputs):
    inputs.edit_source(CHART, lambda lines: [line for line in lines if not line.startswith("(c)\t<b>Comprehensively")])
    assert build_error(inputs) == (f"{CHART}:78: poa2009.I.2.d follows a missing (c); if the source lacks it, "
                                   "acknowledge it under gaps in overrides.yaml")


def test_title_problems(inputs):
    inputs.edit_register_file("titles.yaml", "pd2009.14: Continue raising public awareness of drug risks and threats\n",
                              "")
    assert "no title for 1 record(s), first 'pd2009.14'" in build_error(inputs)


def test_title_too_long(inputs):
    inputs.edit_register_file("titles.yaml", "pd2009.14: Continue raising public awareness of drug risks and threats",
                              "pd2009.14: one two three four five six seven eight nine ten eleven twelve thirteen")
    assert re.search(r"titles\.yaml:\d+: title of pd2009\.14 has more than 12 words", build_error(inputs))


def test_failed_build_leaves_the_register_untouched(inputs, runner):
    before = inputs.snapshot()
    inputs.edit_source(CHART, insert_after("14.\t", "14 bis\tAn extra row"))
    result = runner.invoke(args=["register", "build", "--sources-dir", str(inputs.sources),
                                 "--register-dir", str(inputs.register)])
    assert result.exit_code == 1
    assert f"Error: {CHART}:51: unparseable row" in result.output
    assert "Traceback" not in result.output
    assert inputs.snapshot() == before


def test_write_failure_leaves_the_register_untouched(inputs):
    before = inputs.snapshot()
    records = build_register(inputs.sources, inputs.register)
    records[-1]["title"] = object()  # not serialisable: rendering fails before any file is replaced
    with pytest.raises(Exception):
        write_register(records, inputs.register)
    assert inputs.snapshot() == before


def test_check_reports_lines_no_one_accounted_for(inputs):
    inputs.edit_register_file("overrides.yaml", "  ministerial-roundtables-2019.txt:\n    - {lines: all,",
                              "  ministerial-roundtables-2019.txt:\n    - {lines: 2-46,")
    report = check_sources(inputs.sources, inputs.register)
    assert report.problems == ["ministerial-roundtables-2019.txt:1: not part of a commitment, not a heading "
                               "and not on the skip list of overrides.yaml"]


def test_skip_list_outside_the_file(inputs):
    inputs.edit_register_file("overrides.yaml", "{lines: 319-363,", "{lines: 319-400,")
    assert "lines must be N, N-M or all, within 1-363" in build_error(inputs)

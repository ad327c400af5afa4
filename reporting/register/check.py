"""Line accounting: every source line is part of a commitment, a heading, or skipped for a reason.

Also confirms that the committed register is what a fresh build gives, so a
register edited by hand or left stale is caught.
"""
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from reporting.register.build import REGISTER_DIR, assemble, render_register
from reporting.register.model import RegisterError


@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)  # lines per kind: record, heading, skip, blank
    ledger: list[tuple[str, int, str, str]] = field(default_factory=list)  # file, line, kind, detail


def check_sources(sources_dir: Path | None = None, register_dir: Path | None = None) -> CheckReport:
    report = CheckReport()
    try:
        build = assemble(sources_dir, register_dir)
    except RegisterError as error:
        report.problems.append(str(error))
        return report
    for name, lines in build.sources.items():
        for number in range(1, len(lines) + 1):
            kind, detail = build.ledgers[name].get(number, ("unaccounted", ""))
            if kind == "unaccounted":
                report.problems.append(f"{name}:{number}: not part of a commitment, not a heading "
                                       "and not on the skip list of overrides.yaml")
            report.counts[kind] += 1
            report.ledger.append((name, number, kind, detail))
    register_dir = register_dir or REGISTER_DIR
    for name, text in render_register(build.records).items():
        path = register_dir / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            report.problems.append(f"{path}: differs from a fresh build of the sources; "
                                   "run `flask register build` and review the diff")
    return report

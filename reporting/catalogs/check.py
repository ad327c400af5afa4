"""Catalog completeness: every message translated in all six languages, with
the right plural forms and the same placeholders, and the catalogs in step
with the strings the code, templates and data files use today."""
from dataclasses import dataclass
from pathlib import Path
import re
import subprocess
import sys
import tempfile

import polib

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
# Keywords as passed to pybabel extract; _l and lazy_gettext are lazy variants.
EXTRACT_ARGS = ["-k", "_l", "-k", "lazy_gettext", "-k", "ngettext:1,2", "-k", "lazy_ngettext:1,2",
                "--no-location", "--sort-output", "--omit-header", "--no-wrap", "-F", str(ROOT / "babel.cfg")]
NAMED = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")
POSITIONAL = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


@dataclass(frozen=True)
class Problem:
    catalog: str
    msgid: str
    message: str

    def __str__(self) -> str:
        return f"{self.catalog}: {self.message}: {self.msgid[:70]!r}"


class CatalogToolError(RuntimeError):
    """Babel's extract, update or compile failed; the message is its last line of output."""


def run_babel(*args: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", *args], cwd=ROOT, capture_output=True, text=True,
    )
    if result.returncode:
        lines = (result.stderr or result.stdout).strip().splitlines()
        raise CatalogToolError(f"pybabel {args[0]} failed: {lines[-1] if lines else 'no output'}")


def extract(output: Path) -> None:
    """Run Babel's extraction over the project into ``output`` (a POT file)."""
    run_babel("extract", *EXTRACT_ARGS, "-o", str(output), str(ROOT))


def _placeholders(text: str) -> tuple[set[str], int]:
    text = text.replace("%%", "")
    return set(NAMED.findall(text)), len(POSITIONAL.findall(text))


def _entry_problems(name: str, entry: polib.POEntry, nplurals: int) -> list[Problem]:
    problems = []
    if entry.fuzzy:
        problems.append(Problem(name, entry.msgid, "fuzzy"))
    if entry.msgid_plural:
        forms = [entry.msgstr_plural.get(index, "") for index in range(nplurals)]
        if len(entry.msgstr_plural) != nplurals or not all(forms):
            problems.append(Problem(name, entry.msgid, f"needs all {nplurals} plural forms"))
        allowed = _placeholders(entry.msgid)[0] | _placeholders(entry.msgid_plural)[0]
        for form in filter(None, forms):
            extra = _placeholders(form)[0] - allowed
            if extra:
                problems.append(Problem(name, entry.msgid, f"unknown placeholder(s) {sorted(extra)} in a plural form"))
    elif not entry.msgstr:
        problems.append(Problem(name, entry.msgid, "not translated"))
    elif _placeholders(entry.msgstr) != _placeholders(entry.msgid):
        problems.append(Problem(name, entry.msgid, "placeholders differ from the English"))
    return problems


def check_catalogs(languages: tuple[str, ...]) -> list[Problem]:
    """All problems of all catalogs; an empty list means complete and current."""
    problems: list[Problem] = []
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch) / "fresh.pot"
        extract(fresh)
        current = {entry.msgid for entry in polib.pofile(str(fresh))}
    if TEMPLATE.exists():
        committed = {entry.msgid for entry in polib.pofile(str(TEMPLATE))}
        if committed != current:
            problems.append(Problem("messages.pot", f"{len(current - committed)} new, {len(committed - current)} gone",
                                    "out of date with the sources: run `flask translations update`"))
    for language in languages:
        path = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
        name = f"{language}/messages.po"
        if not path.exists():
            problems.append(Problem(name, "", "missing catalog"))
            continue
        catalog = polib.pofile(str(path))
        nplurals = int(re.search(r"nplurals=(\d+)", catalog.metadata.get("Plural-Forms", "nplurals=2")).group(1))
        active = [entry for entry in catalog if not entry.obsolete]
        for entry in catalog.obsolete_entries():
            problems.append(Problem(name, entry.msgid, "obsolete entry"))
        missing = current - {entry.msgid for entry in active}
        for msgid in sorted(missing):
            problems.append(Problem(name, msgid, "missing"))
        for entry in active:
            problems.extend(_entry_problems(name, entry, nplurals))
    return problems

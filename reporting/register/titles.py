"""Short English titles, curated by hand in ``titles.yaml`` (one per record).

A UN compiler sees these in matrices and reports, so they are written, not
generated; the build only checks that every record has exactly one and that
it is short. Translations are made from this file.
"""
from pathlib import Path

from reporting.register.model import Record, RegisterError
from reporting.register.overrides import load_yaml

TITLES = "titles.yaml"
MAX_WORDS = 12


def apply_titles(records: dict[str, Record], register_dir: Path) -> None:
    path = register_dir / TITLES
    titles, lines = load_yaml(path)
    for record_id, title in titles.items():
        where = f"{path}:{lines.get((record_id,), 1)}"
        if record_id not in records:
            raise RegisterError(f"{where}: title for {record_id!r}, which is no record")
        if not isinstance(title, str) or not title.strip():
            raise RegisterError(f"{where}: title of {record_id} is empty")
        if len(title.split()) > MAX_WORDS:
            raise RegisterError(f"{where}: title of {record_id} has more than {MAX_WORDS} words")
        records[record_id]["title"] = title.strip()
    untitled = [record_id for record_id, record in records.items() if "title" not in record]
    if untitled:
        raise RegisterError(f"{path}: no title for {len(untitled)} record(s), first {untitled[0]!r}; "
                            "add one line per record")

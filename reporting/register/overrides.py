"""Curated decisions the rules cannot make, read from ``overrides.yaml``.

Three sections, every entry with a one-line ``reason``:

- ``skip``: source lines that are neither commitment nor heading (front
  matter, narrative), per file, as line ranges;
- ``gaps``: lettered sub-items the source itself lacks, so the build does not
  take them for a parsing error;
- ``records``: field values that replace what the rules give.
"""
from pathlib import Path

import yaml

from reporting.register.classify import ADDRESSEES, SCOPES
from reporting.register.model import CHAPTERS, KINDS, PILLARS, Record, RegisterError

OVERRIDES = "overrides.yaml"
FIELDS = ("path", "target", "addressees", "pillar", "chapter", "scope", "kind")


def load_yaml(path: Path) -> tuple[dict, dict[tuple, int]]:
    """A YAML mapping and the line of every key in it (by key path), for error messages."""
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except FileNotFoundError:
        raise RegisterError(f"{path}: not found") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise RegisterError(f"{path}:{mark.line + 1 if mark else 1}: invalid YAML ({error})") from None
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise RegisterError(f"{path}:1: expected a mapping")
    lines: dict[tuple, int] = {}

    def walk(current, prefix: tuple) -> None:
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                if prefix + (key.value,) in lines:  # safe_load would silently keep only the last one
                    raise RegisterError(f"{path}:{key.start_mark.line + 1}: {key.value!r} is given twice "
                                        f"(first at line {lines[prefix + (key.value,)]}); merge the two entries")
                lines[prefix + (key.value,)] = key.start_mark.line + 1
                walk(value, prefix + (key.value,))
        elif isinstance(current, yaml.SequenceNode):
            for index, value in enumerate(current.value):
                lines[prefix + (index,)] = value.start_mark.line + 1
                walk(value, prefix + (index,))

    walk(node, ())
    return data, lines


class Overrides:
    def __init__(self, register_dir: Path):
        self.path = register_dir / OVERRIDES
        self.data, self.lines = load_yaml(self.path)
        unknown = set(self.data) - {"skip", "gaps", "records"}
        if unknown:
            key = sorted(unknown)[0]
            self._fail((key,), f"unknown section {key!r} (expected skip, gaps, records)")

    def _fail(self, key: tuple, message: str):
        raise RegisterError(f"{self.path}:{self.lines.get(key, 1)}: {message}")

    def _reason(self, key: tuple, entry) -> None:
        if not isinstance(entry, dict) or not str(entry.get("reason") or "").strip():
            self._fail(key, "every entry needs a one-line reason")

    def skips(self, sources: dict[str, list[str]]) -> dict[str, dict[int, str]]:
        """``{file: {line: reason}}`` from the skip list; ``lines`` is ``N``, ``N-M`` or ``all``."""
        result: dict[str, dict[int, str]] = {name: {} for name in sources}
        for name, entries in (self.data.get("skip") or {}).items():
            if name not in sources:
                self._fail(("skip", name), f"skip list for {name}, which is not a source")
            for index, entry in enumerate(entries or []):
                key = ("skip", name, index)
                self._reason(key, entry)
                count = len(sources[name])
                first, last = _line_range(str(entry.get("lines")), count)
                if first is None or not 1 <= first <= last <= count:
                    self._fail(key, f"lines must be N, N-M or all, within 1-{count}")
                for number in range(first, last + 1):
                    if number in result[name]:
                        self._fail(key, f"{name}:{number} is on the skip list twice")
                    result[name][number] = entry["reason"]
        return result

    def gaps(self) -> dict[str, list[str]]:
        """``{parent id: [missing letters]}``, acknowledged gaps in sub-item lettering."""
        gaps = {}
        for parent, entry in (self.data.get("gaps") or {}).items():
            self._reason(("gaps", parent), entry)
            gaps[parent] = list(entry.get("missing") or [])
        return gaps

    def gap_error(self, parent: str, message: str) -> None:
        self._fail(("gaps", parent), message)

    def apply(self, records: dict[str, Record]) -> None:
        """Replace rule results by the curated values; an override must change something."""
        for record_id, entry in (self.data.get("records") or {}).items():
            key = ("records", record_id)
            if record_id not in records:
                self._fail(key, f"override for {record_id!r}, which is no record")
            self._reason(key, entry)
            for name, value in entry.items():
                if name == "reason":
                    continue
                if name not in FIELDS:
                    self._fail(key + (name,), f"{name!r} cannot be overridden (only {', '.join(FIELDS)})")
                problem = _invalid(name, value)
                if problem:
                    self._fail(key + (name,), f"{record_id}: {problem}")
                if name == "addressees":
                    value = [known for known in ADDRESSEES if known in value]
                if records[record_id][name] == value:
                    self._fail(key + (name,), f"{record_id}: the rules already give {name} = {value!r}; "
                                              "remove this override")
                records[record_id][name] = value


def _line_range(text: str, count: int) -> tuple[int | None, int]:
    if text == "all":
        return 1, count
    first, _, last = text.partition("-")
    if not first.isdigit() or (last and not last.isdigit()):
        return None, 0
    return int(first), int(last or first)


def _invalid(name: str, value) -> str | None:
    """Why an override value is not a valid value of the field, or None."""
    if name == "pillar" and value not in PILLARS:
        return f"pillar must be one of {', '.join(PILLARS)}"
    if name == "kind" and value not in KINDS:
        return f"kind must be one of {', '.join(KINDS)}"
    if name == "chapter" and value not in CHAPTERS:
        return "chapter must be an integer 1-7"
    if name in ("addressees", "scope"):
        vocabulary = ADDRESSEES if name == "addressees" else SCOPES
        if not isinstance(value, list) or not value or any(v not in vocabulary for v in value):
            return f"{name} must be a non-empty list of: {', '.join(vocabulary)}"
    if name == "path" and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        return "path must be a list of headings"
    if name == "target" and value is not None and not (
            isinstance(value, dict) and set(value) == {"text", "year"} and isinstance(value["text"], str)
            and (value["year"] is None or isinstance(value["year"], int))):
        return "target must be null or {text: ..., year: int or null}"
    return None

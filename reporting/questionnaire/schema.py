"""Loading a spec file and everything that makes a spec valid.

Order of the checks: the JSON Schema first (shape and types); only a spec
of the right shape gets the checks that need it — unique keys, keys derived
from commitment ids, commitments known to the spec and to the register,
number ranges, and every expression parsed against the keys it may read.
All problems are collected, so one run shows everything that is wrong.
"""
from functools import lru_cache
import json
from pathlib import Path
from typing import Any, Collection, Iterator

from jsonschema import Draft202012Validator
import yaml

from reporting.questionnaire import expressions
from reporting.questionnaire.measures import DISAGGREGATIONS, measure_problems
from reporting.questionnaire.scale import CHOICE_KINDS, STATUS_VALUES

SPECS_DIR = Path(__file__).resolve().parents[2] / "questionnaire_specs"
SCHEMA_PATH = SPECS_DIR / "schema" / "spec.schema.json"
# libyaml when installed: the same documents, several times faster than pure Python.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
HEADER = "# Questionnaire spec generated from the commitment register by `flask spec generate`. Do not edit.\n"
NUMBER_BOUNDS = {"percent": (0, 100), "year": (1900, 2100)}

Spec = dict[str, Any]


class SpecError(Exception):
    """A spec that must not be used; each problem is one line naming the item (or section, check) and what is wrong."""

    def __init__(self, source: str, problems: list[str]):
        self.source, self.problems = source, problems
        lines = "".join(f"\n  - {problem}" for problem in problems)
        super().__init__(f"{source}: {len(problems)} problem(s):{lines}" if len(problems) > 1 else f"{source}: {problems[0]}")


def load_spec(path: Path) -> Spec:
    """Read a spec file (YAML); raises ``SpecError`` for a missing, unreadable or non-mapping file."""
    try:
        spec = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_LOADER)
    except OSError as error:
        raise SpecError(str(path), [error.strerror or str(error)]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        raise SpecError(str(path), [f"{where}not valid YAML ({getattr(error, 'problem', None) or error})"]) from None
    if not isinstance(spec, dict):
        raise SpecError(str(path), ["not a questionnaire spec (expected a mapping at the top level)"])
    return spec


def dump_spec(spec: Spec) -> str:
    """The spec as YAML, in its own key order: the same spec always gives the same bytes."""
    return HEADER + yaml.dump(spec, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=100)


def _inline_refs(node: Any, definitions: dict) -> Any:
    """The schema with its local ``$ref``s replaced by what they point to (it has no cycles):
    jsonschema resolves a reference on every use, a third of the validation time here."""
    if isinstance(node, dict):
        if set(node) == {"$ref"}:
            return _inline_refs(definitions[node["$ref"].removeprefix("#/$defs/")], definitions)
        return {key: _inline_refs(value, definitions) for key, value in node.items() if key != "$defs"}
    if isinstance(node, list):
        return [_inline_refs(value, definitions) for value in node]
    return node


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return Draft202012Validator(_inline_refs(schema, schema["$defs"]))


def sections(spec: Spec) -> Iterator[tuple[dict, dict]]:
    """(pillar, section) in spec order."""
    for pillar in spec["pillars"]:
        for section in pillar["sections"]:
            yield pillar, section


def items(spec: Spec) -> Iterator[tuple[dict, dict]]:
    """(section, item) in spec order."""
    for _pillar, section in sections(spec):
        for item in section["items"]:
            yield section, item


def validate_spec(spec: Spec, register_ids: Collection[str] | None = None, source: str = "spec") -> None:
    """Raise ``SpecError`` listing every problem; with ``register_ids``, commitments must be in the register."""
    problems = _schema_problems(spec)
    if not problems:
        problems = (_key_problems(spec) + _commitment_problems(spec, register_ids) + _number_problems(spec)
                    + _table_problems(spec))
        if not problems:  # expressions are checked against keys known to be unique
            problems = _expression_problems(spec)
    if problems:
        raise SpecError(source, problems)


LOCATED = {"items": "item", "checks": "check", "sections": "section", "pillars": "pillar"}


def _location(spec: Any, path: list) -> str:
    """'item KEY', 'section KEY' or 'check KEY' for a schema error's path; else the JSON path."""
    where, node, previous = "", spec, None
    for step in path:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and isinstance(node.get("key"), str) and str(previous) in LOCATED:
            where = f"{LOCATED[str(previous)]} {node['key']}"
        previous = step
    return where or "/".join(str(step) for step in path) or "top level"


def _schema_message(error) -> str:
    if error.validator == "not" and "required" in error.validator_value:
        return f"'{error.validator_value['required'][0]}' is not allowed for this kind"
    message = error.message
    return message if len(message) <= 200 else message[:197] + "..."


def _schema_problems(spec: Spec) -> list[str]:
    errors = sorted(_validator().iter_errors(spec), key=lambda error: [str(step) for step in error.absolute_path])
    return [f"{_location(spec, list(error.absolute_path))}: {_schema_message(error)}" for error in errors]


def _duplicates(keys: list[str]) -> list[str]:
    seen, duplicates = set(), []
    for key in keys:
        if key in seen and key not in duplicates:
            duplicates.append(key)
        seen.add(key)
    return duplicates


def _key_problems(spec: Spec) -> list[str]:
    problems = [f"pillar {key}: duplicate pillar" for key in _duplicates([p["key"] for p in spec["pillars"]])]
    problems += [f"section {key}: duplicate section key" for key in _duplicates([s["key"] for _, s in sections(spec)])]
    answer_keys = [item["key"] for _, item in items(spec)] + [c["key"] for _, s in sections(spec) for c in s.get("checks", ())]
    problems += [f"item {key}: duplicate key" for key in _duplicates(answer_keys)]
    for section, item in items(spec):
        prefixes = [item["question"]] if "question" in item else item["commitments"] or [section["key"]]
        if item["kind"] == "table":
            continue  # ``ind.<indicator>``, enforced by the JSON Schema; see _table_problems
        if not any(item["key"].startswith(prefix + ".") for prefix in prefixes):
            owner = ("its question key " if "question" in item else
                     "one of its commitment ids " if item["commitments"] else "its section key ")
            problems.append(f"item {item['key']}: key must start with {owner}" + ", ".join(prefixes) + " and a dot")
        values = [choice["value"] for choice in item.get("choices", ())]
        problems += [f"item {item['key']}: duplicate choice value {value!r}" for value in _duplicates(values)]
    return problems


def _commitment_problems(spec: Spec, register_ids: Collection[str] | None) -> list[str]:
    listed = spec["commitments"]
    used: dict[str, str] = {}  # id -> where it is first used
    for _pillar, section in sections(spec):
        for commitment in section.get("context", ()):
            used.setdefault(commitment, f"section {section['key']}")
        for item in section["items"]:
            for commitment in [*item["commitments"], *item.get("context", ())]:
                used.setdefault(commitment, f"item {item['key']}")
    problems = [f"{where}: commitment {commitment} is not listed under commitments"
                for commitment, where in used.items() if commitment not in listed]
    problems += [f"commitments: {commitment} is listed but no item or section uses it"
                 for commitment in listed if commitment not in used]
    if register_ids is not None:
        problems += [f"{where}: commitment {commitment} is not in the register"
                     for commitment, where in used.items() if commitment not in register_ids]
    return problems


def _number_problems(spec: Spec) -> list[str]:
    problems = []
    for _section, item in items(spec):
        number = item.get("number")
        if not number:
            continue
        low, high = number.get("min"), number.get("max")
        if low is not None and high is not None and low > high:
            problems.append(f"item {item['key']}: number min {low} is greater than max {high}")
        bounds = NUMBER_BOUNDS.get(number["type"])
        if bounds and any(value is not None and not bounds[0] <= value <= bounds[1] for value in (low, high)):
            problems.append(f"item {item['key']}: a {number['type']} lies between {bounds[0]} and {bounds[1]}")
    return problems


def _table_problems(spec: Spec) -> list[str]:
    """An indicator table: its key names its indicator, rows from its controlled list (each once),
    columns unique and within their unit's limits, totals naming its own rows or columns."""
    problems = []
    for _section, item in items(spec):
        table = item.get("table")
        if not table:
            continue
        where = f"item {item['key']}: "
        if item["key"] != "ind." + table["indicator"]:
            problems.append(where + f"key must be ind.{table['indicator']} (the indicator it asks)")
        listed = DISAGGREGATIONS[table["disaggregation"]]
        rows = [row["value"] for row in (*table["rows"], *table.get("optional_rows", ()))]
        problems += [where + f"row {value!r} is not in the {table['disaggregation']} list" for value in rows if value not in listed]
        problems += [where + f"row {value!r} appears twice" for value in _duplicates(rows)]
        columns = [column["key"] for column in table["columns"]]
        problems += [where + f"column {value!r} appears twice" for value in _duplicates(columns)]
        for column in table["columns"]:
            problems += [where + message for _field, message in measure_problems({**column, "id": column["key"]})]
        for total in table.get("totals", ()):
            names = [row["value"] for row in table["rows"]] if total["axis"] == "rows" else columns
            problems += [where + f"totals: {value!r} is not one of its {'rows' if total['axis'] == 'rows' else 'columns'}"
                         for value in [total["total"], *total["parts"]] if value not in names]
    return problems


def allowed_values(item: dict) -> tuple[str, ...] | None:
    """The values a status or choice answer can take (None for free answers)."""
    if item["kind"] == "status":
        return STATUS_VALUES
    if item["kind"] in CHOICE_KINDS:
        return tuple(choice["value"] for choice in item["choices"])
    return None


def _value_problems(node: expressions.Node, by_key: dict[str, dict]) -> list[str]:
    """String literals compared with a status or choice answer must be among its values."""
    problems = []
    for n in expressions.walk(node):
        if isinstance(n, expressions.Compare) and n.op in ("==", "!="):
            pairs = [(n.left, n.right), (n.right, n.left)]
        elif isinstance(n, expressions.Member) and isinstance(n.collection, expressions.ListOf):
            pairs = [(n.item, option) for option in n.collection.items]
        elif isinstance(n, expressions.Member):
            pairs = [(n.collection, n.item)]
        else:
            continue
        for ref, literal in pairs:
            if isinstance(ref, expressions.Ref) and isinstance(literal, expressions.Literal):
                values = allowed_values(by_key[ref.key])
                if values is not None and literal.value not in values:
                    problems.append(f"{literal.value!r} is not a value of {ref.key} (one of {', '.join(values)}) "
                                    f"at character {ref.position}")
    return problems


def _expression_problems(spec: Spec) -> list[str]:
    by_key = {item["key"]: item for _, item in items(spec)}
    problems, earlier = [], set()
    for _section, item in items(spec):
        if "show_if" in item:
            try:
                node = expressions.parse(item["show_if"], item["key"], by_key)
                later = [key for key in expressions.referenced_keys(node) if key not in earlier]
                if later:  # no cycles, and the order a respondent meets the questions in
                    problems.append(f"item {item['key']}: show_if reads {later[0]}, which does not come before it")
                problems += [f"item {item['key']}: show_if: {p}" for p in _value_problems(node, by_key)]
            except expressions.ExpressionError as error:
                problems.append(f"item {item['key']}: show_if: {error.message} at character {error.position}")
        earlier.add(item["key"])
    for _pillar, section in sections(spec):
        for check in section.get("checks", ()):
            try:
                node = expressions.parse(check["expr"], check["key"], by_key)
                problems += [f"check {check['key']}: {p}" for p in _value_problems(node, by_key)]
            except expressions.ExpressionError as error:
                problems.append(f"check {check['key']}: {error.message} at character {error.position}")
    return problems

"""The indicator catalogue (``questionnaire_specs/indicators/<module>.yaml``) and
the table question each indicator becomes.

The catalogue is data reviewed like code: one file per ARQ module, each
indicator with its definition, data source, reference year, the thematic
section it sits in, the screening condition that switches it on, the SDG
indicator it feeds and the commitments it measures (crosswalk). Its rows come
from one controlled list (substances, sex, age groups, crops) and its columns
are measures with a unit each (``reporting/questionnaire/measures.py``).

``load_catalogue`` checks everything (JSON Schema, then the rules a schema
cannot say) and reports every problem as ``file:line: what``; nothing uses a
catalogue with a problem. ``indicator_item`` turns one indicator into one spec
item of kind ``table`` for the generator.
"""
from pathlib import Path
from typing import Any, Collection

from jsonschema import Draft202012Validator
import json
import yaml

from reporting.questionnaire import expressions
from reporting.questionnaire.measures import (
    DISAGGREGATIONS, MODULES, SCREENING_KEYS, SDG_351, UNITS, measure_problems,
)

SPECS_DIR = Path(__file__).resolve().parents[2] / "questionnaire_specs"
CATALOGUE_DIR = SPECS_DIR / "indicators"
SCHEMA_PATH = SPECS_DIR / "schema" / "indicator.schema.json"
ITEM_PREFIX = "ind."
SCREENING_VALUES = ("yes", "no")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CatalogueError(Exception):
    """A catalogue that must not be used; one ``file:line: problem`` line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"indicator catalogue: {len(problems)} problem(s):" + "".join(f"\n  - {p}" for p in problems))


def _validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def _line(node: yaml.Node | None, path: list) -> int:
    """1-based line of the YAML node at a JSON path (the deepest node that exists)."""
    line = node.start_mark.line + 1 if node is not None else 1
    for step in path:
        if isinstance(node, yaml.MappingNode):
            node = next((value for key, value in node.value if key.value == step), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
        else:
            node = None
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


def _read(path: Path) -> tuple[Any, yaml.Node | None, list[str]]:
    try:
        text = path.read_text(encoding="utf-8")
        return yaml.load(text, Loader=_LOADER), yaml.compose(text, Loader=_LOADER), []
    except OSError as error:
        return None, None, [f"{path}: {error.strerror or error}"]
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        return None, None, [f"{path}:{line}: not valid YAML ({getattr(error, 'problem', None) or error})"]


def load_catalogue(directory: Path | str = CATALOGUE_DIR, register_ids: Collection[str] | None = None) -> list[dict]:
    """Every indicator of the catalogue, in ARQ module order then file order, each with its ``module``.

    ``register_ids`` are the commitment ids the crosswalk may name (default: the
    committed register). Raises ``CatalogueError`` listing every problem.
    """
    directory = Path(directory)
    if register_ids is None:
        from reporting.register.build import load_register

        register_ids = {record["id"] for record in load_register()}
    files = sorted(directory.glob("*.yaml"), key=lambda p: (list(MODULES).index(p.stem) if p.stem in MODULES else 99, p.name))
    if not files:
        raise CatalogueError([f"{directory}: no indicator files (<module>.yaml)"])
    validator = _validator()
    problems: list[str] = []
    catalogue: list[dict] = []
    seen: dict[str, str] = {}
    for path in files:
        data, root, read_problems = _read(path)
        problems += read_problems
        if read_problems:
            continue
        errors = sorted(validator.iter_errors(data), key=lambda e: [str(step) for step in e.absolute_path])
        if errors:
            problems += [f"{path}:{_line(root, list(e.absolute_path))}: {_where(data, list(e.absolute_path))}{_short(e.message)}"
                         for e in errors]
            continue
        if path.stem != data["module"]:
            problems.append(f"{path}:{_line(root, ['module'])}: module {data['module']!r} must be in a file named {data['module']}.yaml")
        for index, indicator in enumerate(data["indicators"]):
            def at(*steps, _index=index):
                return f"{path}:{_line(root, ['indicators', _index, *steps])}: indicator {indicator['id']}: "
            if indicator["id"] in seen:
                problems.append(at("id") + f"id already used in {seen[indicator['id']]}")
            seen.setdefault(indicator["id"], f"{path.name}")
            problems += [at("crosswalk", i) + f"commitment {cid} is not in the register"
                         for i, cid in enumerate(indicator["crosswalk"]) if cid not in register_ids]
            problems += [at(*where) + message for where, message in _indicator_problems(indicator)]
            catalogue.append({**indicator, "module": data["module"]})
    if problems:
        raise CatalogueError(problems)
    return catalogue


def _short(message: str) -> str:
    return message if len(message) <= 200 else message[:197] + "..."


def _where(data: Any, path: list) -> str:
    """'indicator ID: ' for an error inside an indicator whose id is readable."""
    if len(path) >= 2 and path[0] == "indicators" and isinstance(data, dict):
        try:
            return f"indicator {data['indicators'][path[1]]['id']}: "
        except (KeyError, IndexError, TypeError):
            pass
    return ""


def _indicator_problems(indicator: dict) -> list[tuple[tuple, str]]:
    """The rules a schema cannot say, as (path inside the indicator, message)."""
    problems: list[tuple[tuple, str]] = []
    rows = indicator["rows"]
    allowed = DISAGGREGATIONS[rows["disaggregation"]]
    problems += [(("rows", "default", i), f"row {value!r} is not in the {rows['disaggregation']} list")
                 for i, value in enumerate(rows["default"]) if value not in allowed]
    measure_ids = [measure["id"] for measure in indicator["measures"]]
    problems += [(("measures",), f"measure {value!r} appears twice") for value in {m for m in measure_ids if measure_ids.count(m) > 1}]
    for i, measure in enumerate(indicator["measures"]):
        problems += [(("measures", i, key), message) for key, message in measure_problems(measure)]
    for i, total in enumerate(indicator.get("totals", ())):
        names = rows["default"] if total["axis"] == "rows" else measure_ids
        what = "default row" if total["axis"] == "rows" else "measure"
        problems += [(("totals", i), f"totals: {value!r} is not a {what} of this indicator")
                     for value in [total["total"], *total["parts"]] if value not in names]
        if total["total"] in total["parts"]:
            problems.append((("totals", i), f"totals: {total['total']!r} cannot be its own part"))
    if "show_if" in indicator:
        problems += [(("show_if",), message) for message in _condition_problems(indicator["show_if"])]
    for part, (indicator_id, measure_id) in SDG_351.items():
        if indicator["id"] == indicator_id:
            if measure_id not in measure_ids:
                problems.append((("measures",), f"SDG 3.5.1 takes its {part} from measure {measure_id!r}, which is missing"))
            if "3.5.1" not in indicator["sdg"]:
                problems.append((("sdg",), "feeds SDG 3.5.1 (its " + part + "): list \"3.5.1\" under sdg"))
    return problems


def _condition_problems(source: str) -> list[str]:
    """``show_if`` may read the screening questions only, and compare them with 'yes' or 'no'."""
    try:
        node = expressions.parse(source, "show_if", SCREENING_KEYS)
    except expressions.ExpressionError as error:
        return [f"show_if: {error.message} at character {error.position}"]
    return [f"show_if: {node.value!r} is not a screening answer (one of {', '.join(SCREENING_VALUES)})"
            for node in expressions.walk(node)
            if isinstance(node, expressions.Literal) and isinstance(node.value, str) and node.value not in SCREENING_VALUES]


def indicator_item(indicator: dict) -> dict:
    """The spec item (kind ``table``) of one catalogue indicator: key ``ind.<id>``, commitments = crosswalk.

    Rows shown from the start are the indicator's default rows; the rest of the
    controlled list may be added (``optional_rows``) when the indicator allows it.
    """
    rows = indicator["rows"]
    labels = DISAGGREGATIONS[rows["disaggregation"]]
    optional = [value for value in labels if value not in rows["default"]] if rows.get("addable") else []
    table = {
        "indicator": indicator["id"],
        "module": indicator["module"],
        "help": " ".join(indicator["definition"].split()),
        "data_source": indicator["data_source"],
        "reference_year": indicator["reference_year"],
        "sdg": list(indicator["sdg"]),
        "disaggregation": rows["disaggregation"],
        "rows": [{"value": value, "label": labels[value]} for value in rows["default"]],
        "optional_rows": [{"value": value, "label": labels[value]} for value in optional],
        "columns": [_column(measure) for measure in indicator["measures"]],
        "totals": [dict(total) for total in indicator.get("totals", ())],
    }
    item = {
        "key": ITEM_PREFIX + indicator["id"],
        "kind": "table",
        "commitments": list(indicator["crosswalk"]),
        "label": indicator["title"],
    }
    if indicator.get("show_if"):
        item["show_if"] = indicator["show_if"]
    item["table"] = table
    return item


def _column(measure: dict) -> dict:
    unit = UNITS[measure["unit"]]
    return {
        "key": measure["id"],
        "label": measure["label"],
        "unit": unit.key,
        "type": measure["type"],
        "min": measure.get("min", 0),
        "max": measure.get("max", unit.maximum),
        "decimals": measure.get("decimals", 0 if measure["type"] == "integer" else unit.decimals),
    }


def catalogue_by_section(catalogue: list[dict]) -> dict[str, list[dict]]:
    """Section key → its indicators, in catalogue order (for the generator)."""
    by_section: dict[str, list[dict]] = {}
    for indicator in catalogue:
        by_section.setdefault(indicator["section"], []).append(indicator)
    return by_section

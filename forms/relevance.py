"""Which items apply given the answers so far (``show_if``), and which
cross-field checks fail. Expressions are parsed once per source string by the
questionnaire's expression language; nothing is ever ``eval``-ed."""
from functools import lru_cache
import json
from typing import Any, Mapping

from reporting.questionnaire.expressions import holds, parse, referenced_keys, to_dict


@lru_cache(maxsize=4096)
def _parsed(source: str):
    return parse(source)


def is_visible(item: Mapping[str, Any], answers: Mapping[str, Any]) -> bool:
    condition = item.get("show_if")
    return not condition or holds(_parsed(condition), answers)


def section_applies(section, answers: Mapping[str, Any]) -> bool:
    """Whether a module's screening rule switches it on (sections without a rule always apply)."""
    return not section.show_if or holds(_parsed(section.show_if), answers)


def check_passes(check: Mapping[str, Any], answers: Mapping[str, Any]) -> bool:
    """A check with an unanswered input passes: completeness is checked separately."""
    node = _parsed(check["expr"])
    if any(answers.get(key) is None for key in referenced_keys(node)):
        return True
    return holds(node, answers)


@lru_cache(maxsize=4096)
def as_json(source: str) -> str:
    """The parsed expression for the browser's progressive enhancement (static/relevance.js)."""
    return json.dumps(to_dict(_parsed(source)), separators=(",", ":"))

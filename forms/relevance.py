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


@lru_cache(maxsize=4096)
def condition_keys(source: str | None) -> frozenset[str]:
    """The answer keys an expression reads (none without an expression)."""
    return frozenset(referenced_keys(_parsed(source))) if source else frozenset()


def check_passes(check: Mapping[str, Any], answers: Mapping[str, Any]) -> bool:
    """A check with an unanswered input passes: completeness is checked separately."""
    if any(answers.get(key) is None for key in condition_keys(check["expr"])):
        return True
    return holds(_parsed(check["expr"]), answers)


@lru_cache(maxsize=1024)  # a Section hashes by identity, and an indexed spec lives as long as the process
def section_inputs(section) -> frozenset[str]:
    """Every answer key that saving or checking ``section`` reads: its own items, and the keys that
    its module rule, its items' ``show_if`` and its cross-field checks refer to (screening answers
    kept in another section, say). A save loads these answers only, not the whole submission."""
    keys = {item["key"] for item in section.items} | condition_keys(section.show_if)
    for source in [*(item.get("show_if") for item in section.items), *(check["expr"] for check in section.checks)]:
        keys |= condition_keys(source)
    return frozenset(keys)


@lru_cache(maxsize=4096)
def as_json(source: str) -> str:
    """The parsed expression for the browser's progressive enhancement (static/relevance.js)."""
    return json.dumps(to_dict(_parsed(source)), separators=(",", ":"))

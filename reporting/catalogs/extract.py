"""Babel extractors for wording that lives in data files rather than code:
the questionnaire spec (section and item wording, choices, check messages)
and the commitments' short titles in the register. Named in ``babel.cfg``.

Full commitment texts are quoted in English and are not extracted.
"""
from typing import Any, Iterator

import yaml

SPEC_TEXT_KEYS = ("title", "label", "message", "help")


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in SPEC_TEXT_KEYS and isinstance(value, str) and value.strip():
                yield value
            elif key != "commitments":
                yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def extract_spec(fileobj, keywords, comment_tags, options):
    """Wording of a questionnaire spec; the frozen commitment texts it carries are skipped."""
    spec = yaml.safe_load(fileobj)
    for text in dict.fromkeys(_strings(spec)):
        yield 0, "gettext", text, ["questionnaire"]


def extract_register_titles(fileobj, keywords, comment_tags, options):
    """The short title of every commitment (``questionnaire_specs/register/titles.yaml``: id → title)."""
    titles = yaml.safe_load(fileobj) or {}
    for record_id, title in titles.items():
        if isinstance(title, str) and title.strip():
            yield 0, "gettext", title, [f"commitment {record_id}"]

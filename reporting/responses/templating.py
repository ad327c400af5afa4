"""Template helpers of the data-entry and review pages."""
import json
from typing import Any

from babel.lists import format_list
from flask import Blueprint
from flask_babel import format_decimal, get_locale, get_translations, gettext as _, lazy_gettext as _l, ngettext
from markupsafe import Markup, escape

from forms import tables
from forms.kinds import translate_spec_text
from forms.relevance import as_json
from reporting.core.templating import number_text
from reporting.questionnaire.measures import DISAGGREGATION_LABELS, UNITS
from reporting.questionnaire.scale import STATUS_LABELS
from reporting.responses.commitments import document_reference, official_text, question_reference
from reporting.responses.cycles import TRANSITIONS
from reporting.responses.examples import language_name
from reporting.responses.items import item_rows
from reporting.responses.labels import CYCLE_STATE_LABELS, SUBMISSION_STATE_LABELS

CYCLE_ACTIONS = {"open": _l("Open"), "closed": _l("Close"), "published": _l("Publish")}
AUDIT_VALUES = {"ready": _l("ready")}
AUDIT_ACTIONS = {
    "answer.changed": _l("Answer changed"),
    "answers.confirmed": _l("Carried-over answers confirmed"),
    "submission.state": _l("State changed"),
    "submission.publication": _l("Choice about publishing descriptions and documents"),
    "review.comment": _l("Comment from UNODC"),
    "section.ready": _l("Section marked ready for the focal point"),
    "section.not_ready": _l("Section no longer marked ready"),
    "examples.marked": _l("Marked as an example for the report"),
    "examples.unmarked": _l("Example removed from the report"),
    "workbook.applied": _l("Workbook applied"),
    "document.added": _l("Document attached"),
    "document.removed": _l("Document removed"),
}


def question_wording(item: dict[str, Any], question: dict[str, Any] | None = None) -> str:
    """How an item is named to people: its own wording, preceded by its question's for a
    follow-up ("Prevention programmes: Measures taken"), so that no two fields share a name."""
    if question is None:
        return str(translate_spec_text(item["label"]))
    return _("%(question)s: %(detail)s", question=translate_spec_text(question["label"]), detail=translate_spec_text(item["label"]))


def answer_text(item: dict[str, Any], value: Any) -> str:
    if value is None:
        return "—"
    if item["kind"] == "status":
        return str(STATUS_LABELS.get(value, value))
    if item["kind"] == "number":
        return format_decimal(value)
    if item["kind"] == "table":
        return tables.summary(item, value)
    if item["kind"] == "checkbox":
        return str(_l("Yes"))
    labels = {choice["value"]: choice["label"] for choice in item.get("choices", ())}
    values = value if isinstance(value, list) else [value]
    return list_text(str(translate_spec_text(labels[v])) if isinstance(v, str) and v in labels else str(v) for v in values)


def list_text(items) -> str:
    """Items joined as the reader's language joins a list: "a, b and c", «أ وب وج», 甲、乙和丙."""
    return format_list([str(item) for item in items], locale=get_locale())


def audit_value(value: Any, item: dict[str, Any] | None = None) -> str:
    """A recorded value as people read it: an answer as its question shows it, a state by
    its name, confirmed answers by their number; never register keys."""
    if value is None:
        return "—"
    if item is not None:
        return answer_text(item, value)
    if isinstance(value, list):  # the answers a focal point confirmed: their question keys
        return ngettext("%(num)d answer", "%(num)d answers", len(value))
    if isinstance(value, str):
        return str(STATUS_LABELS.get(value) or SUBMISSION_STATE_LABELS.get(value) or AUDIT_VALUES.get(value) or value)
    return json.dumps(value, ensure_ascii=False)


def section_links(sections, current, progress: dict[str, Any], submission_url: str) -> Markup:
    """The items of a section page's "All sections" list: each section linked, with its progress.

    Built here rather than in the template (as ``forms.tables`` builds a grid's cells): every
    section page lists all about forty sections, and Jinja spends more on the calls and
    escapes of each list item than on the rest of a short page. A section's address is its
    submission's followed by its key (a slug)."""
    title = get_translations().gettext
    locale = get_locale()
    base = escape(submission_url)
    here = ' aria-current="page"'
    return Markup("".join(
        f'\n      <li><a href="{base}{escape(other.key)}"{here if other is current else ""}>'
        f'{escape(title(other.title))}</a>\n        <span class="muted">{escape(number_text(progress[other.key].answered, locale))} / '
        f'{escape(number_text(progress[other.key].asked, locale))}</span></li>\n    '
        for other in sections
    ))


def register_helpers(bp: Blueprint) -> None:
    helpers = {
        "cycle_state_label": lambda state: CYCLE_STATE_LABELS.get(state, state),
        "submission_state_label": lambda state: SUBMISSION_STATE_LABELS.get(state, state),
        "submission_states": lambda: list(SUBMISSION_STATE_LABELS.items()),
        "next_cycle_states": lambda state: [
            (target.value, CYCLE_ACTIONS[target.value]) for target, sources in TRANSITIONS.items()
            if state in {source.value for source in sources}
        ],
        "audit_action_label": lambda action: AUDIT_ACTIONS.get(action, action),
        "audit_value": audit_value,
        "answer_text": answer_text,
        "status_label": lambda value: STATUS_LABELS.get(value, value),
        "question_wording": question_wording,
        "relevance_json": lambda item: as_json(item["show_if"]),
        "document_reference": document_reference,
        "list_text": list_text,
        "question_reference": question_reference,
        "table_rows": tables.rows_of,
        "unit_label": lambda column: UNITS[column["unit"]].label,
        "table_cell_label": tables.cell_label,
        "disaggregation_label": DISAGGREGATION_LABELS.get,
        "official_text": official_text,
        "section_links": section_links,
        "item_rows": item_rows,
        "language_name": language_name,
    }
    for name, function in helpers.items():
        bp.add_app_template_global(function, name)

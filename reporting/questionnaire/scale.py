"""The fixed implementation-status scale and the item kinds of the questionnaire.

One place for both, imported by the spec generator, the forms and the reports,
so that a value means the same thing everywhere.

Spec wording (labels, titles) is stored in the spec as its English gettext
msgid and translated where it is shown; ``N_`` marks such a msgid for
``pybabel extract`` without translating it.
"""
from flask_babel import lazy_gettext as _l


def N_(message: str) -> str:
    """Mark ``message`` as a msgid (extracted by Babel's default keywords); return it untranslated."""
    return message


STATUS_MSGIDS = (
    ("not_started", N_("Not started")),
    ("planned", N_("Planned")),
    ("in_progress", N_("In progress")),
    ("implemented", N_("Implemented")),
    ("not_applicable", N_("Not applicable")),
)
STATUS_SCALE = tuple((value, _l(msgid)) for value, msgid in STATUS_MSGIDS)
STATUS_VALUES = tuple(value for value, _label in STATUS_SCALE)
STATUS_LABELS = dict(STATUS_SCALE)
# Statuses for which "measures taken" and evidence are asked.
PLANNED_OR_BEYOND = ("planned", "in_progress", "implemented")

ITEM_KINDS = ("status", "text", "url", "number", "single_choice", "multiple_choice", "comment", "table", "checkbox")
CHOICE_KINDS = ("single_choice", "multiple_choice")
NUMBER_TYPES = ("integer", "decimal", "percent", "year")

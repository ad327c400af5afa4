"""How a commitment is cited beside its question: its document and its place in it."""
from functools import lru_cache
from typing import Any

from flask_babel import get_locale, gettext as _, lazy_gettext as _l

DOCUMENT_NAMES = {
    "pd2009": _l("Political Declaration 2009"),
    "poa2009": _l("Plan of Action 2009"),
    "jms2014": _l("Joint Ministerial Statement 2014"),
    "jms2014-priorities": _l("Joint Ministerial Statement 2014, challenges and priorities"),
    "ungass2016": _l("UNGASS 2016 outcome document"),
    "sofia2018": _l("Sofia Declaration 2018 (EU–CELAC)"),
    "honlea2017": _l("Recommendations of the subsidiary bodies 2017"),
}


def document_reference(commitment_id: str, record: dict[str, Any]) -> str:
    """Where a commitment stands, e.g. "Plan of Action 2009, Action 4 (h)", from its id's printed labels."""
    return _reference(commitment_id, record["document"], str(get_locale()))


@lru_cache(maxsize=8192)
def _reference(commitment_id: str, document: str, _locale: str) -> str:
    """Cached per locale: a section page cites dozens of commitments."""
    _document, _dot, place = commitment_id.partition(".")
    parts = place.split(".")
    if document in ("poa2009", "honlea2017"):
        parts = parts[1:]  # the Part of the Plan of Action, the region of a HONLEA meeting
    if document == "poa2009":
        number = _("Action %(number)s", number=parts[0])
    elif parts[0].startswith("pp"):
        number = _("preambular paragraph %(number)s", number=parts[0][2:])
    else:
        number = _("paragraph %(number)s", number=parts[0])
    letters = "".join(f" ({part})" for part in parts[1:] if part != "intro")
    return f"{DOCUMENT_NAMES.get(document, document)}, {number}{letters}"

"""How a commitment is cited beside its question: its document and its place in it."""
from typing import Any

from flask_babel import lazy_gettext as _l

DOCUMENT_NAMES = {
    "pd2009": _l("Political Declaration 2009"),
    "poa2009": _l("Plan of Action 2009"),
    "jms2014": _l("Joint Ministerial Statement 2014"),
    "jms2014-priorities": _l("Joint Ministerial Statement 2014, challenges and priorities"),
    "ungass2016": _l("UNGASS 2016 outcome document"),
    "sofia2018": _l("Sofia Declaration 2018 (EU–CELAC)"),
    "honlea2017": _l("Recommendations of the subsidiary bodies 2017"),
}


def document_reference(record: dict[str, Any]) -> str:
    """E.g. "Plan of Action 2009, I.2.a": the document's name and the commitment's place in it."""
    document = DOCUMENT_NAMES.get(record["document"], record["document"])
    place = record["id"].split(".", 1)[1] if "." in record["id"] else record.get("label", "")
    return f"{document}, {place}"

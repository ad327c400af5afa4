"""How a commitment is cited beside its question: its document and its place in it.

The whole citation is one translatable pattern per kind of label, so that each
language orders and punctuates it as its UN documents do: "Political
Declaration 2009, paragraph 14 (h)", Spanish "…, párrafo 14 h)", Chinese
"…第14(h)段" without a Latin comma, Arabic "…، الفقرة 14 (ح)" with an Arabic
comma and an Arabic sub-paragraph letter.
"""
from functools import lru_cache
from typing import Any

from flask_babel import get_locale, lazy_gettext as _l, pgettext

from forms.spec import Spec
from reporting.register.model import official_text_url

DOCUMENT_NAMES = {
    "pd2009": _l("Political Declaration 2009"),
    "poa2009": _l("Plan of Action 2009"),
    "jms2014": _l("Joint Ministerial Statement 2014"),
    "jms2014-priorities": _l("Joint Ministerial Statement 2014, challenges and priorities"),
    "ungass2016": _l("UNGASS 2016 outcome document"),
    "sofia2018": _l("Sofia Declaration 2018 (EU–CELAC)"),
    "honlea2017": _l("Recommendations of the subsidiary bodies 2017"),
}

# (kind of label, has a sub-paragraph letter) → the citation pattern. The
# register has no lettered preambular paragraph.
PATTERNS = {
    ("paragraph", False): _l("%(document)s, paragraph %(number)s"),
    ("paragraph", True): _l("%(document)s, paragraph %(number)s (%(letter)s)"),
    ("preambular", False): _l("%(document)s, preambular paragraph %(number)s"),
    ("action", False): _l("%(document)s, Action %(number)s"),
    ("action", True): _l("%(document)s, Action %(number)s (%(letter)s)"),
}
LATIN_LETTERS = "a b c d e f g h i j k l m n o p q r s t u v w x y z".split()


def document_reference(commitment_id: str, record: dict[str, Any]) -> str:
    """Where a commitment stands, e.g. "Plan of Action 2009, Action 4 (h)", from its id's printed labels."""
    return _reference(commitment_id, record["document"], str(get_locale()))


def question_reference(spec: Spec, item: dict[str, Any]) -> str | None:
    """The reference of the commitment a question asks about; None for one that cites none."""
    commitment_id = (item.get("commitments") or [None])[0]
    record = spec.commitments.get(commitment_id) if commitment_id else None
    return document_reference(commitment_id, record) if record else None


def subparagraph_letter(letter: str) -> str:
    """The sub-paragraph letter as the language's UN documents print it: Arabic (h) is (ح).

    The catalogs translate the whole alphabet at once, in order; a translation
    without 26 letters is ignored rather than shifting every letter.
    """
    letters = pgettext("sub-paragraph letters a to z, in order, separated by spaces",
                       "a b c d e f g h i j k l m n o p q r s t u v w x y z").split()
    if len(letters) != len(LATIN_LETTERS) or letter not in LATIN_LETTERS:
        return letter
    return letters[LATIN_LETTERS.index(letter)]


@lru_cache(maxsize=8192)
def _reference(commitment_id: str, document: str, _locale: str) -> str:
    """Cached per locale: a section page cites dozens of commitments."""
    _document, _dot, place = commitment_id.partition(".")
    parts = place.split(".")
    if document in ("poa2009", "honlea2017"):
        parts = parts[1:]  # the Part of the Plan of Action, the region of a HONLEA meeting
    number, letters = parts[0], [part for part in parts[1:] if part != "intro"]
    if document == "poa2009":
        kind = "action"
    elif number.startswith("pp"):
        kind, number = "preambular", number[2:]
    else:
        kind = "paragraph"
    values = {"document": str(DOCUMENT_NAMES.get(document, document)), "number": number}
    if letters:
        values["letter"] = subparagraph_letter(letters[0])
    return str(PATTERNS[kind, bool(letters)]) % values


def official_text(record: dict[str, Any]) -> tuple[str, str] | None:
    """(URL, language) of the official text of the record's document in the reader's language, or English."""
    return official_text_url(record["document"], str(get_locale().language))

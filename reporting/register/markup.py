"""Markup kept from the sources' layout, turned into plain text and fields.

The chart uses HTML-like tags (``<b>`` operative verbs, ``<u>`` targets and
sunset clauses, ``<i>`` titles, ``<p>`` sub-item separators, ``<sup>n</sup>``
footnote marks); the regional sources use Markdown (``**bold**``,
``*italic*``).
"""
import re

FOOTNOTE_MARK = re.compile(r"\s*<sup>\d+</sup>")
TAG = re.compile(r"</?[biup]>")
BOLD = re.compile(r"<b>(.*?)</b>")
UNDERLINE = re.compile(r"<u>(.*?)</u>")
MD_BOLD = re.compile(r"\*\*(.+?)\*\*")
MD_ITALIC = re.compile(r"\*([^*\s][^*]*)\*")
YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def normalise(text: str) -> str:
    """Collapse whitespace and drop the space the tag conversion left before punctuation."""
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r" ([,;:.])(?= |$)", r"\1", text)


def plain(raw: str) -> str:
    """Text without footnote marks or markup."""
    text = TAG.sub("", FOOTNOTE_MARK.sub("", raw))
    return normalise(MD_ITALIC.sub(r"\1", MD_BOLD.sub(r"\1", text)))


def _spans(pattern: re.Pattern, raw: str) -> list[str]:
    found = (plain(span).rstrip(" ,;:") for span in pattern.findall(raw))
    return [span for span in found if span]


def verbs(raw: str) -> list[str]:
    """The operative verbs: the bold spans (``<b>`` or ``**``)."""
    return _spans(BOLD, raw) or _spans(MD_BOLD, raw)


def target(raw: str) -> dict | None:
    """Underlined target or sunset text, with the first year it names.

    Several ``<u>`` spans in one record are joined with "; " in source order,
    so ``target`` always has one shape: ``None`` or ``{"text", "year"}``.
    """
    spans = _spans(UNDERLINE, raw)
    if not spans:
        return None
    text = "; ".join(spans)
    year = YEAR.search(text)
    return {"text": text, "year": int(year.group()) if year else None}


def join_continuation(raw: str, continuation: str) -> str:
    """Append a continuation row; a bold span cut by the page break becomes one span again."""
    raw, continuation = raw.rstrip(), continuation.strip()
    if raw.endswith("</b>") and continuation.startswith("<b>"):
        return f"{raw[:-4]} {continuation[3:]}"
    return f"{raw} {continuation}"

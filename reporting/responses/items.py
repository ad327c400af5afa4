"""The items of a section page: their fixed markup rendered once, what varies filled in per page view.

A section page draws up to hundreds of fields, and Jinja spent more on each field's calls, lookups
and escapes than on all the rest of the page (see benchmarks/table_entry.py). Most of an item's
markup depends only on the spec version, the item and the language: labels, help, commitment texts,
ids, aria attributes, column and row headers. ``responses/_item.html`` describes that markup once,
in its ``row`` macro, with every part that depends on the page view marked by ``vary``. The macro
is rendered once per (section, item, group of status columns, language) and kept for the life of
the process: a spec version never changes, and templates change with a deploy, which restarts it
(in debug mode nothing is kept). Each view then fills in the marked parts from its answers
(escaped), errors, plausibility flags, carried-over marks, comments, documents and read-only state
(``PageView``).
"""
from typing import Any, NamedTuple

from flask import current_app, get_template_attribute
from flask_babel import get_locale
from jinja2 import pass_context
from markupsafe import Markup, escape

from forms import tables
from forms.spec import Section

MARK = "<\x00>"  # where a varying part goes in the fixed markup: never in escaped text, which has no "<"
MAX_KEPT = 8_000  # items kept: arq 2.0.0 has 523 (about 1.5 MB of markup) per language, so 2 versions in 6 languages fit


class FixedItem(NamedTuple):
    """Markup with named holes: ``parts`` around ``slots``, each slot (name, arguments, shown) where
    ``shown`` is the markup drawn when the condition ``name`` holds (a string, or a FixedItem when it
    has holes of its own), or None for a text slot."""
    parts: tuple[str, ...]
    slots: tuple[tuple[str, tuple[Any, ...], "str | FixedItem | None"], ...]


_KEPT: dict[tuple[Section, str, int, str], FixedItem] = {}


def _macro(name: str):
    return get_template_attribute("responses/_item.html", name)


def _cut(html: str, slots: list) -> FixedItem:
    parts = tuple(html.split(MARK))
    if len(parts) != len(slots) + 1:
        raise RuntimeError("responses/_item.html: its markup contains the mark of a varying part")
    return FixedItem(parts, tuple(slots))


def fixed_item(section: Section, item: dict[str, Any], head: int, language: str, scale, commitments, tr) -> FixedItem:
    """The item's markup with each varying part cut out and named, rendered once per language.

    ``head`` numbers the item's group of status columns (its radios' aria-labelledby); a Section
    compares by identity and lives as long as its indexed spec version, so it keys the spec version."""
    key = (section, item["key"], head, language)
    kept = _KEPT.get(key)
    if kept is not None:
        return kept
    recording: list[list] = [[]]  # the slots of the markup being rendered, innermost call block last

    def vary(name: str, *args: Any, caller=None) -> Markup:
        shown = None
        if caller is not None:
            recording.append([])
            html = str(caller())
            inner = recording.pop()
            shown = _cut(html, inner) if inner else html
        recording[-1].append((name, args, shown))
        return Markup(MARK)

    kept = _cut(str(_macro("row")(item, head, section, scale, commitments, tr, vary)), recording.pop())
    if current_app.jinja_env.auto_reload:  # debug mode: a developer editing the templates sees each change
        return kept
    if len(_KEPT) >= MAX_KEPT:
        _KEPT.clear()
    _KEPT[key] = kept
    return kept


class PageView:
    """What one view of a section page fills into its items' fixed markup.

    Each method answers one ``vary`` of ``_item.html`` for one item: the ones called with a block
    (``{% call vary(...) %}``) say whether its markup is shown, the others give the text or markup."""

    def __init__(self, context):
        self.values = context["values"]
        self.errors = context["errors"]
        self.carried_keys = context["carried"]
        self.editable = context["editable"]
        self.earlier_statuses = context["earlier_statuses"]
        self.commitments = context["commitments"]
        self.item_comments = context["item_comments"]
        self.documents_by_item = context["documents"]
        self.table_flags = context["table_flags"]
        self.cycle, self.country = context["cycle"], context["country"]
        self._grids: dict[str, dict[str, Any]] = {}

    def fill(self, fixed: FixedItem, item: dict[str, Any]) -> str:
        value = self.values.get(item["key"])
        out = [fixed.parts[0]]
        for (name, args, shown), part in zip(fixed.slots, fixed.parts[1:]):
            filled = getattr(self, name)(item, value, *args)
            if shown is not None:
                filled = (shown if type(shown) is str else self.fill(shown, item)) if filled else ""
            out.append(filled)
            out.append(part)
        return "".join(out)

    # Shown or not.
    def has_error(self, item, value) -> bool:
        return bool(self.errors.get(item["key"]))

    def carried(self, item, value) -> bool:
        return item["key"] in self.carried_keys

    def read_only(self, item, value) -> bool:
        return not self.editable

    def checked(self, item, value, *option) -> bool:
        if not option:  # a checkbox
            return bool(value)
        if item["kind"] == "multiple_choice" and value:
            return option[0] in value
        return option[0] == value

    # Text and parts.
    def value(self, item, value) -> Markup:
        return escape("" if value is None else value)

    def earlier(self, item, value) -> str:
        statuses = self.earlier_statuses.get(item["key"])
        return _macro("earlier")(statuses, self.commitments) if statuses is not None else ""

    def comments(self, item, value) -> str:
        listed = self.item_comments.get(item["key"])
        return _macro("comments")(listed) if listed else ""

    def error(self, item, value) -> str:
        messages = self.errors.get(item["key"])
        return _macro("error")(item["key"], messages) if messages else ""

    def documents(self, item, value) -> str:
        listed = self.documents_by_item.get(item["key"])
        return _macro("documents")(listed, self.editable, self.cycle, self.country) if listed else ""

    # An indicator table: its rows and cells as this view has them.
    def _grid(self, item, value) -> dict[str, Any]:
        key = item["key"]
        grid = self._grids.get(key)
        if grid is None:
            grid = self._grids[key] = tables.grid(item, value, self.table_flags.get(key, ()), disabled=not self.editable)
        return grid

    def table_flagged(self, item, value) -> bool:
        return self._grid(item, value)["flagged"]

    def table_year(self, item, value) -> Markup:
        return escape(self._grid(item, value)["year"])

    def row_shown(self, item, value, row) -> bool:
        return row in self._grid(item, value)["rows"]

    def row_flagged(self, item, value, row) -> bool:
        return self._grid(item, value)["rows"][row]["flagged"]

    def row_cells(self, item, value, row) -> Markup:
        return self._grid(item, value)["rows"][row]["cells"]

    def extra_rows(self, item, value) -> bool:
        return bool(self._grid(item, value)["extra_rows"])

    def extra_rows_value(self, item, value) -> Markup:
        return escape(self._grid(item, value)["extra_rows"])

    def addable(self, item, value) -> bool:
        return self.editable and bool(self._grid(item, value)["addable"])

    def addable_row(self, item, value, row) -> bool:
        return row in self._grid(item, value)["addable"]

    def table_note_shown(self, item, value) -> bool:
        grid = self._grid(item, value)
        return grid["flagged"] or bool(grid["note"])

    def table_note(self, item, value) -> Markup:
        return escape(self._grid(item, value)["note"])


@pass_context
def item_rows(context, section: Section, items, head: int) -> Markup:
    """The rows of ``items`` (one group of a section page's table), as the page's template context has them."""
    language = str(get_locale())
    view = PageView(context)
    scale, commitments, tr = context["scale"], context["commitments"], context["tr"]
    return Markup("".join(
        view.fill(fixed_item(section, item, head, language, scale, commitments, tr), item) for item in items
    ))

"""The field of a ``table`` question (an indicator table) and how its cells are read and shown.

A table is posted as one input per cell, named ``<key>:<row>:<column>``, plus
``<key>:year`` (reference year, where the indicator asks for the latest year
with data), ``<key>:note`` (the confirmation note of unusual values) and
``<key>:rows`` / ``<key>:add`` (rows added from the controlled list). Item keys
never contain ``:``, so every such name belongs to exactly one item.

A cell is empty (not answered), a number, or "--" — the ARQ's "no data",
stored as ``NO_DATA`` and never confused with zero. Numbers are read in the
reader's locale (Babel: "1 234,5" in French, "1,234.5" in English) or in the
plain form "1234.5"; JSON clients (the REST API) always send the plain form.
NaN, infinities, exponents and values outside the column's unit limits are
refused with a message naming the cell. The stored answer is one JSON value:

    {"rows": {"heroin": {"kg": 1250.5, "cases": "no_data"}}, "year": 2024, "note": "…"}
"""
from datetime import date
from decimal import Decimal, InvalidOperation
import re
from typing import Any, Iterable, Mapping

from functools import lru_cache

from babel.numbers import NumberFormatError, NumberPattern, get_group_symbol, parse_decimal, parse_pattern
from markupsafe import Markup, escape
from flask_babel import format_decimal, get_locale, lazy_gettext as _l
from flask_babel import lazy_gettext as translate_spec_text
from wtforms import Field
from wtforms.utils import unset_value

from reporting.questionnaire.measures import NO_DATA, NO_DATA_TOKENS, UNITS

MAX_CELL_TEXT = 40
MAX_NOTE = 2000
FIRST_YEAR = 1990
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
# Arabic-Indic and Eastern Arabic-Indic digits, Arabic decimal and group separators.
DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫٬", "01234567890123456789.,")
CONTROL_SUFFIXES = ("note", "year", "rows", "add")


class CellError(ValueError):
    """A cell that cannot be stored; the message says why (the caller names the cell)."""


def parse_cell(text: str | None, column: Mapping[str, Any], locale: Any = None) -> Any:
    """The stored value of one typed cell: None (empty), ``NO_DATA``, or an int/float within the column's limits."""
    text = (text or "").strip()
    if not text:
        return None
    if text.lower() in NO_DATA_TOKENS:
        return NO_DATA
    if len(text) > MAX_CELL_TEXT:
        raise CellError(_l("Enter a number, or -- where there are no data."))
    compact = SPACES.sub("", text.translate(DIGITS))
    number = None
    if "e" in compact.lower():  # Babel reads "1e5"; nobody types a count that way, so it is a typo
        raise CellError(_l("Enter a number, or -- where there are no data."))
    if locale is not None:
        try:
            number = parse_decimal(compact, locale=locale, strict=True)
        except (NumberFormatError, InvalidOperation, ValueError):
            number = None
    if number is None and PLAIN_NUMBER.fullmatch(compact):
        number = Decimal(compact)
    if number is None or not number.is_finite():
        raise CellError(_l("Enter a number, or -- where there are no data."))
    low, high = column.get("min", 0), column.get("max", UNITS[column["unit"]].maximum)
    if number < low:
        raise CellError(_l("Enter a number of at least %(min)s.", min=format_decimal(low)))
    if number > high:
        raise CellError(_l("Enter a number of at most %(max)s.", max=format_decimal(high)))
    decimals = column.get("decimals", 0 if column["type"] == "integer" else UNITS[column["unit"]].decimals)
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > decimals:
        if decimals == 0:
            raise CellError(_l("Enter a whole number."))
        raise CellError(_l("Enter at most %(count)d decimal places.", count=decimals))
    if number == number.to_integral_value():
        return int(number)
    return float(number)


def rows_of(table: Mapping[str, Any]) -> dict[str, str]:
    """Every row the table may have (shown from the start, then addable): value → label."""
    return {row["value"]: row["label"] for row in (*table["rows"], *table.get("optional_rows", ()))}


def _cell_name(table_key: str, row: str, column: str) -> str:
    return f"{table_key}:{row}:{column}"


def read_table(item: Mapping[str, Any], formdata: Mapping[str, Any], locale: Any = None) -> tuple[Any, list[str]]:
    """(stored value or None, messages) from posted names; every bad cell gets a message naming it."""
    key, table = item["key"], item["table"]
    rows, columns = rows_of(table), {column["key"]: column for column in table["columns"]}
    prefix = key + ":"
    messages: list[str] = []
    cells: dict[str, dict[str, Any]] = {}
    if key in formdata:
        messages.append(_l("Send this table as its cells (one value per row and column), not as one value."))
    for name in formdata:
        if not name.startswith(prefix) or name[len(prefix):] in CONTROL_SUFFIXES:
            continue
        row, _sep, column = name[len(prefix):].partition(":")
        if row not in rows:
            messages.append(_l("“%(row)s” is not a row of this table: choose rows from the list.", row=row))
            continue
        if column not in columns:
            messages.append(_l("“%(column)s” is not a column of this table (the measures and units are fixed).", column=column))
            continue
        try:
            value = parse_cell(formdata.get(name), columns[column], locale)
        except CellError as error:
            messages.append(f"{translate_spec_text(rows[row])}, {translate_spec_text(columns[column]['label'])}: {error}")
            continue
        if value is not None:
            cells.setdefault(row, {})[column] = value
    ordered = {row: {column: cells[row][column] for column in columns if column in cells[row]}
               for row in rows if row in cells}
    answer: dict[str, Any] = {"rows": ordered} if ordered else {}
    year_text = (formdata.get(prefix + "year") or "").strip()
    if year_text:
        year = year_text.translate(DIGITS)
        if table.get("reference_year") != "latest_available":
            messages.append(_l("This table is about the calendar year before the cycle: no reference year is asked."))
        elif not year.isdigit() or not FIRST_YEAR <= int(year) <= date.today().year:
            messages.append(_l("Reference year: enter a year from %(first)d to %(last)d.", first=FIRST_YEAR, last=date.today().year))
        else:
            answer["year"] = int(year)
    note = (formdata.get(prefix + "note") or "").strip()
    if len(note) > MAX_NOTE:
        messages.append(_l("Note: at most %(max)d characters.", max=MAX_NOTE))
    elif note:
        answer["note"] = note
    if not messages:
        messages += total_problems(table, ordered)
    return (answer or None), messages


def total_problems(table: Mapping[str, Any], cells: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Parts that add up to more than their total (cells with "no data" or empty are left out of the sum).

    Along the rows only columns whose unit adds up are checked: male + female
    people make the total, their rates or shares do not."""
    rows = rows_of(table)
    columns = {column["key"]: column["label"] for column in table["columns"] if UNITS[column["unit"]].summable}
    messages = []
    for rule in table.get("totals", ()):
        if rule["axis"] == "rows":
            lines = [(column, label, lambda name, c=column: cells.get(name, {}).get(c)) for column, label in columns.items()]
            names = rows
        else:
            lines = [(row, label, lambda name, r=row: cells.get(r, {}).get(name)) for row, label in rows.items()]
            names = {column["key"]: column["label"] for column in table["columns"]}
        for _line, line_label, value_of in lines:
            total = value_of(rule["total"])
            parts = [value_of(part) for part in rule["parts"]]
            numbers = [part for part in parts if isinstance(part, (int, float))]
            if isinstance(total, (int, float)) and numbers and sum(numbers) > total:
                messages.append(_l(
                    "%(line)s: %(parts)s add up to %(sum)s, more than %(total)s (%(value)s).",
                    line=translate_spec_text(line_label),
                    parts=" + ".join(str(translate_spec_text(names[part])) for part in rule["parts"]),
                    sum=format_decimal(sum(numbers)), total=translate_spec_text(names[rule["total"]]),
                    value=format_decimal(total),
                ))
    return messages


def to_formdata(key: str, value: Any) -> list[tuple[str, str]]:
    """A stored (or JSON) table value as the names a page would post: what the API validates through the form."""
    if value is None:
        return []
    if not isinstance(value, dict) or not isinstance(value.get("rows", {}), dict) or set(value) - {"rows", "year", "note"}:
        return [(key, "not a table")]
    pairs = []
    for row, cells in value.get("rows", {}).items():
        if not isinstance(cells, dict):
            return [(key, "not a table")]
        for column, cell in cells.items():
            text = "--" if cell == NO_DATA else _plain(cell)
            pairs.append((_cell_name(key, str(row), str(column)), text))
    for part in ("year", "note"):
        if value.get(part) is not None:
            pairs.append((f"{key}:{part}", str(value[part])))
    return pairs


def _plain(cell: Any) -> str:
    """A JSON number in the plain form; anything else as text, so that the cell is refused by name."""
    if isinstance(cell, bool) or not isinstance(cell, (int, float)):
        return str(cell)
    return format(Decimal(repr(cell)) if isinstance(cell, float) else Decimal(cell), "f")


class TableField(Field):
    """The cells of one table; ``data`` is the stored value. Errors name each cell."""

    def __init__(self, label=None, validators=None, *, item: Mapping[str, Any], **kwargs):
        super().__init__(label, validators, **kwargs)
        self.item = item

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.process_errors = []
        self.raw_data = None
        if formdata is None:
            self.data = None if data is unset_value else data
            return
        locale = getattr(self.meta, "number_locale", "request")
        self.data, self.process_errors = read_table(self.item, formdata, get_locale() if locale == "request" else locale)

    def _value(self):
        return ""


# --- showing a table on the page ---------------------------------------------------

@lru_cache(maxsize=64)
def _pattern(decimals: int) -> NumberPattern:
    """Parsed once: Babel would parse the pattern again for every cell of every page."""
    return parse_pattern("#,##0" + ("." + "#" * decimals if decimals else ""))


@lru_cache(maxsize=64)
def _group_symbol(locale) -> str:
    return get_group_symbol(locale, numbering_system="latn")


def _shown(value: Any, column: Mapping[str, Any], locale) -> str:
    """A stored cell as the reader types it: grouped in ``locale`` (the page's), "--" for no data.

    A whole number (most cells are counts) is grouped by threes as Babel's "#,##0" groups it, without
    Babel's decimal arithmetic, which took a tenth of a table page's time."""
    if value is None:
        return ""
    if value == NO_DATA:
        return "--"
    if type(value) is int and value >= 0:
        return f"{value:,}".replace(",", _group_symbol(locale))
    return _pattern(column.get("decimals", 0)).apply(value, locale)


def _cell_html(key: str, row: str, column: str, text: str, flagged: bool, disabled: bool) -> Markup:
    """One input of the grid, built here rather than in the template: a table section has
    hundreds of them, and string building is several times faster than Jinja (or Markup.format)."""
    name = escape(_cell_name(key, row, column))
    labels = escape(f"{key}:row:{row} {key}:col:{column}")
    flag = (f'<span class="flag" title="{escape(_l("Unusual value: please confirm it in the note"))}">!</span>'
            if flagged else "")
    cls = ' class="flagged"' if flagged else ""
    return Markup(
        f'<td{cls}><input type="text" inputmode="decimal" name="{name}" id="{name}" '
        f'value="{escape(text)}" size="9" dir="ltr" autocomplete="off" aria-labelledby="{labels}"'
        f'{" disabled" if disabled else ""}>{flag}</td>'
    )


def grid(item: Mapping[str, Any], value: Any, flagged: Iterable[tuple[str | None, str | None]] = (),
         disabled: bool = False) -> dict[str, Any]:
    """What varies in a table on the page: the rows shown (default, stored, posted and requested
    ones) with each one's cells, the rows that can still be added, the reference year and the note.
    The rest (headers, labels, help) is the item's fixed markup (``reporting/responses/items.py``).

    ``value`` is the stored answer, or ``{"typed": {name: text}}`` when a
    refused post is shown again exactly as typed.
    """
    key, table = item["key"], item["table"]
    labels = rows_of(table)
    typed = value.get("typed") if isinstance(value, dict) and "typed" in value else None
    stored = {} if typed is not None or not isinstance(value, dict) else value
    shown = [row["value"] for row in table["rows"]]
    if typed is not None:
        requested = [row for row in typed.get(f"{key}:rows", "").split(",") if row]
        requested += [typed.get(f"{key}:add", "")]
        requested += [name.split(":")[1] for name in typed if name.count(":") == 2 and (typed[name] or "").strip()]
    else:
        requested = list(stored.get("rows", {}))
    shown += [row for row in labels if row in requested and row not in shown]
    flags = set(flagged)
    locale = get_locale() or "en"  # once per table, not once per cell
    rows = {}
    for row in shown:
        cells = []
        for column in table["columns"]:
            name = _cell_name(key, row, column["key"])
            text = typed.get(name, "") if typed is not None else _shown(stored.get("rows", {}).get(row, {}).get(column["key"]), column, locale)
            cells.append(_cell_html(key, row, column["key"], text or "", (row, column["key"]) in flags, disabled))
        rows[row] = {"cells": Markup("".join(cells)), "flagged": (row, None) in flags}
    default = {row["value"] for row in table["rows"]}
    return {
        "rows": rows,
        "addable": {row for row in labels if row not in rows},
        "extra_rows": ",".join(row for row in shown if row not in default),
        "year": (typed.get(f"{key}:year", "") if typed is not None else stored.get("year", "")),
        "note": (typed.get(f"{key}:note", "") if typed is not None else stored.get("note", "")),
        "flagged": bool(flags),
    }


def posted(key: str, formdata: Mapping[str, Any]) -> dict[str, Any]:
    """What was posted for one table, kept as typed (for showing a refused page again)."""
    prefix = key + ":"
    return {"typed": {name: formdata.get(name) for name in formdata if name.startswith(prefix)}}


def summary(item: Mapping[str, Any], value: Any) -> str:
    """One line for conflict lists and the history: the filled cells, "--" for no data."""
    if not isinstance(value, dict) or not value.get("rows"):
        return "—"
    labels = rows_of(item["table"])
    columns = {column["key"]: column for column in item["table"]["columns"]}
    locale = get_locale() or "en"
    parts = []
    for row, cells in value["rows"].items():
        shown = ", ".join(f"{translate_spec_text(columns[c]['label'])} {_shown(v, columns[c], locale)}" for c, v in cells.items() if c in columns)
        parts.append(f"{translate_spec_text(labels.get(row, row))}: {shown}")
    return "; ".join(parts)


def cell_label(item: Mapping[str, Any], row: str, column: str | None) -> str:
    """"Heroin, Quantity seized (kg)": how a message names one cell."""
    labels = rows_of(item["table"])
    text = str(translate_spec_text(labels.get(row, row)))
    for col in item["table"]["columns"]:
        if col["key"] == column:
            text += f", {translate_spec_text(col['label'])} ({translate_spec_text(UNITS[col['unit']].label)})"
    return text


# --- the offline workbook (see forms/workbook.py) -----------------------------------
# Under the question row: a heading row with the measures and their units, one row
# per row of the list (the optional ones too: rows cannot be added on a sheet),
# then the reference year (where asked) and the note. Each cell is read back as
# the text the page would have posted, so the same field validates it.

def workbook_rows(item: Mapping[str, Any]) -> int:
    table = item["table"]
    return 2 + len(rows_of(table)) + (table.get("reference_year") == "latest_available") + 1


def write_cells(item: Mapping[str, Any], value: Any, cells) -> None:
    table = item["table"]
    stored = value if isinstance(value, dict) else {}
    cells.label(1, _l("Row / measure (unit)"), marker=":columns")
    for offset, column in enumerate(table["columns"]):
        cells.heading(1, offset, f"{translate_spec_text(column['label'])} ({translate_spec_text(UNITS[column['unit']].label)})")
    row = 2
    for row_value, label in rows_of(table).items():
        cells.label(row, translate_spec_text(label), marker=row_value)
        for offset, column in enumerate(table["columns"]):
            cell = stored.get("rows", {}).get(row_value, {}).get(column["key"])
            decimals = column.get("decimals", 0 if column["type"] == "integer" else UNITS[column["unit"]].decimals)
            limits = (decimals == 0, column.get("min", 0), column.get("max", UNITS[column["unit"]].maximum))
            cells.put(row, offset, "--" if cell == NO_DATA else cell, number=limits, no_data="--")
        row += 1
    if table.get("reference_year") == "latest_available":
        cells.label(row, _l("Reference year"), marker=":year")
        cells.put(row, 0, stored.get("year"), number=(True, FIRST_YEAR, date.today().year))
        row += 1
    cells.label(row, _l("Note (explain unusual values)"), marker=":note")
    cells.put(row, 0, stored.get("note"), max_length=MAX_NOTE, wrap=True)


def read_cells(item: Mapping[str, Any], cells) -> list[tuple[str, str]]:
    key, table = item["key"], item["table"]
    posted = []
    row = 2
    for row_value in rows_of(table):
        for offset, column in enumerate(table["columns"]):
            text = cells.text(row, offset)
            if text:
                posted.append((_cell_name(key, row_value, column["key"]), text))
        row += 1
    parts = (["year"] if table.get("reference_year") == "latest_available" else []) + ["note"]
    for offset, part in enumerate(parts):
        text = cells.text(row + offset, 0)
        if text:
            posted.append((f"{key}:{part}", text))
    return posted

"""Export a spec as an XLSForm (survey, choices, settings) for offline collection with ODK tools.

Sections become groups inside pillar groups; ``show_if`` becomes
``relevant`` and checks become ``constraint`` on the last item they read,
both through ``expressions.to_xpath``. Item keys are valid XML names, so
they are the field names. Regional modules are relevant only to countries
that tick the region in a first question, as the web app shows them only to
countries in scope. Labels are English; a language gets columns when its
gettext catalog translates at least one of the form's texts (untranslated
cells repeat the English).
"""
from io import BytesIO
from pathlib import Path
from typing import Any

from babel import Locale
from openpyxl import Workbook
import polib

from reporting.questionnaire import expressions
from reporting.questionnaire.areas import REGIONAL_MODULES
from reporting.questionnaire.measures import UNITS
from reporting.questionnaire.scale import N_, STATUS_MSGIDS
from reporting.questionnaire.schema import Spec, items, sections

TRANSLATIONS_DIR = Path(__file__).resolve().parents[2] / "translations"
URL_CONSTRAINT = r"regex(., '^https?://\S+$')"
SCOPE_FIELD = "regional_scope"
SCOPE_LABEL = N_("Regional modules that apply to your country")
URL_MESSAGE = N_("Enter a full web address starting with https:// or http://.")
RANGE_MESSAGE = N_("The number is out of range.")
LENGTH_MESSAGE = N_("The text is too long.")
CELL_MESSAGE = N_("Enter a number within the limits of the unit, or -- where there are no data.")
NO_DATA_HINT = N_("Type -- where there are no data (not 0); leave a cell empty if it does not apply.")
YEAR_LABEL = N_("Reference year of the data")
NOTE_LABEL = N_("Note confirming unusual values (source, reason for the change)")
TYPES = {"status": "select_one status_scale", "text": "text", "comment": "text", "url": "text"}
NUMBER_TYPES = {"integer": "integer", "year": "integer", "decimal": "decimal", "percent": "decimal"}
PERCENT_RANGE = (0, 100)
TRANSLATED_COLUMNS = ("label", "hint", "constraint_message")


def load_catalogs(translations_dir: Path = TRANSLATIONS_DIR) -> dict[str, dict[str, str]]:
    """Language → {msgid: msgstr} of the translated, non-fuzzy entries of each ``messages.po``."""
    catalogs = {}
    for po_file in sorted(Path(translations_dir).glob("*/LC_MESSAGES/messages.po")):
        language = po_file.parent.parent.name
        catalogs[language] = {entry.msgid: entry.msgstr for entry in polib.pofile(str(po_file))
                              if entry.translated() and not entry.fuzzy and entry.msgstr != entry.msgid}
    return catalogs


def _language_column(language: str) -> str:
    return f"{Locale.parse(language).get_display_name('en')} ({language})"


def _number_constraint(number: dict) -> str | None:
    low, high = PERCENT_RANGE if number["type"] == "percent" else (None, None)
    low, high = number.get("min", low), number.get("max", high)
    terms = [f". >= {low}"] * (low is not None) + [f". <= {high}"] * (high is not None)
    return " and ".join(terms) or None


def _checks_by_item(spec: Spec, order: dict[str, int]) -> dict[str, list[dict]]:
    """Each check goes on the last item (in questionnaire order) it reads, else its section's last item."""
    placed: dict[str, list[dict]] = {}
    for _pillar, section in sections(spec):
        for check in section.get("checks", ()):
            keys = expressions.referenced_keys(expressions.parse(check["expr"], check["key"], order))
            target = max(keys, key=order.__getitem__) if keys else section["items"][-1]["key"]
            placed.setdefault(target, []).append(check)
    return placed


def _scope_value(scope: list[str]) -> str:
    return "_".join(scope)


class _Sheets:
    """Rows of the three sheets, with the English texts that need translated columns."""

    def __init__(self) -> None:
        self.survey: list[dict[str, Any]] = []
        self.choices: list[dict[str, Any]] = []
        self.lists: dict[tuple, str] = {}  # choices -> list name, so identical lists are shared

    def choice_list(self, name: str, choices: list[tuple[str, str]]) -> str:
        signature = tuple(choices)
        if signature not in self.lists:
            self.lists[signature] = name
            self.choices += [{"list_name": name, "name": value, "label": label} for value, label in choices]
        return self.lists[signature]


def _item_row(item: dict, sheets: _Sheets, names: dict[str, str], commitments: dict, checks: list[dict]) -> dict:
    row: dict[str, Any] = {"name": names[item["key"]], "label": item["label"]}
    constraints: list[tuple[str, str]] = []
    kind = item["kind"]
    if kind in ("single_choice", "multiple_choice"):
        list_name = sheets.choice_list(item["key"], [(c["value"], c["label"]) for c in item["choices"]])
        row["type"] = ("select_one " if kind == "single_choice" else "select_multiple ") + list_name
    elif kind == "number":
        row["type"] = NUMBER_TYPES[item["number"]["type"]]
        if constraint := _number_constraint(item["number"]):
            constraints.append((constraint, RANGE_MESSAGE))
    elif kind == "checkbox":  # one tick: XPath reads the ticked value 'true' as true()
        row["type"] = "select_one " + sheets.choice_list("tick", [("true", item["label"])])
    else:
        row["type"] = TYPES[kind]
    if kind == "url":
        constraints.append((URL_CONSTRAINT, URL_MESSAGE))
    if kind in ("text", "comment"):
        row["appearance"] = "multiline"
        constraints.append((f"string-length(.) <= {item['max_length']}", LENGTH_MESSAGE))
    if kind == "status":
        row["hint"] = "\n\n".join(commitments[cid]["text"] for cid in item["commitments"])
    if item.get("required"):
        row["required"] = "yes"
    if "show_if" in item:
        row["relevant"] = expressions.to_xpath(expressions.parse(item["show_if"], item["key"], names), names)
    constraints += [(expressions.to_xpath(expressions.parse(c["expr"], c["key"], names), names), c["message"])
                    for c in checks]
    if constraints:
        row["constraint"] = " and ".join(f"({expr})" for expr, _ in constraints)
        row["constraint_message"] = " ".join(dict.fromkeys(message for _, message in constraints))
    return row


def _cell_constraint(column: dict) -> str:
    """A number within the column's limits and decimals, or "--" (no data): a text field keeps the two apart."""
    decimals = column.get("decimals", 0)
    fraction = rf"(\.[0-9]{{1,{decimals}}})?" if decimals else ""
    pattern = rf"^(--|[0-9]+{fraction})$"
    low, high = column.get("min", 0), column.get("max", UNITS[column["unit"]].maximum)
    return f"regex(., '{pattern}') and (. = '--' or (number(.) >= {low:g} and number(.) <= {high:.0f}))"


def _table_rows(item: dict, names: dict[str, str]) -> list[dict]:
    """An indicator table as a group with one text field per cell (``<key>.<row>.<column>``), every row of
    its controlled list included (a paper form cannot add rows), plus the reference year and the note."""
    key, table = item["key"], item["table"]
    group = {"type": "begin group", "name": key, "label": item["label"], "appearance": "field-list"}
    if "help" in table:
        group["hint"] = table["help"]
    if "show_if" in item:
        group["relevant"] = expressions.to_xpath(expressions.parse(item["show_if"], key, names), names)
    rows = [group, {"type": "note", "name": f"{key}.no_data", "label": NO_DATA_HINT}]
    if table.get("reference_year") == "latest_available":
        rows.append({"type": "integer", "name": f"{key}.year", "label": YEAR_LABEL,
                     "constraint": ". >= 1990 and . <= 2100", "constraint_message": RANGE_MESSAGE})
    for row in (*table["rows"], *table.get("optional_rows", ())):
        for column in table["columns"]:
            rows.append({
                "type": "text", "name": f"{key}.{row['value']}.{column['key']}",
                "label": row["label"], "hint": f"{column['label']} ({UNITS[column['unit']].label})",
                "constraint": _cell_constraint(column), "constraint_message": CELL_MESSAGE,
            })
    rows.append({"type": "text", "name": f"{key}.note", "label": NOTE_LABEL, "appearance": "multiline",
                 "constraint": "string-length(.) <= 2000", "constraint_message": LENGTH_MESSAGE})
    rows.append({"type": "end group", "name": key})
    return rows


def xlsform_sheets(spec: Spec, catalogs: dict[str, dict[str, str]] | None = None) -> dict[str, list[dict]]:
    """The three sheets as rows (column → value), with ``label::Language (xx)`` columns."""
    names = {item["key"]: item["key"] for _, item in items(spec)}
    order = {key: index for index, key in enumerate(names)}
    checks = _checks_by_item(spec, order)
    sheets = _Sheets()
    sheets.choice_list("status_scale", list(STATUS_MSGIDS))
    regional = list(dict.fromkeys(tuple(s["scope"]) for _, s in sections(spec) if "global" not in s["scope"]))
    if regional:
        modules = [(_scope_value(scope), REGIONAL_MODULES.get(scope, " / ".join(scope))) for scope in regional]
        scope_list = sheets.choice_list(SCOPE_FIELD, modules)
        sheets.survey.append({"type": f"select_multiple {scope_list}", "name": SCOPE_FIELD, "label": SCOPE_LABEL})
    for pillar in spec["pillars"]:
        sheets.survey.append({"type": "begin group", "name": pillar["key"], "label": pillar["title"]})
        for section in pillar["sections"]:
            group = {"type": "begin group", "name": section["key"], "label": section["title"]}
            relevant = []
            if "global" not in section["scope"]:
                relevant.append(f"selected(${{{SCOPE_FIELD}}}, '{_scope_value(section['scope'])}')")
            if "show_if" in section:  # a module switched on by the screening answers
                relevant.append(expressions.to_xpath(expressions.parse(section["show_if"], section["key"], names), names))
            if relevant:
                group["relevant"] = " and ".join(f"({condition})" for condition in relevant) if len(relevant) > 1 \
                    else relevant[0]
            sheets.survey.append(group)
            for cid in section.get("context", ()):
                commitment = spec["commitments"][cid]
                sheets.survey.append({"type": "note", "name": f"{cid}.context", "label": commitment["title"],
                                      "hint": commitment["text"]})
            for item in section["items"]:
                if item["kind"] == "table":
                    sheets.survey += _table_rows(item, names)
                else:
                    sheets.survey.append(_item_row(item, sheets, names, spec["commitments"], checks.get(item["key"], [])))
            sheets.survey.append({"type": "end group", "name": section["key"]})
        sheets.survey.append({"type": "end group", "name": pillar["key"]})
    settings = [{"form_title": spec["title"], "form_id": spec["spec_id"], "version": spec["version"],
                 "default_language": _language_column("en")}]
    rows = {"survey": sheets.survey, "choices": sheets.choices}
    return {**_translate(rows, catalogs or {}), "settings": settings}


def _translate(rows: dict[str, list[dict]], catalogs: dict[str, dict[str, str]]) -> dict[str, list[dict]]:
    """Move each translatable column to ``column::English (en)`` and add the languages that translate something."""
    texts = {row[column] for sheet in rows.values() for row in sheet for column in TRANSLATED_COLUMNS if column in row}
    languages = ["en", *(lang for lang, catalog in sorted(catalogs.items())
                         if lang != "en" and any(text in catalog for text in texts))]
    headers = {language: _language_column(language) for language in languages}
    translated = {}
    for sheet, sheet_rows in rows.items():
        translated[sheet] = []
        for row in sheet_rows:
            out = {column: value for column, value in row.items() if column not in TRANSLATED_COLUMNS}
            for column in TRANSLATED_COLUMNS:
                if column in row:
                    for language in languages:
                        text = catalogs.get(language, {}).get(row[column], row[column])
                        out[f"{column}::{headers[language]}"] = text
            translated[sheet].append(out)
    return translated


def xlsform_bytes(spec: Spec, catalogs: dict[str, dict[str, str]] | None = None) -> bytes:
    """The XLSForm workbook (.xlsx) of ``spec``."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet, rows in xlsform_sheets(spec, catalogs).items():
        worksheet = workbook.create_sheet(sheet)
        columns = list(dict.fromkeys(column for row in rows for column in row))
        worksheet.append(columns)
        for row in rows:
            worksheet.append([row.get(column) for column in columns])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

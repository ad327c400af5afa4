"""The offline workbook: a questionnaire's sections and answers written to an
.xlsx, and read back into form data for the same WTForms forms the pages use.

Knows nothing about the database or routes (``reporting/responses/workbook.py``
does). Each question kind writes and reads its own cells (``forms/kinds.py``);
this module lays out the sheets, the drop-down lists, the protection and the
hidden cells that carry what the upload needs to be trusted:

- column A of every sheet (hidden) holds the question key of each answer row;
- a very hidden sheet holds the cycle, country, spec version, submission
  version, language, the layout (which key is on which row of which sheet)
  and each answer as it was when the workbook was made, all signed with an
  HMAC of the application's secret key, so an edited key, country or version
  is detected instead of silently writing answers to the wrong question.

Reading never evaluates anything: the file's size, its uncompressed size and
its parts are checked before openpyxl parses it (read-only, formulas kept as
formulas and refused).
"""
from dataclasses import dataclass, field
import hashlib
import hmac
import io
import json
from typing import Any, Callable, ContextManager, Iterable
import zipfile

from flask_babel import lazy_gettext as _l
import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from werkzeug.datastructures import MultiDict

from forms.kinds import KINDS, translate_spec_text
from forms.spec import Section, Spec

FORMAT = "drug-policy-reporting-workbook/1"
META_SHEET = "_workbook"
LISTS_SHEET = "_lists"
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Bounds checked on the zip directory before anything is decompressed or parsed.
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_PARTS = 2000
# Columns of a section sheet: the hidden key, then what a person reads left to
# right, then the answer (a table question's grid extends to the right of it).
KEY, QUESTION, COMMITMENT, HOW, ANSWER = 1, 2, 3, 4, 5
HEADER_ROWS = 3
META_COLUMNS = 7
MAX_ANSWER_COLUMNS = 64  # the widest table question has far fewer measures; cells beyond are never read
INVALID_SHEET_CHARACTERS = str.maketrans({character: " " for character in "[]:*?/\\"})
# Styles made once: openpyxl compares every new style object with those already used.
ANSWER_FILL = PatternFill("solid", fgColor="FFF7E1")
WRAPPED = Alignment(wrap_text=True, vertical="top")
INDENTED = Alignment(wrap_text=True, indent=1, vertical="top")
TOP = Alignment(vertical="top")
UNLOCKED = Protection(locked=False)
BOLD = Font(bold=True)


class WorkbookError(Exception):
    """Why an uploaded workbook cannot be used; each message names the sheet and cell."""

    def __init__(self, messages: Iterable[Any]):
        # Kept lazy: shown in the reader's language, whatever language the workbook is in.
        self.messages = list(messages)
        super().__init__()

    def __str__(self) -> str:
        return "; ".join(str(message) for message in self.messages)


@dataclass(frozen=True)
class WorkbookMeta:
    cycle: str
    country: str
    spec_version: str
    submission_version: int
    language: str
    editable: bool = True


@dataclass
class WorkbookContent:
    """What an uploaded workbook says: per section, the form data its cells amount to."""

    meta: WorkbookMeta
    formdata: dict[str, MultiDict] = field(default_factory=dict)
    # item key → where its answer is (for messages) and its value when the workbook was made
    places: dict[str, Any] = field(default_factory=dict)  # lazy: shown in the reader's language
    originals: dict[str, Any] = field(default_factory=dict)


# --- writing ---------------------------------------------------------------------

class _Lists:
    """Drop-down choices live on one hidden sheet, a column per distinct list, so
    that labels with commas and long lists work (an inline list cannot hold them)."""

    def __init__(self, workbook):
        self.sheet = workbook.create_sheet(LISTS_SHEET)
        self.sheet.sheet_state = "hidden"
        self.sheet.protection.sheet = True
        self.ranges: dict[tuple[str, ...], str] = {}

    def formula(self, labels: list[str]) -> str:
        labels = tuple(str(label) for label in labels)
        if labels not in self.ranges:
            column = get_column_letter(len(self.ranges) + 1)
            for row, label in enumerate(labels, start=1):
                self.sheet[f"{column}{row}"] = _safe_text(label)
            self.ranges[labels] = f"{quote_sheetname(LISTS_SHEET)}!${column}$1:${column}${len(labels)}"
        return self.ranges[labels]


class _SheetWriter:
    """One section sheet: rows, data validations shared per rule, the layout record."""

    def __init__(self, sheet, lists: _Lists, editable: bool):
        self.sheet, self.lists, self.editable = sheet, lists, editable
        self.validations: dict[tuple, DataValidation] = {}
        self.markers: list[tuple[int, str]] = []

    def validation(self, rule: tuple, make: Callable[[], DataValidation]) -> DataValidation:
        if rule not in self.validations:
            validation = make()
            validation.showErrorMessage = True
            validation.errorTitle = str(_l("Not a valid answer"))
            self.sheet.add_data_validation(validation)
            self.validations[rule] = validation
        return self.validations[rule]


class AnswerCells:
    """The block of one question on its sheet, addressed from its first answer cell.

    Writing: ``put`` an answer cell (with its drop-down, number or length rule),
    ``label`` a sub-row (a choice, a table row). Reading: ``get`` a cell's value.
    """

    def __init__(self, sheet_writer: _SheetWriter | None, row: int, key: str, grid: dict | None = None):
        self.writer, self.row, self.key, self.grid = sheet_writer, row, key, grid

    def ref(self, row: int = 0, column: int = 0) -> str:
        return f"{get_column_letter(ANSWER + column)}{self.row + row}"

    def get(self, row: int, column: int) -> Any:
        return self.grid.get((self.row + row, ANSWER + column))

    def text(self, row: int, column: int) -> str:
        """A cell's value as a person would have typed it in the web form.

        Floats are written with 15 significant digits, Excel's own precision, so
        that 12.3 read back from a cell is 12.3 and not 12.300000000000001.
        """
        value = self.get(row, column)
        if value is None:
            return ""
        if isinstance(value, bool):
            return "1" if value else "0"
        if isinstance(value, float):
            return format(value, ".15g")
        return str(value).strip()

    def heading(self, row: int, column: int, text: Any) -> None:
        """A column heading inside the block (a table's measures)."""
        cell = self.writer.sheet.cell(self.row + row, ANSWER + column, _safe_text(str(text)))
        cell.font = BOLD
        cell.alignment = WRAPPED

    def label(self, row: int, text: Any, marker: str, column: int = QUESTION) -> None:
        """A sub-row's caption (a choice, a table row), with its own hidden marker."""
        sheet = self.writer.sheet
        sheet.cell(self.row + row, column, _safe_text(str(text))).alignment = INDENTED
        if column == QUESTION:
            sheet.cell(self.row + row, KEY, f"{self.key}|{marker}")
            self.writer.markers.append((self.row + row, f"{self.key}|{marker}"))

    def put(self, row: int, column: int, value: Any, *, choices: list | None = None,
            number: tuple[bool, Any, Any] | None = None, max_length: int | None = None, wrap: bool = False,
            no_data: str | None = None) -> None:
        """One answer cell; ``no_data`` (with ``number``) also allows that marker, e.g. the ARQ's "--"."""
        writer = self.writer
        cell = writer.sheet.cell(self.row + row, ANSWER + column)
        if isinstance(value, str):
            cell.value = _safe_text(value)
            cell.data_type = "s"  # a stored answer starting with "=" is text, never a formula
        else:
            cell.value = None if value is None else (str(value) if not isinstance(value, (int, float)) else value)
        cell.alignment = WRAPPED if wrap else TOP
        if not writer.editable:
            return
        cell.protection = UNLOCKED
        cell.fill = ANSWER_FILL
        if choices is not None:
            formula = writer.lists.formula(choices)
            writer.validation(("list", formula), lambda: DataValidation(type="list", formula1=formula, allow_blank=True)).add(cell)
        elif number is not None and no_data is not None:
            # Excel has no "number or this text" rule: a custom formula per cell (relative references).
            whole, low, high = number
            ref = cell.coordinate
            test = f"AND(ISNUMBER({ref}),{ref}>={low},{ref}<={high}{f',INT({ref})={ref}' if whole else ''})"
            validation = DataValidation(type="custom", formula1=f'OR({test},{ref}="{no_data}")', allow_blank=True)
            validation.showErrorMessage = True
            validation.errorTitle = str(_l("Not a valid answer"))
            writer.sheet.add_data_validation(validation)
            validation.add(cell)
        elif number is not None:
            whole, low, high = number
            low = -1e15 if low is None else low
            high = 1e15 if high is None else high
            writer.validation(
                ("number", whole, low, high),
                lambda: DataValidation(type="whole" if whole else "decimal", operator="between",
                                       formula1=str(low), formula2=str(high), allow_blank=True),
            ).add(cell)
        elif max_length is not None:
            writer.validation(
                ("length", max_length),
                lambda: DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(max_length), allow_blank=True),
            ).add(cell)


def _safe_text(text: str) -> str:
    """openpyxl refuses control characters that XML cannot carry."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def sheet_titles(sections: list[Section]) -> dict[str, str]:
    """Section key → sheet title: the translated title, within Excel's 31 characters, unique."""
    titles: dict[str, str] = {}
    used: set[str] = set()
    for section in sections:
        base = str(translate_spec_text(section.title)).translate(INVALID_SHEET_CHARACTERS).strip(" '")[:31] or section.key[:31]
        title, number = base, 2
        while title.lower() in used or title.lower() in (META_SHEET, LISTS_SHEET):
            suffix = f" ({number})"
            title, number = base[: 31 - len(suffix)] + suffix, number + 1
        used.add(title.lower())
        titles[section.key] = title
    return titles


def write_workbook(
    spec: Spec,
    sections: list[Section],
    answers: dict[str, Any],
    meta: WorkbookMeta,
    *,
    secret: str,
    cover: list[tuple[str, str]],
    commitment_text: Callable[[dict[str, Any]], str],
    right_to_left: bool = False,
) -> bytes:
    """The workbook as bytes. Call under the locale of ``meta.language``: every label is translated when written."""
    workbook = openpyxl.Workbook()
    about = workbook.active
    about.title = str(_l("About"))[:31].translate(INVALID_SHEET_CHARACTERS)
    _write_cover(about, cover, meta.editable, right_to_left)
    lists = _Lists(workbook)
    titles = sheet_titles(sections)
    layout: list[list[Any]] = []
    for section in sections:
        sheet = workbook.create_sheet(titles[section.key], index=len(workbook.sheetnames) - 1)
        writer = _SheetWriter(sheet, lists, meta.editable)
        _write_section(writer, section, answers, commitment_text, right_to_left)
        for row, marker in writer.markers:
            key = marker.partition("|")[0]
            original = json.dumps(answers.get(key), ensure_ascii=False, sort_keys=True) if "|" not in marker else ""
            layout.append([titles[section.key], section.key, row, marker, original])
        sheet.protection.sheet = True
        sheet.protection.formatColumns = False
        sheet.protection.formatRows = False
    workbook.move_sheet(LISTS_SHEET, offset=len(workbook.sheetnames))
    _write_meta(workbook, meta, layout, secret)
    workbook.security = WorkbookProtection(lockStructure=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_cover(sheet, cover, editable, right_to_left):
    sheet.sheet_view.rightToLeft = right_to_left
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 90
    for row, (label, value) in enumerate(cover, start=1):
        sheet.cell(row, 1, _safe_text(str(label))).font = Font(bold=row == 1 or bool(value))
        sheet.cell(row, 2, _safe_text(str(value))).alignment = WRAPPED
    sheet.protection.sheet = True


def _write_section(writer: _SheetWriter, section: Section, answers, commitment_text, right_to_left) -> None:
    sheet = writer.sheet
    sheet.sheet_view.rightToLeft = right_to_left
    sheet.column_dimensions[get_column_letter(KEY)].hidden = True
    for column, width in ((QUESTION, 48), (COMMITMENT, 60), (HOW, 34), (ANSWER, 26)):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.cell(1, QUESTION, f"{translate_spec_text(section.pillar_title)} › {translate_spec_text(section.title)}").font = Font(bold=True, size=13)
    headings = ((QUESTION, _l("Question")), (COMMITMENT, _l("Commitment")), (HOW, _l("How to answer")), (ANSWER, _l("Answer")))
    for column, heading in headings:
        sheet.cell(HEADER_ROWS, column, str(heading)).font = BOLD
    sheet.freeze_panes = sheet.cell(HEADER_ROWS + 1, QUESTION)
    row = HEADER_ROWS + 1
    previous_commitments = None
    for item in section.items:
        kind = KINDS[item["kind"]]
        sheet.cell(row, KEY, item["key"])
        writer.markers.append((row, item["key"]))
        sheet.cell(row, QUESTION, _safe_text(str(translate_spec_text(item["label"])))).alignment = WRAPPED
        if item.get("commitments") and item["commitments"] != previous_commitments:
            sheet.cell(row, COMMITMENT, _safe_text(commitment_text(item))).alignment = WRAPPED
        previous_commitments = item.get("commitments")
        how = str(kind.workbook_instruction(item))
        if item.get("show_if"):
            how = f"{how} {_l('Answer only when the answers above make this question apply; otherwise leave it empty.')}"
        if item.get("required"):
            how = f"{how} {_l('Required.')}"
        sheet.cell(row, HOW, how).alignment = WRAPPED
        kind.write_cells(item, answers.get(item["key"]), AnswerCells(writer, row, item["key"]))
        row += kind.workbook_rows(item)


def _signature(secret: str, payload: list) -> str:
    message = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(f"workbook:{secret}".encode(), message, hashlib.sha256).hexdigest()


def _meta_header(meta: WorkbookMeta) -> list[Any]:
    return [FORMAT, meta.cycle, meta.country, meta.spec_version, meta.submission_version, meta.language, int(meta.editable)]


def _write_meta(workbook, meta: WorkbookMeta, layout: list[list[Any]], secret: str) -> None:
    sheet = workbook.create_sheet(META_SHEET)
    sheet.sheet_state = "veryHidden"
    sheet.protection.sheet = True
    header = _meta_header(meta)
    sheet.append(header)
    sheet.append([_signature(secret, [header, layout])])
    for row in layout:
        sheet.append(row)


# --- reading ---------------------------------------------------------------------

def check_package(data: bytes) -> None:
    """Refuse what is not a plain .xlsx before parsing it: not a zip, a zip bomb,
    macros (.xlsm), links to other workbooks."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise WorkbookError([_l("The file is not an Excel workbook (.xlsx), or it is damaged.")]) from None
    if len(parts) > MAX_PARTS or sum(part.file_size for part in parts) > MAX_UNCOMPRESSED_BYTES:
        raise WorkbookError([_l("The file unpacks to more than %(size)d MB: it cannot be a questionnaire workbook.",
                                size=MAX_UNCOMPRESSED_BYTES // (1024 * 1024))])
    names = {part.filename for part in parts}
    try:
        content_types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise WorkbookError([_l("The file is not an Excel workbook (.xlsx), or it is damaged.")]) from None
    if any(name.lower().endswith("vbaproject.bin") for name in names) or b"macroEnabled" in content_types:
        raise WorkbookError([_l("The workbook contains macros (.xlsm). Save it as an Excel workbook (.xlsx) without macros and upload that.")])
    if any(name.startswith("xl/externalLinks/") for name in names):
        raise WorkbookError([_l("The workbook links to other workbooks. Type the values themselves and remove the links.")])
    if "xl/workbook.xml" not in names:
        raise WorkbookError([_l("The file is not an Excel workbook (.xlsx), or it is damaged.")])


def read_workbook(
    data: bytes, spec_sections: Callable[[str], Section | None], *, secret: str,
    in_language: Callable[[str], ContextManager],
) -> WorkbookContent:
    """Parse an uploaded workbook into form data per section, or raise WorkbookError.

    ``spec_sections`` finds a section of the submission's spec by key;
    ``in_language(language)`` is a context in which the cells are read, so that
    drop-down labels written in the workbook's language map back to their values.
    """
    check_package(data)
    workbook = _load(data)
    try:
        meta, layout = _verified_meta(workbook, secret)
        content = WorkbookContent(meta=meta)
        errors: list[Any] = []
        by_sheet: dict[str, list[list[Any]]] = {}
        for row in layout:
            by_sheet.setdefault(row[0], []).append(row)
        for title, rows in by_sheet.items():
            section = spec_sections(rows[0][1])
            if section is None:
                raise WorkbookError([_l("Sheet “%(sheet)s” is for a section this questionnaire does not have.", sheet=title)])
            grid = _read_sheet(workbook, title, rows, errors)
            if grid is None:
                continue
            formdata = MultiDict()
            starts = {row[3]: row for row in rows if "|" not in row[3]}
            for item in section.items:
                start = starts.get(item["key"])
                if start is None:
                    raise WorkbookError([_l("Sheet “%(sheet)s” does not carry question %(key)s of its section.", sheet=title, key=item["key"])])
                cells = AnswerCells(None, start[2], item["key"], grid)
                with in_language(meta.language):
                    posted = KINDS[item["kind"]].read_cells(item, cells)
                for name, value in posted:
                    formdata.add(name, value)
                rows_used = KINDS[item["kind"]].workbook_rows(item)
                content.places[item["key"]] = _place(title, cells.ref(), cells.ref(rows_used - 1, 0) if rows_used > 1 else None)
                content.originals[item["key"]] = json.loads(start[4]) if start[4] else None
            content.formdata[section.key] = formdata
        if errors:
            raise WorkbookError(errors)
        return content
    finally:
        workbook.close()


def _load(data: bytes):
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False, keep_vba=False)
    except Exception:  # openpyxl raises many kinds of errors on a damaged file; none may escape as a 500
        raise WorkbookError([_l("The file is not an Excel workbook (.xlsx), or it is damaged.")]) from None


def _place(title: str, first: str, last: str | None):
    cell = f"{first}:{last}" if last else first
    return _l("sheet “%(sheet)s”, cell %(cell)s", sheet=title, cell=cell)


def _verified_meta(workbook, secret: str) -> tuple[WorkbookMeta, list[list[Any]]]:
    not_ours = WorkbookError([_l("This is not a questionnaire workbook downloaded from this system. Download the workbook from the submission page, fill it in and upload that.")])
    if META_SHEET not in workbook.sheetnames:
        raise not_ours
    rows = [list(row) for row in _bounded(workbook[META_SHEET]).iter_rows(max_col=META_COLUMNS, values_only=True)]
    if len(rows) < 2 or not rows[0] or rows[0][0] != FORMAT:
        raise not_ours
    header = rows[0][:7]
    layout = [[_none_to_empty(value) for value in row[:5]] for row in rows[2:] if any(value is not None for value in row)]
    if not hmac.compare_digest(str(rows[1][0] or ""), _signature(secret, [header, layout])):
        raise WorkbookError([_l("The hidden information of this workbook (question keys, cycle, country or version) was changed, so its answers cannot be trusted. Download a new workbook and copy your answers into it.")])
    _format, cycle, country, spec_version, version, language, editable = header
    return WorkbookMeta(str(cycle), str(country), str(spec_version), int(version), str(language), bool(editable)), layout


def _bounded(sheet):
    """Forget the sheet's declared size: read-only openpyxl pads every row up to it, so a
    doctored ``<dimension ref="A1:XFD1048576">`` would make billions of empty cells."""
    sheet.reset_dimensions()
    return sheet


def _none_to_empty(value):
    return "" if value is None else value


def _read_sheet(workbook, title: str, rows: list[list[Any]], errors: list[Any]) -> dict | None:
    """The sheet's cells by (row, column), after checking its hidden keys and refusing formulas."""
    if title not in workbook.sheetnames:
        errors.append(_l("Sheet “%(sheet)s” is missing from the workbook.", sheet=title))
        return None
    expected = {row[2]: row[3] for row in rows}
    grid: dict[tuple[int, int], Any] = {}
    last_row = max(row[2] for row in rows)
    for sheet_row in _bounded(workbook[title]).iter_rows(max_row=last_row, max_col=ANSWER + MAX_ANSWER_COLUMNS):
        for cell in sheet_row:
            if getattr(cell, "value", None) is None:
                continue
            row, column = cell.row, cell.column
            if cell.data_type == "f":  # openpyxl keeps formulas (and array formulas) unevaluated
                errors.append(_l("Sheet “%(sheet)s”, cell %(cell)s contains a formula. Type the value itself.", sheet=title, cell=cell.coordinate))
                continue
            if column == KEY and expected.get(row) != cell.value:
                errors.append(_l("Sheet “%(sheet)s”, cell %(cell)s: the hidden question key was changed.", sheet=title, cell=cell.coordinate))
            grid[(row, column)] = cell.value
    for row in expected:
        if (row, KEY) not in grid:
            errors.append(_l("Sheet “%(sheet)s”, cell %(cell)s: the hidden question key was removed.", sheet=title, cell=f"A{row}"))
    return grid

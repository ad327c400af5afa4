"""The one input boundary: every text, number and JSON body that enters the
app (web forms, the REST API, the workbook upload, the CLI) passes here first.

Why one place: a value that is stored once is shown, exported, rendered into
PDFs and kept in the audit log for ever, so a single control character or lone
surrogate let in by one route breaks every later reader (XLSX refuses control
characters, UTF-8 refuses surrogates). Refusing them at the door, with an
error that names the field, keeps everything downstream simple.

Rules:
- text is normalised to NFC, line breaks to ``\\n``; unpaired surrogates,
  noncharacters and control characters other than tab and newline are
  refused, and its length is bounded;
- numbers are parsed strictly: plain decimal notation, finite, of sane
  magnitude (no ``NaN``, ``sNaN``, ``Infinity``, ``1e999``);
- integers from forms and query strings are ASCII digits within a range
  (``int("²")`` and ``"١"`` are not version numbers);
- a list where one value is expected, or a file where text is expected, is
  refused rather than silently reduced;
- JSON bodies are bounded in size and nesting depth before they are parsed.

The same door draws the fields of the web forms with their text direction: on
an Arabic page a field inherits right-to-left, so an address typed into it
shows as ``//:https``. Each field WTForms draws gets a ``dir`` unless the
template gives one: ``ltr`` for addresses, e-mail, numbers and dates, written
left to right in every language, and ``auto`` (the direction of what is typed)
for free text. Inputs a template writes by hand carry the same attributes;
tests/core/test_pages_as_people_see_them.py checks every page of the crawl.
"""
from decimal import Decimal, InvalidOperation
import json
import math
import re
import unicodedata
from typing import Any, Callable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage, MultiDict
from wtforms.fields import FileField, SelectMultipleField
from wtforms.widgets import TextArea

MAX_TEXT = 100_000  # any single text value; fields have their own, smaller limits
MAX_JSON_BYTES = 1_000_000
MAX_JSON_DEPTH = 32
MAX_NUMBER = Decimal("1e15")  # larger than any count, amount or year the questionnaire asks
MAX_NUMBER_CHARACTERS = 40
ALLOWED_CONTROLS = frozenset("\t\n")
# Every character ``text_problem`` refuses, as one class: control characters (category Cc is exactly
# U+0000–U+001F and U+007F–U+009F) but tab and line feed, surrogates, U+FFFE and U+FFFF. One regex
# search in C instead of a Python loop per character: exports check every text answer of a cycle.
_REFUSED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_ASCII_DIGITS = re.compile(r"[0-9]{1,18}")
LTR_INPUT_TYPES = frozenset({"url", "email", "number", "date", "datetime-local", "month", "time", "week", "tel"})
AUTO_INPUT_TYPES = frozenset({"text", "search", "password", "textarea"})
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,4})?")


class InputError(ValueError):
    """A value refused at the boundary. ``field`` names where it was found, ``message`` says why.

    A ``ValueError``, so WTForms filters turn it into an error of the field.
    """

    def __init__(self, field: str, message):
        super().__init__(message)
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored or written to a file, or None. Names the first bad character."""
    found = _REFUSED.search(value)
    if found is None:
        return None
    for character in value[found.start():found.start() + 1]:
        code = ord(character)
        if 0xD800 <= code <= 0xDFFF:
            return str(_l("It contains an invalid character (an unpaired surrogate, U+%(code)04X).", code=code))
        if unicodedata.category(character) == "Cc" and character not in ALLOWED_CONTROLS:
            return str(_l("It contains a control character (U+%(code)04X); remove it and try again.", code=code))
        if code in (0xFFFE, 0xFFFF):
            return str(_l("It contains an invalid character (U+%(code)04X).", code=code))
    return None


def clean_text(value: Any, field: str, max_length: int = MAX_TEXT) -> str:
    """The text as it will be stored: NFC, ``\\n`` line breaks; or InputError naming ``field``."""
    if isinstance(value, FileStorage):
        raise InputError(field, _l("A file was sent where text is expected."))
    if not isinstance(value, str):
        raise InputError(field, _l("Text is expected here."))
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    problem = text_problem(value)
    if problem:
        raise InputError(field, problem)
    value = unicodedata.normalize("NFC", value)
    if len(value) > max_length:
        raise InputError(field, _l("At most %(max)d characters.", max=max_length))
    return value


def repair_text(value: str) -> str:
    """What ``clean_text`` would accept, made from a value stored before the boundary existed:
    line breaks unified, surrogates, noncharacters and forbidden control characters dropped, NFC."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    kept = "".join(
        character for character in value
        if not (0xD800 <= ord(character) <= 0xDFFF or ord(character) in (0xFFFE, 0xFFFF)
                or (unicodedata.category(character) == "Cc" and character not in ALLOWED_CONTROLS))
    )
    return unicodedata.normalize("NFC", kept)


def repair_json(value: Any) -> Any:
    """``repair_text`` applied to every string (keys too) of a stored JSON value."""
    if isinstance(value, str):
        return repair_text(value)
    if isinstance(value, list):
        return [repair_json(item) for item in value]
    if isinstance(value, dict):
        return {repair_text(key): repair_json(item) for key, item in value.items()}
    return value


def parse_int(raw: Any, field: str, low: int, high: int) -> int:
    """An integer from a form or query string: ASCII digits only, within [low, high]."""
    if not isinstance(raw, str) or not _ASCII_DIGITS.fullmatch(raw):
        raise InputError(field, _l("Enter a whole number from %(min)d to %(max)d.", min=low, max=high))
    number = int(raw)
    if not low <= number <= high:
        raise InputError(field, _l("Enter a whole number from %(min)d to %(max)d.", min=low, max=high))
    return number


def parse_number(raw: str, field: str) -> Decimal:
    """A number typed by a person: decimal notation, finite, at most 10^15 in size.

    Digits of other scripts (Arabic-Indic, Devanagari…) count as digits, as
    people type them; superscripts and fractions do not.
    """
    raw = raw.strip()
    if len(raw) > MAX_NUMBER_CHARACTERS or not _NUMBER.fullmatch(raw):
        raise InputError(field, _l("Enter a number."))
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise InputError(field, _l("Enter a number.")) from None
    if not number.is_finite() or abs(number) >= MAX_NUMBER:
        raise InputError(field, _l("Enter a number of at most %(max)s in size.", max="10^15"))
    return number


def query_int(args: MultiDict, name: str, low: int, high: int) -> int | None:
    """An optional integer query parameter (``?region=…``): absent or empty is None."""
    values = args.getlist(name)
    if not values or values == [""]:
        return None
    if len(values) > 1:
        raise InputError(name, _l("Send one value only."))
    return parse_int(values[0], name, low, high)


# --- JSON bodies ---------------------------------------------------------------------

def _json_depth_ok(data: bytes, limit: int) -> bool:
    """Whether arrays and objects nest at most ``limit`` deep, checked without parsing
    (the parser itself recurses and would fail on ``[`` × 5000)."""
    depth, in_string, escaped = 0, False, False
    for byte in data:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > limit:
                return False
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return True


def _refuse_constant(name: str):
    raise InputError("_body", _l("%(value)s is not a number JSON allows.", value=name))


def _json_float(raw: str) -> float:
    number = float(raw)
    if not math.isfinite(number) or abs(number) >= MAX_NUMBER:
        raise InputError("_body", _l("The number %(value)s is out of range.", value=raw[:40]))
    return number


def _json_int(raw: str) -> int:
    if len(raw.lstrip("-")) > 18:
        raise InputError("_body", _l("The number %(value)s is out of range.", value=raw[:40] + "…"))
    return int(raw)


def load_json(data: bytes, max_bytes: int = MAX_JSON_BYTES, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """A JSON body, bounded in size and depth, with every string (keys too) cleaned by ``clean_text``.

    Errors name the place in the document, e.g. ``answers.t.1.measures``.
    """
    if len(data) > max_bytes:
        raise InputError("_body", _l("The JSON body is larger than %(max)d bytes.", max=max_bytes))
    if not _json_depth_ok(data, max_depth):
        raise InputError("_body", _l("The JSON body nests deeper than %(max)d levels.", max=max_depth))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("_body", _l("The JSON body is not UTF-8.")) from None
    try:
        document = json.loads(text, parse_constant=_refuse_constant, parse_float=_json_float, parse_int=_json_int)
    except InputError:
        raise
    except ValueError as error:
        raise InputError("_body", _l("The body is not valid JSON: %(error)s", error=str(error))) from None
    return _clean_json(document, "")


def _clean_json(value: Any, path: str) -> Any:
    if isinstance(value, str):
        return clean_text(value, path or "_body")
    if isinstance(value, list):
        return [_clean_json(item, f"{path}[{index}]") for index, item in enumerate(value)]
    if isinstance(value, dict):
        cleaned = {}
        for key, item in value.items():
            key = clean_text(key, f"{path}.{key!r}" if path else repr(key), 1000)
            cleaned[key] = _clean_json(item, f"{path}.{key}" if path else key)
        return cleaned
    return value


# --- web forms -----------------------------------------------------------------------

def clean_formdata(formdata, single: Callable[[str], bool], file_fields: frozenset[str] = frozenset()) -> tuple[MultiDict, dict[str, str]]:
    """Posted form values as they may enter: cleaned text, one value for each name ``single`` names,
    files only under ``file_fields`` (and nothing but files there).

    Returns the cleaned values and, per field name, why a value was refused
    (the refused value is left out, so no validator sees it).
    """
    cleaned: MultiDict = MultiDict()
    errors: dict[str, str] = {}
    for name in formdata:
        values = formdata.getlist(name)
        if len(values) > 1 and single(name):
            errors[name] = str(_l("Only one value may be sent for this field; %(count)d were sent.", count=len(values)))
            continue
        if name in file_fields:
            if not all(isinstance(value, FileStorage) for value in values):
                errors[name] = str(_l("A file is expected here."))
            else:
                for value in values:
                    cleaned.add(name, value)
            continue
        try:
            kept = [clean_text(value, name) for value in values]
        except InputError as error:
            errors[name] = str(error.message)
            continue
        for value in kept:
            cleaned.add(name, value)
    return cleaned, errors


def text_direction(field) -> str | None:
    """The ``dir`` a field's input is drawn with; None for one that takes no typing (buttons, choices, files)."""
    kind = "textarea" if isinstance(field.widget, TextArea) else getattr(field.widget, "input_type", None)
    if kind in LTR_INPUT_TYPES:
        return "ltr"
    if kind in AUTO_INPUT_TYPES:
        return "auto"
    return None


class BoundaryForm(FlaskForm):
    """Every web form of the app: its posted data goes through ``clean_formdata`` before any field sees it.

    A refused value becomes that field's only error (or, for a name that is
    not a field, a form-level error), so the page can say which question to fix.
    """

    class Meta(FlaskForm.Meta):
        def render_field(self, field, render_kw):
            direction = text_direction(field)
            if direction and "dir" not in render_kw and "dir" not in (field.render_kw or {}):
                render_kw = {**render_kw, "dir": direction}
            return super().render_field(field, render_kw)

        def wrap_formdata(self, form, formdata):
            formdata = super().wrap_formdata(form, formdata)
            form.input_errors = {}
            if formdata is None:
                return None
            files = frozenset(name for name, field in form._fields.items() if isinstance(field, FileField))
            cleaned, form.input_errors = clean_formdata(formdata, form.is_single_value, files)
            return cleaned

    input_errors: dict[str, str] = {}

    def is_single_value(self, name: str) -> bool:
        """Whether ``name`` takes exactly one value: a field of this form other than a multiple choice.
        Other names (a list of checkboxes a view reads itself) are cleaned but may repeat."""
        field = self._fields.get(name)
        return field is not None and not isinstance(field, SelectMultipleField)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for name, message in self.input_errors.items():
            if name in self._fields:
                self._fields[name].errors = [message]
            else:
                self.form_errors.append(f"{name}: {message}")
        return valid and not self.input_errors

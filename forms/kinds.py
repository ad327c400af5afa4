"""Question kinds: each owns its WTForms field, its validators, how its
answer is stored (JSON) and shown again, and how it is written to the cells of
the offline workbook and read back from them (``forms/workbook.py`` calls
these; the form then validates what was read). Registered by name; a
duplicate name fails at import time."""
from decimal import Decimal
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
# Spec wording is extracted from the spec files (see babel.cfg), so it is looked
# up under a name the code extractor does not scan.
from flask_babel import lazy_gettext as translate_spec_text
from wtforms import BooleanField, Field, RadioField, SelectMultipleField, TextAreaField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, AnyOf, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, NumberInput

from forms import tables
from reporting.core.inputs import InputError, parse_number
from reporting.questionnaire.scale import STATUS_LABELS, STATUS_SCALE, STATUS_VALUES

KINDS: dict[str, "QuestionKind"] = {}
DEFAULT_MAX_TEXT = 4000
MAX_URL = 2000
NUMBER_LIMITS = {"percent": (0, 100), "year": (1900, 2100)}


def register(kind_class: type["QuestionKind"]) -> type["QuestionKind"]:
    if kind_class.name in KINDS:
        raise RuntimeError(f"question kind {kind_class.name!r} is registered twice")
    KINDS[kind_class.name] = kind_class()
    return kind_class


class QuestionKind:
    name: ClassVar[str]
    # A compound answer is posted as several inputs named ``<key>:<part>`` (a table's cells).
    compound: ClassVar[bool] = False
    # Evidence questions also accept uploaded documents (see reporting/documents).
    evidence: ClassVar[bool] = False
    # Several values under one name (checkboxes); any other kind takes one value, and a list is refused.
    multiple: ClassVar[bool] = False
    # Words the country wrote itself (measures taken, explanations, reasons, comments) or evidence it
    # pointed to: published only where the focal point consented on submit (reporting/publication/policy.py).
    free_text: ClassVar[bool] = False

    def public_value(self, value: Any, consented: bool) -> Any:
        """The part of a stored answer that may be published (None: nothing): all of it, except
        free text without the country's consent. Statuses, ticks, choices and figures are public."""
        return None if self.free_text and not consented else value

    def field(self, item: dict[str, Any]) -> Field:
        raise NotImplementedError

    def to_answer(self, data: Any) -> Any:
        """The JSON value stored for the field's data; None means no answer."""
        if isinstance(data, str):
            data = data.strip()
        return data if data not in ("", None, []) else None

    def from_answer(self, value: Any) -> Any:
        return value

    def to_formdata(self, key: str, value: Any) -> list[tuple[str, str]]:
        """The stored (or JSON) value as the inputs a page would post, so JSON clients are validated as pages are."""
        return [(key, str(part)) for part in (value if isinstance(value, list) else [value]) if part is not None]

    def posted(self, key: str, formdata) -> Any:
        """What was posted for the item, as typed, to show a refused page again."""
        return formdata.get(key)

    # --- the offline workbook ---------------------------------------------------
    # ``cells`` is the question's block on its sheet (forms.workbook.AnswerCells):
    # ``put``/``text`` address answer cells by (row offset, column offset) from the
    # question's first answer cell, ``label`` writes a sub-row's caption.

    def workbook_rows(self, item: dict[str, Any]) -> int:
        """How many sheet rows the question takes (one for a single answer cell)."""
        return 1

    def workbook_instruction(self, item: dict[str, Any]) -> str:
        return _l("Type the answer.")

    def write_cells(self, item: dict[str, Any], value: Any, cells) -> None:
        cells.put(0, 0, value)

    def read_cells(self, item: dict[str, Any], cells) -> list[tuple[str, str]]:
        """The form data the workbook's cells amount to, as the web page would post it."""
        text = cells.text(0, 0)
        return [(item["key"], text)] if text else []


def _choices(item: dict[str, Any]) -> list[SelectChoice]:
    return [SelectChoice(choice["value"], translate_spec_text(choice["label"])) for choice in item.get("choices", ())]


def _label(item: dict[str, Any]):
    """Spec wording is English; the catalogs translate it when the form is shown."""
    return translate_spec_text(item["label"])


@register
class StatusKind(QuestionKind):
    name = "status"

    def field(self, item):
        return RadioField(
            _label(item),
            # The page draws the radio buttons itself (a matrix row); the choices only validate.
            choices=[SelectChoice(value) for value in STATUS_VALUES],
            validators=[Optional(), AnyOf(STATUS_VALUES, message=_l("Choose one of the statuses of the scale."))],
            validate_choice=False,
        )

    def workbook_instruction(self, item):
        return _l("Choose the status from the list.")

    def write_cells(self, item, value, cells):
        cells.put(0, 0, STATUS_LABELS.get(value, value), choices=[label for _value, label in STATUS_SCALE])

    def read_cells(self, item, cells):
        return _choice_read(item["key"], cells.text(0, 0), STATUS_SCALE)


@register
class TextKind(QuestionKind):
    name = "text"
    free_text = True

    def field(self, item):
        limit = item.get("max_length", DEFAULT_MAX_TEXT)
        return TextAreaField(
            _label(item),
            validators=[Optional(), Length(max=limit, message=_l("At most %(max)d characters.", max=limit))],
        )

    def workbook_instruction(self, item):
        return _l("Text, at most %(max)d characters.", max=item.get("max_length", DEFAULT_MAX_TEXT))

    def write_cells(self, item, value, cells):
        cells.put(0, 0, value, max_length=item.get("max_length", DEFAULT_MAX_TEXT), wrap=True)


@register
class CommentKind(TextKind):
    name = "comment"


@register
class UrlKind(QuestionKind):
    name = "url"
    evidence = True
    free_text = True  # a link to evidence is published as the documents are: with consent

    def field(self, item):
        return URLField(
            _label(item),
            validators=[
                Optional(),
                Length(max=MAX_URL, message=_l("At most %(max)d characters.", max=MAX_URL)),
                URL(require_tld=True, message=_l("Enter a full web address starting with https:// or http://.")),
                _http_only,
            ],
        )

    def workbook_instruction(self, item):
        return _l("A full web address starting with https:// or http://. Documents are uploaded on the web page.")


def _http_only(_form, field):
    if field.data and not field.data.lower().startswith(("http://", "https://")):
        raise ValidationError(_l("Enter a full web address starting with https:// or http://."))


@register
class NumberKind(QuestionKind):
    """Integers, decimals, percentages (0–100) and years, within the item's range."""

    name = "number"

    def field(self, item):
        kind, low, high = self._limits(item)
        validators = [Optional()]
        if low is not None or high is not None:
            validators.append(NumberRange(min=low, max=high, message=_range_message(low, high)))
        return NumberField(_label(item), integer=kind in ("integer", "year"), validators=validators)

    def to_answer(self, data):
        if isinstance(data, Decimal):
            return int(data) if data == data.to_integral_value() else float(data)
        return data

    @staticmethod
    def _limits(item):
        number = item.get("number", {})
        low, high = NUMBER_LIMITS.get(number.get("type", "decimal"), (None, None))
        return number.get("type", "decimal"), number.get("min", low), number.get("max", high)

    def workbook_instruction(self, item):
        kind, low, high = self._limits(item)
        text = _l("A whole number.") if kind in ("integer", "year") else _l("A number.")
        if low is not None or high is not None:
            text = f"{text} {_range_message(low, high)}"
        unit = item.get("number", {}).get("unit")
        return f"{text} ({translate_spec_text(unit)})" if unit else text

    def write_cells(self, item, value, cells):
        kind, low, high = self._limits(item)
        cells.put(0, 0, value, number=(kind in ("integer", "year"), low, high))


class NumberField(Field):
    """A number parsed strictly at the input boundary (``reporting.core.inputs.parse_number``):
    no NaN, sNaN or Infinity, nothing beyond 10^15, whole numbers where the item asks for them."""

    widget = NumberInput(step="any")

    def __init__(self, label=None, validators=None, integer: bool = False, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.integer = integer

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        try:
            number = parse_number(valuelist[0], self.name)
        except InputError as error:
            raise ValueError(error.message) from None
        if self.integer and number != number.to_integral_value():
            raise ValueError(_l("Enter a whole number."))
        self.data = number

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


def _range_message(low, high):
    if low is not None and high is not None:
        return _l("Enter a number from %(min)s to %(max)s.", min=low, max=high)
    if low is not None:
        return _l("Enter a number of at least %(min)s.", min=low)
    return _l("Enter a number of at most %(max)s.", max=high)


@register
class SingleChoiceKind(QuestionKind):
    name = "single_choice"

    def field(self, item):
        return RadioField(_label(item), choices=_choices(item), validators=[Optional()])

    def workbook_instruction(self, item):
        return _l("Choose one answer from the list.")

    def write_cells(self, item, value, cells):
        labels = dict(_choice_scale(item))
        cells.put(0, 0, labels.get(value, value), choices=list(labels.values()))

    def read_cells(self, item, cells):
        return _choice_read(item["key"], cells.text(0, 0), _choice_scale(item))


@register
class MultipleChoiceKind(QuestionKind):
    name = "multiple_choice"
    multiple = True

    def field(self, item):
        return SelectMultipleField(
            _label(item),
            choices=_choices(item),
            validators=[Optional()],
            widget=ListWidget(prefix_label=False),
            option_widget=CheckboxInput(),
        )

    def to_answer(self, data):
        return sorted(data) if data else None

    def posted(self, key, formdata):
        return formdata.getlist(key)

    # One row per choice under the question, each marked "Yes" or left empty:
    # a drop-down cannot hold several values.
    def workbook_rows(self, item):
        return 1 + len(item.get("choices", ()))

    def workbook_instruction(self, item):
        return _l("Choose “%(yes)s” beside each answer that applies.", yes=YES)

    def write_cells(self, item, value, cells):
        chosen = set(value or ())
        for row, choice in enumerate(item.get("choices", ()), start=1):
            cells.label(row, translate_spec_text(choice["label"]), marker=choice["value"])
            cells.put(row, 0, YES if choice["value"] in chosen else None, choices=[YES])

    def read_cells(self, item, cells):
        posted = []
        for row, choice in enumerate(item.get("choices", ()), start=1):
            text = cells.text(row, 0)
            if text == str(YES):
                posted.append((item["key"], choice["value"]))
            elif text:
                posted.append((item["key"], text))  # the form refuses it as "not a valid choice"
        return posted


YES = _l("Yes")


def _choice_scale(item):
    return [(choice["value"], translate_spec_text(choice["label"])) for choice in item.get("choices", ())]


def _choice_read(key, text, scale):
    """A drop-down cell holds a label in the workbook's language; the stored value
    is posted. Anything else is posted as typed, and the form refuses it."""
    if not text:
        return []
    by_label = {str(label): choice for choice, label in scale}
    return [(key, by_label.get(text, text))]


@register
class TableKind(QuestionKind):
    """An indicator table: rows from a controlled list, columns = measures with units (see ``forms.tables``)."""

    name = "table"
    compound = True

    def field(self, item):
        return tables.TableField(_label(item), item=item)

    def to_answer(self, data):
        return data or None

    def to_formdata(self, key, value):
        return tables.to_formdata(key, value)

    def public_value(self, value, consented):
        """The figures and reference year are public; the table's note is the country's own words."""
        if consented or not isinstance(value, dict):
            return value
        figures = {part: value[part] for part in ("rows", "year") if part in value}
        return figures or None

    def posted(self, key, formdata):
        return tables.posted(key, formdata)

    # On the sheet: a grid under the question, one row per row of the list (optional ones too:
    # a sheet cannot add rows), one column per measure; "--" for no data.
    def workbook_rows(self, item):
        return tables.workbook_rows(item)

    def workbook_instruction(self, item):
        return _l("A table: a number in each cell that applies, or -- where there are no data (not 0). Leave the rows that do not apply empty.")

    def write_cells(self, item, value, cells):
        tables.write_cells(item, value, cells)

    def read_cells(self, item, cells):
        return tables.read_cells(item, cells)


@register
class CheckboxKind(QuestionKind):
    """A tick box (e.g. "not applicable to my country"): stored as true, or no answer when not ticked."""

    name = "checkbox"

    def field(self, item):
        return BooleanField(_label(item), validators=[Optional()])

    def to_answer(self, data):
        return True if data else None

    def workbook_instruction(self, item):
        return _l("Choose Yes to tick it; leave it empty otherwise.")

    def write_cells(self, item, value, cells):
        yes = str(_l("Yes"))
        cells.put(0, 0, yes if value else None, choices=[yes])

    def read_cells(self, item, cells):
        return _choice_read(item["key"], cells.text(0, 0), [("y", _l("Yes"))])

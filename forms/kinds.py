"""Question kinds: each owns its WTForms field, its validators and how its
answer is stored (JSON) and shown again. Registered by name; a duplicate name
fails at import time."""
from decimal import Decimal
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
# Spec wording is extracted from the spec files (see babel.cfg), so it is looked
# up under a name the code extractor does not scan.
from flask_babel import lazy_gettext as translate_spec_text
from wtforms import DecimalField, Field, IntegerField, RadioField, SelectMultipleField, TextAreaField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, AnyOf, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from forms import tables
from reporting.questionnaire.scale import STATUS_VALUES

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


@register
class TextKind(QuestionKind):
    name = "text"

    def field(self, item):
        limit = item.get("max_length", DEFAULT_MAX_TEXT)
        return TextAreaField(
            _label(item),
            validators=[Optional(), Length(max=limit, message=_l("At most %(max)d characters.", max=limit))],
        )


@register
class CommentKind(TextKind):
    name = "comment"


@register
class UrlKind(QuestionKind):
    name = "url"

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


def _http_only(_form, field):
    if field.data and not field.data.lower().startswith(("http://", "https://")):
        raise ValidationError(_l("Enter a full web address starting with https:// or http://."))


@register
class NumberKind(QuestionKind):
    """Integers, decimals, percentages (0–100) and years, within the item's range.

    WTForms' own "not a valid number" messages are translated by Flask-WTF.
    """

    name = "number"

    def field(self, item):
        number = item.get("number", {})
        kind = number.get("type", "decimal")
        low, high = NUMBER_LIMITS.get(kind, (None, None))
        low = number.get("min", low)
        high = number.get("max", high)
        validators = [Optional(), _finite]
        if low is not None or high is not None:
            validators.append(NumberRange(min=low, max=high, message=_range_message(low, high)))
        field_class = IntegerField if kind in ("integer", "year") else DecimalField
        return field_class(_label(item), validators=validators)

    def to_answer(self, data):
        if isinstance(data, Decimal):
            return int(data) if data == data.to_integral_value() else float(data)
        return data


def _finite(_form, field):
    if isinstance(field.data, Decimal) and not field.data.is_finite():
        raise ValidationError(_l("Enter a number."))


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


@register
class MultipleChoiceKind(QuestionKind):
    name = "multiple_choice"

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

    def posted(self, key, formdata):
        return tables.posted(key, formdata)

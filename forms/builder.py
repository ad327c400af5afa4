"""Builds one form class per spec section, cached per indexed section.

A fresh class is made with ``type()`` for each section of a spec indexed by
``responses.submissions.spec_for`` (once per stored version and database); a
shared form class is never modified, and a frozen spec version never changes,
so the cache needs no invalidation.
"""
from functools import lru_cache
from typing import Any

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField
from wtforms.validators import InputRequired

from forms.kinds import KINDS
from forms.spec import Section, Spec
from reporting.core.inputs import BoundaryForm

_FORM_CLASSES: dict[int, tuple[Section, type["SectionForm"]]] = {}
CONTROL_FIELDS = frozenset({"csrf_token", "base_version", "action"})


class SectionForm(BoundaryForm):
    """One section's answers, plus the submission version the page was based on."""

    base_version = HiddenField(validators=[InputRequired()])
    items: dict[str, dict[str, Any]] = {}

    def unknown_keys(self, posted: set[str]) -> list[str]:
        """Posted names that are neither items of this section (or parts ``<key>:…`` of a compound one) nor form controls."""
        def known(name: str) -> bool:
            key, part, _rest = name.partition(":")
            return key in self.items and (not part or KINDS[self.items[key]["kind"]].compound)

        return sorted(name for name in posted - CONTROL_FIELDS if not known(name))

    def is_single_value(self, name: str) -> bool:
        """Every posted name of a section takes one value, but a multiple choice's (a table's cells too)."""
        key = name.partition(":")[0]
        return key not in self.items or not KINDS[self.items[key]["kind"]].multiple

    def answers(self) -> dict[str, Any]:
        """The validated data as stored answer values, keyed by item key."""
        return {key: KINDS[item["kind"]].to_answer(self[key].data) for key, item in self.items.items()}

    @classmethod
    def from_answers(cls, answers: dict[str, Any], base_version: int) -> "SectionForm":
        """A form filled as if posted with these answer values (for JSON clients), without CSRF.

        The values then pass the same boundary as a browser's post; a value of
        the wrong JSON type (a list for a single-value question, an object or
        true/false where text or a number is expected) is refused for its
        question rather than turned into text or reduced to its first item.
        """
        formdata = MultiDict()
        wrong_type: dict[str, str] = {}
        for key, item in cls.items.items():
            kind, value = KINDS[item["kind"]], answers.get(key)
            problem = None if kind.compound else _json_type_problem(value, kind.multiple)
            if problem:
                wrong_type[key] = str(problem)
                continue
            for name, text in kind.to_formdata(key, value):
                formdata.add(name, text)
        form = cls.from_formdata(formdata, base_version)
        form.input_errors = {**form.input_errors, **wrong_type}
        return form

    @classmethod
    def from_formdata(cls, formdata: MultiDict, base_version: int) -> "SectionForm":
        """A form filled as if posted (for JSON clients and the offline workbook), without CSRF.

        Numbers come plain ("1234.5": JSON numbers, spreadsheet cells), never in the reader's locale.
        """
        formdata = MultiDict(formdata)
        formdata["base_version"] = str(base_version)
        return cls(formdata=formdata, meta={"csrf": False, "number_locale": None})


def _json_type_problem(value: Any, multiple: bool):
    if isinstance(value, list) and not multiple:
        return _l("Only one value may be sent for this question; a list was sent.")
    parts = value if isinstance(value, list) else [value]
    if any(isinstance(part, (bool, dict, list)) for part in parts):
        return _l("Send a list of choices.") if multiple else _l("Send text or a number.")
    return None


def section_form_class(spec: Spec, section: Section, keys: frozenset[str] | None = None) -> type[SectionForm]:
    """The section's form class, made once per indexed section. Keyed by the section object
    (kept alive in the cache, so its id is never reused), not by the version string: two
    databases, or tests, may hold different questionnaires under the same version number.

    With ``keys``, the form of those items only: what a JSON client's partial update
    validates (the answers it does not send stay as stored). Every field validates on
    its own, so its verdict on a value is the same in either form."""
    if keys is not None:
        return _partial_form_class(section, keys)
    cached = _FORM_CLASSES.get(id(section))
    if cached is not None and cached[0] is section:
        return cached[1]
    form_class = _form_class(section, section.items)
    _FORM_CLASSES[id(section)] = (section, form_class)
    return form_class


@lru_cache(maxsize=1024)  # a Section hashes by identity; clients send the same few sets of keys again and again
def _partial_form_class(section: Section, keys: frozenset[str]) -> type[SectionForm]:
    return _form_class(section, [item for item in section.items if item["key"] in keys])


def _form_class(section: Section, items) -> type[SectionForm]:
    fields = {item["key"]: KINDS[item["kind"]].field(item) for item in items}
    return type(f"SectionForm_{section.key}", (SectionForm,), {**fields, "items": {item["key"]: item for item in items}})

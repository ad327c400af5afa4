"""Builds one form class per spec section, cached per spec version.

A fresh class is made with ``type()`` for each (version, section); a shared
form class is never modified, and a frozen spec version never changes, so the
cache needs no invalidation.
"""
from typing import Any

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField
from wtforms.validators import InputRequired

from forms.kinds import KINDS
from forms.spec import Section, Spec

_FORM_CLASSES: dict[tuple[str, str], type["SectionForm"]] = {}
CONTROL_FIELDS = frozenset({"csrf_token", "base_version", "action"})


class SectionForm(FlaskForm):
    """One section's answers, plus the submission version the page was based on."""

    base_version = HiddenField(validators=[InputRequired()])
    items: dict[str, dict[str, Any]] = {}

    def unknown_keys(self, posted: set[str]) -> list[str]:
        """Posted names that are neither items of this section (or parts ``<key>:…`` of a compound one) nor form controls."""
        def known(name: str) -> bool:
            key, part, _rest = name.partition(":")
            return key in self.items and (not part or KINDS[self.items[key]["kind"]].compound)

        return sorted(name for name in posted - CONTROL_FIELDS if not known(name))

    def answers(self) -> dict[str, Any]:
        """The validated data as stored answer values, keyed by item key."""
        return {key: KINDS[item["kind"]].to_answer(self[key].data) for key, item in self.items.items()}

    @classmethod
    def from_answers(cls, answers: dict[str, Any], base_version: int) -> "SectionForm":
        """A form filled as if posted with these answer values (for JSON clients), without CSRF."""
        formdata = MultiDict()
        for key, item in cls.items.items():
            for name, text in KINDS[item["kind"]].to_formdata(key, answers.get(key)):
                formdata.add(name, text)
        return cls.from_formdata(formdata, base_version)

    @classmethod
    def from_formdata(cls, formdata: MultiDict, base_version: int) -> "SectionForm":
        """A form filled as if posted (for JSON clients and the offline workbook), without CSRF.

        Numbers come plain ("1234.5": JSON numbers, spreadsheet cells), never in the reader's locale.
        """
        formdata = MultiDict(formdata)
        formdata["base_version"] = str(base_version)
        return cls(formdata=formdata, meta={"csrf": False, "number_locale": None})


def section_form_class(spec: Spec, section: Section) -> type[SectionForm]:
    cache_key = (spec.version, section.key)
    form_class = _FORM_CLASSES.get(cache_key)
    if form_class is None:
        fields = {item["key"]: KINDS[item["kind"]].field(item) for item in section.items}
        items = {item["key"]: item for item in section.items}
        form_class = type(f"SectionForm_{section.key}", (SectionForm,), {**fields, "items": items})
        _FORM_CLASSES[cache_key] = form_class
    return form_class

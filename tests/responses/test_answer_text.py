"""Answers as people read them: lists joined as each language joins them (Babel's format_list)."""
import pytest
from flask_babel import force_locale

from reporting.core.i18n import babel_locale
from reporting.responses.templating import answer_text, audit_value

ITEM = {"kind": "multiple_choice", "key": "x.1"}


@pytest.mark.parametrize(("language", "text"), [
    ("en", "schools, prisons and clinics"), ("fr", "schools, prisons et clinics"), ("es", "schools, prisons y clinics"),
    ("ru", "schools, prisons и clinics"), ("ar", "schools وprisons وclinics"), ("zh", "schools、prisons和clinics"),
])
def test_lists_are_joined_in_the_readers_language(app, language, text):
    with force_locale(babel_locale(language)):  # English as UN documents write it (en_001)
        assert answer_text(ITEM, ["schools", "prisons", "clinics"]) == text


def test_confirmed_answers_are_counted_not_listed_by_key(app):
    with force_locale(babel_locale("en")):
        assert audit_value(["pd2009.14.status", "pd2009.14.measures"]) == "2 answers"
        assert audit_value("in_progress", {"kind": "status"}) == "In progress"

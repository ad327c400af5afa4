"""Examples of measures: in review, a compiler marks a country's "measures taken" answer as an
example for the cycle's report, optionally with a shortened excerpt, and says which language it
is written in. The report quotes the marked examples per chapter with the country's name, as
submitted by the country (``reports.content.examples``).

Plain functions shared by the web page and the tests; every change is audited, and a bad
request changes nothing.
"""
from dataclasses import dataclass
from typing import Any

from babel import Locale, UnknownLocaleError
from flask import current_app
from flask_babel import get_locale, gettext as _
from sqlalchemy import select

from forms.spec import Section
from reporting import audit
from reporting.core.inputs import InputError, clean_text
from reporting.extensions import db
from reporting.models import MeasureExample, Role, Submission, SubmissionState, User
from reporting.models.submissions import EXCERPT_MAX
from reporting.responses.submissions import answers_of, sections_for

MEASURES_SUFFIX = ".measures"
# An example is chosen while the response is reviewed, or after it was accepted (the report counts accepted ones).
MARKABLE_STATES = (SubmissionState.SUBMITTED, SubmissionState.ACCEPTED)


class ExampleError(Exception):
    """A mark the request cannot make; the message names what and where."""

    status = 422

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.message, self.status = message, status


@dataclass
class Measure:
    """A "measures taken" answer of the submission, with its question and its mark (if any)."""

    section: Section
    key: str
    question: str  # the status question's wording (msgid)
    text: str
    example: MeasureExample | None


def is_measures_item(item: dict) -> bool:
    return item["kind"] == "text" and item["key"].endswith(MEASURES_SUFFIX)


def can_mark(user: User, submission: Submission) -> bool:
    return user.role_enum in (Role.ADMIN, Role.COMPILER) and submission.state_enum in MARKABLE_STATES


def _marks(submission: Submission) -> dict[str, MeasureExample]:
    return {mark.key: mark for mark in db.session.scalars(
        select(MeasureExample).where(MeasureExample.submission_id == submission.id))}


def measures_of(submission: Submission) -> list[Measure]:
    """Every non-empty "measures taken" answer, in questionnaire order."""
    answers, marks = answers_of(submission), _marks(submission)
    found = []
    for section in sections_for(submission):
        for item in section.items:
            text = answers.get(item["key"])
            if not is_measures_item(item) or not isinstance(text, str) or not text.strip():
                continue
            status = [other for other in section.status_items if set(item["commitments"]) <= set(other["commitments"])]
            found.append(Measure(section, item["key"], status[0]["label"] if status else item["label"], text,
                                 marks.get(item["key"])))
    return found


def language_name(code: str) -> str:
    """A language's name in the reader's language (the language an example was written in)."""
    try:
        return Locale.parse(code.replace("-", "_")).get_display_name(get_locale()) or code
    except (ValueError, UnknownLocaleError):
        return code


def _language(code: str) -> str:
    code = (code or "").strip()
    if code in current_app.config["LANGUAGES"]:
        return code
    try:
        Locale.parse(code.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        raise ExampleError(_("Unknown language code %(code)s: use a language code such as en, fr or pt.",
                             code=code or "–")) from None
    return code


def _measure(submission: Submission, key: str) -> Measure:
    found = next((measure for measure in measures_of(submission) if measure.key == key), None)
    if found is None:
        raise ExampleError(_("%(key)s is not a “measures taken” answer of this submission.", key=key), 404)
    return found


def mark_example(submission: Submission, key: str, excerpt: str | None, language: str, user: User) -> MeasureExample:
    """Mark (or update the mark of) one answer; the caller commits (``write_transaction``)."""
    if not can_mark(user, submission):
        raise ExampleError(_("Examples can be marked by compilers, on submitted or accepted responses."), 403)
    measure = _measure(submission, key)
    try:
        excerpt = clean_text(excerpt or "", key).strip() or None
    except InputError as error:
        raise ExampleError(str(error)) from None
    if excerpt is not None and len(excerpt) > EXCERPT_MAX:
        raise ExampleError(_("The excerpt of %(key)s has %(length)s characters; at most %(max)s are allowed.",
                             key=key, length=len(excerpt), max=EXCERPT_MAX))
    language = _language(language)
    mark = measure.example
    old: dict[str, Any] | None = None
    if mark is None:
        mark = MeasureExample(submission_id=submission.id, key=key)
        db.session.add(mark)
    else:
        old = {"excerpt": mark.excerpt, "language": mark.language}
    mark.excerpt, mark.language, mark.marked_by_id = excerpt, language, user.id
    audit.record("examples.marked", "submission", submission.id, country_id=submission.country_id,
                 submission_id=submission.id, key=key, old=old, new={"excerpt": excerpt, "language": language})
    return mark


def unmark_example(submission: Submission, key: str, user: User) -> None:
    if not can_mark(user, submission):
        raise ExampleError(_("Examples can be marked by compilers, on submitted or accepted responses."), 403)
    mark = _measure(submission, key).example
    if mark is None:
        raise ExampleError(_("%(key)s is not marked as an example.", key=key), 404)
    audit.record("examples.unmarked", "submission", submission.id, country_id=submission.country_id,
                 submission_id=submission.id, key=key, old={"excerpt": mark.excerpt, "language": mark.language})
    db.session.delete(mark)

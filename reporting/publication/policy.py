"""What the public may see: the one place that decides it.

Every public page, file and API route (the portal here, the open data and the
public API of ``reporting.publication``/``reporting.api``) and the published
reports ask these functions, so the rule cannot drift between them:

- only **published** cycles (never a draft, open or closed one);
- only **accepted** submissions (never one in progress, submitted or returned);
- statuses, ticks, choices and indicator figures are public by default;
- the country's own words — measures taken, explanations, "not applicable"
  reasons, comments, table notes, evidence links — and its evidence documents
  only where its focal point ticked "may be published" on submit
  (``Submission.may_publish``). Which part of an answer is free text is the
  question kind's to say (``forms.kinds``: ``free_text``, ``public_value``),
  never guessed from a key's name;
- never: reviewers' comments, who answered (names, e-mails), the audit log,
  carried-over drafts, answers to questions the cycle's questionnaire does not
  have. Nothing here returns them, so a caller cannot pass them on by mistake.
"""
from typing import Any

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from forms.kinds import KINDS
from forms.spec import Spec
from reporting.extensions import db
from reporting.models import Answer, Country, Cycle, CycleState, Document, Submission, SubmissionState
from reporting.responses.cycles import LABEL_PATTERN
from reporting.responses.submissions import spec_for

ISO3_LENGTH = 3


def is_published(cycle: Cycle) -> bool:
    return cycle.state_enum is CycleState.PUBLISHED


def published_cycles() -> list[Cycle]:
    """Every published cycle, the latest (by deadline) first."""
    return list(db.session.scalars(
        select(Cycle).where(Cycle.state == CycleState.PUBLISHED.value).order_by(Cycle.deadline.desc(), Cycle.id.desc())))


def published_cycle_or_404(label: str) -> Cycle:
    """The published cycle with ``label``; 404 for an unknown, malformed or unpublished one alike,
    so a public URL does not even tell whether an unpublished cycle exists."""
    if not LABEL_PATTERN.fullmatch(label or ""):
        abort(404)
    cycle = db.session.scalar(select(Cycle).where(Cycle.label == label))
    if cycle is None or not is_published(cycle):
        abort(404)
    return cycle


def public_submissions(cycle: Cycle) -> list[Submission]:
    """The accepted submissions of a published cycle (none for any other cycle), by country code,
    with their countries loaded."""
    if not is_published(cycle):
        return []
    return list(db.session.scalars(
        select(Submission).join(Country, Country.id == Submission.country_id)
        .where(Submission.cycle_id == cycle.id, Submission.state == SubmissionState.ACCEPTED.value)
        .options(selectinload(Submission.country), selectinload(Submission.documents)).order_by(Country.iso3)))


def public_submission_or_404(cycle: Cycle, iso3: str) -> Submission:
    """A country's accepted submission in a published cycle, or 404 (unknown code, not accepted)."""
    code = (iso3 or "").upper()
    if len(code) != ISO3_LENGTH or not code.isascii() or not code.isalpha():
        abort(404)
    found = next((submission for submission in public_submissions(cycle) if submission.country.iso3 == code), None)
    if found is None:
        abort(404)
    return found


def text_is_public(submission: Submission) -> bool:
    """Whether the country's own words and documents in this submission are public."""
    return (is_published(submission.cycle) and submission.state_enum is SubmissionState.ACCEPTED
            and bool(submission.may_publish))


def may_quote(cycle: Cycle, consented: bool) -> bool:
    """Whether a report of ``cycle`` may quote a country's own words: a published report only with
    the country's consent; a draft report is for UNODC staff, who see the submissions anyway."""
    return consented or not is_published(cycle)


def public_value(item: dict[str, Any], value: Any, consented: bool) -> Any:
    """The publishable part of one stored answer to ``item`` (None: nothing), as its kind says."""
    kind = KINDS.get(item.get("kind"))
    if kind is None or value is None:
        return None
    return kind.public_value(value, consented)


def public_item_answers(spec: Spec, answers: dict[str, Any], consented: bool) -> dict[str, Any]:
    """Of a country's answers (key → stored value), those the public may read, each reduced to its
    publishable part; keys that are not a question of ``spec`` are dropped."""
    public = {}
    for key, value in answers.items():
        item = spec.items_by_key.get(key)
        shown = public_value(item, value, consented) if item is not None else None
        if shown is not None:
            public[key] = shown
    return public


def report_answers(cycle: Cycle, answers: dict[str, Any], consented: bool) -> dict[str, Any]:
    """A country's answers as a report of ``cycle`` may print them (its profile): the public part in
    a published cycle, everything in a draft report (UNODC staff only)."""
    if not is_published(cycle):
        return answers
    return public_item_answers(spec_for(cycle), answers, consented)


def public_answers(cycle: Cycle, country: Country | None = None) -> dict[str, dict[str, Any]]:
    """ISO3 → {question key → publishable value} over the accepted submissions of a published cycle
    (one country's with ``country``); empty for any other cycle."""
    if not is_published(cycle):
        return {}
    query = (
        select(Country.iso3, Submission.may_publish, Answer.key, Answer.value)
        .join(Submission, Submission.id == Answer.submission_id).join(Country, Country.id == Submission.country_id)
        .where(Submission.cycle_id == cycle.id, Submission.state == SubmissionState.ACCEPTED.value)
        .order_by(Country.iso3, Answer.key)
    )
    if country is not None:
        query = query.where(Submission.country_id == country.id)
    spec = spec_for(cycle)
    found: dict[str, dict[str, Any]] = {}
    for iso3, consented, key, value in db.session.execute(query):
        item = spec.items_by_key.get(key)
        shown = public_value(item, value, bool(consented)) if item is not None else None
        if shown is not None:
            found.setdefault(iso3, {})[key] = shown
    return found


def public_documents(submission: Submission) -> list[Document]:
    """The evidence documents of a submission the public may download: all of them where the
    country consented (and the submission is accepted in a published cycle), else none."""
    return list(submission.documents) if text_is_public(submission) else []

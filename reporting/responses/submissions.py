"""A country's submission: saving answers, submitting, returning and accepting.

Every function here changes the database only inside the caller's
``write_transaction()``, and writes an audit event for every change, so a
save is all-or-nothing and every step can be traced.
"""
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable, NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import contains_eager, selectinload

from forms.kinds import translate_spec_text
from forms.relevance import check_passes, condition_keys, is_visible, section_applies, section_inputs
from forms.spec import Section, Spec
from reporting import audit
from reporting.accounts.access import assigned_sections
from reporting.countries.services import country_scopes
from reporting.extensions import db
from reporting.models import (
    Answer, Country, Cycle, CycleState, ReviewComment, Role, SectionReady, Submission, SubmissionState, User,
)
from reporting.notifications import services as notify
from reporting.questionnaire import versions
from reporting.responses.cycles import previous_cycle

EDITOR_ROLES = (Role.FOCAL_POINT, Role.CONTRIBUTOR)

_SPECS: dict[tuple[str, int], Spec] = {}


class WorkflowError(Exception):
    """An action the submission's state, the cycle's state or the user's role does not allow."""

    status = 409

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class NotAllowed(WorkflowError):
    status = 403


class StaleSubmission(WorkflowError):
    """Someone saved since this page was loaded; nothing was written."""

    def __init__(self, submission: Submission, answers: dict[str, Any]):
        super().__init__(_l("Someone else saved this submission while you were editing. Nothing was overwritten."))
        self.current_version = submission.version
        self.current_answers = answers
        self.updated_by = submission.updated_by.display_name if submission.updated_by else None
        self.updated_at = submission.updated_at


@dataclass(frozen=True)
class Problem:
    section_key: str
    item_key: str | None
    message: str


class Progress(NamedTuple):
    """A section's required questions that currently apply: how many are answered and confirmed,
    how many are pre-filled from the previous cycle and not yet confirmed, and how many are asked."""

    answered: int
    asked: int
    prefilled: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.asked) if self.asked else 100


def spec_for(cycle: Cycle) -> Spec:
    """The cycle's frozen spec, loaded and indexed once per version for the life of the process
    (a stored version never changes, so the cache needs no invalidation)."""
    key = (str(db.engine.url), cycle.spec_version_id)  # a row id is unique within one database
    spec = _SPECS.get(key)
    if spec is None:
        spec = _SPECS[key] = Spec(cycle.spec_version.content)
    return spec


def find_submission(label: str, iso3: str) -> Submission | None:
    """Country ``iso3``'s submission to cycle ``label``, with both, in one query. Its answers and
    comments load when first used: a save reads only the answers it needs (``stored_answers``)."""
    return db.session.scalar(
        select(Submission).join(Submission.cycle).join(Submission.country)
        .where(Cycle.label == label, Country.iso3 == iso3.upper())
        .options(contains_eager(Submission.cycle), contains_eager(Submission.country))
    )


def answers_of(submission: Submission) -> dict[str, Any]:
    return {answer.key: answer.value for answer in submission.answers}


class StoredAnswer(NamedTuple):
    id: int
    value: Any
    carried_over: bool


def stored_answers(submission: Submission, keys: Iterable[str]) -> dict[str, StoredAnswer]:
    """The stored answers among ``keys``, as plain rows: what saving or checking a few sections
    reads (see ``section_inputs``), instead of every answer of the submission as ORM objects
    (about 2,600 for a full questionnaire, which made each save cost tens of milliseconds)."""
    keys = sorted(keys)
    if not keys:
        return {}
    rows = db.session.execute(
        select(Answer.key, Answer.id, Answer.value, Answer.carried_over)
        .where(Answer.submission_id == submission.id, Answer.key.in_(keys))
    )
    return {key: StoredAnswer(answer_id, value, carried) for key, answer_id, value, carried in rows}


def inputs_of(sections: Iterable[Section]) -> set[str]:
    """The answer keys that saving or checking these sections reads."""
    return set().union(*(section_inputs(section) for section in sections))


def carried_keys(submission: Submission) -> set[str]:
    return {answer.key for answer in submission.answers if answer.carried_over}


def earlier_statuses(submission: Submission, section: Section, answers: dict[str, Any],
                     previous: Cycle | None) -> dict[str, dict[str, str]]:
    """Status key → {commitment id: status} for this section's unanswered policy questions whose
    commitments the previous cycle (``previous``: ``previous_cycle`` of the submission's, looked up once
    by the caller) asked one by one, under another spec, and were answered differently (so nothing
    was carried over): shown to the focal point as a hint."""
    if previous is None or previous.spec_version_id == submission.cycle.spec_version_id:
        return {}
    earlier = db.session.scalar(select(Submission).where(
        Submission.cycle_id == previous.id, Submission.country_id == submission.country_id,
        Submission.state == SubmissionState.ACCEPTED.value).options(selectinload(Submission.answers)))
    if earlier is None:
        return {}
    by_commitment = versions.answers_by_commitment(previous.spec_version.content, answers_of(earlier))
    hints = {}
    for item in section.status_items:
        if answers.get(item["key"]) is None and len(item["commitments"]) > 1:
            statuses = {cid: by_commitment[("status", cid)] for cid in item["commitments"]
                        if ("status", cid) in by_commitment}
            if len(set(statuses.values())) > 1:
                hints[item["key"]] = statuses
    return hints


def sections_for(submission: Submission) -> list[Section]:
    """The sections this country is asked: its regional modules, and the modules its screening answers switch on."""
    return asked_sections(submission, spec_for(submission.cycle).sections, answers_of(submission))


def asked_sections(submission: Submission, sections: Iterable[Section], answers: dict[str, Any]) -> list[Section]:
    """Those of ``sections`` this country is asked (``answers`` holds at least the keys their module rules read)."""
    scopes = country_scopes(submission.country)
    return [section for section in sections if section.applies_to(scopes) and section_applies(section, answers)]


def is_asked(submission: Submission, section: Section) -> bool:
    """Whether ``section`` is one of ``sections_for(submission)``, reading only the answers its module rule reads."""
    stored = stored_answers(submission, condition_keys(section.show_if))
    return bool(asked_sections(submission, [section], {key: row.value for key, row in stored.items()}))


def sections_for_user(user: User, submission: Submission) -> list[Section]:
    """The sections ``user`` sees: all of them, or a contributor's assigned ones."""
    allowed = assigned_sections(user)
    sections = sections_for(submission)
    return sections if allowed is None else [section for section in sections if section.key in allowed]

def previous_answers(submission: Submission) -> dict[str, Any]:
    """The country's answers in the previous cycle (the baseline of carry-forward), to mark
    what changed since then on the review page; empty when there is no previous cycle."""
    previous = previous_cycle(submission.cycle)
    if previous is None:
        return {}
    rows = db.session.execute(
        select(Answer.key, Answer.value)
        .join(Submission, Submission.id == Answer.submission_id)
        .where(Submission.cycle_id == previous.id, Submission.country_id == submission.country_id)
    )
    return dict(rows.all())


# --- permissions -----------------------------------------------------------------

def require_editable(user: User, submission: Submission, section_keys=()) -> None:
    """A focal point edits every section of their country; a contributor only the
    sections assigned to them; nobody once the cycle closed or the country submitted."""
    if user.role_enum not in EDITOR_ROLES or user.country_id != submission.country_id:
        raise NotAllowed(_l("Only a national focal point or contributor of this country can change its answers."))
    allowed = assigned_sections(user)
    refused = sorted(key for key in section_keys if allowed is not None and key not in allowed)
    if refused:
        raise NotAllowed(_l(
            "Your focal point has not assigned this section to you: %(sections)s. Nothing was saved.",
            sections=", ".join(refused),
        ))
    _require_open(submission)


def _require_open(submission: Submission) -> None:
    if submission.cycle.state_enum is not CycleState.OPEN:
        raise WorkflowError(_l("This reporting cycle is closed: answers can no longer be changed."))
    if not submission.state_enum.editable:
        raise WorkflowError(_l("This submission has been submitted and is read-only."))


def require_submitter(user: User, submission: Submission) -> None:
    """Only the national focal point signs off for the country."""
    if user.role_enum is not Role.FOCAL_POINT or user.country_id != submission.country_id:
        raise NotAllowed(_l("Only the national focal point of this country can submit its questionnaire."))
    _require_open(submission)


def _allowed(check, *args) -> bool:
    try:
        check(*args)
    except WorkflowError:
        return False
    return True


def can_edit(user: User, submission: Submission, section_key: str | None = None) -> bool:
    return _allowed(require_editable, user, submission, [section_key] if section_key else [])


def can_submit(user: User, submission: Submission) -> bool:
    return _allowed(require_submitter, user, submission)


def can_review(user: User, submission: Submission) -> bool:
    return user.role_enum in (Role.ADMIN, Role.COMPILER) and submission.state_enum is SubmissionState.SUBMITTED


def _check_version(submission: Submission, base_version: int) -> None:
    if submission.version != base_version:
        raise StaleSubmission(submission, answers_of(submission))


def _set_state(submission: Submission, user: User, state: SubmissionState) -> None:
    audit.record(
        "submission.state", "submission", submission.id,
        country_id=submission.country_id, submission_id=submission.id,
        old=submission.state, new=state.value,
    )
    submission.state = state.value


def _touch(submission: Submission, user: User) -> None:
    """Every change goes through the submission row, so its version moves on."""
    submission.updated_at = datetime.now(timezone.utc)
    submission.updated_by = user


# --- saving answers ----------------------------------------------------------------

def save_sections(submission: Submission, updates: dict[Section, dict[str, Any]], base_version: int, user: User,
                  stored: dict[str, StoredAnswer] | None = None) -> list[str]:
    """Store the answers of one or more sections as one change; returns the keys whose value changed.

    Items hidden by ``show_if`` (given the new answers) are cleared, and every
    answer of a saved section counts as confirmed, so carried-over values stop
    being marked as such.

    The submission row moves to its next version first, so a concurrent save
    fails there (``StaleDataError``) before any answer is written. Then only the
    answers these sections show or depend on (``section_inputs``) are read, and
    written with a few set-wise statements. ``stored``: those answers as the
    caller read them, in the request, with the submission; the version check
    vouches that they are still current (every change of an answer moves the
    version on), so they need not be read again.
    """
    require_editable(user, submission, [section.key for section in updates])
    _check_version(submission, base_version)
    if submission.state_enum is SubmissionState.NOT_STARTED:
        _set_state(submission, user, SubmissionState.IN_PROGRESS)
    _touch(submission, user)
    db.session.flush()
    current = stored_answers(submission, inputs_of(updates)) if stored is None else stored
    merged = {key: row.value for key, row in current.items()}
    for values in updates.values():
        merged |= values
    changed: list[str] = []
    for section, values in updates.items():
        section_changed = _save_section(submission, section, values, merged, current, user)
        if section_changed and user.role_enum is Role.CONTRIBUTOR:
            _unmark_ready(submission, section.key, user)  # changed since it was declared ready
        changed += section_changed
    return changed


def not_applicable_answers(section: Section, values: dict[str, Any]) -> dict[str, Any]:
    """A section declared "not applicable to my country" answers each of its status questions
    "not applicable" at once, so that reports count it as such."""
    flagged = any(item.get("section_flag") and values.get(item["key"]) for item in section.items)
    if not flagged:
        return values
    return values | {item["key"]: "not_applicable" for item in section.status_items}


def stored_values(section: Section, values: dict[str, Any], merged: dict[str, Any]) -> dict[str, Any]:
    """What saving ``values`` for ``section`` stores: items that ``show_if`` hides
    (given ``merged``, every answer after the save) are cleared."""
    values = not_applicable_answers(section, values)
    merged = merged | values
    return {item["key"]: values.get(item["key"]) if is_visible(item, merged) else None for item in section.items}


def _save_section(submission, section, values, merged, current: dict[str, StoredAnswer], user) -> list[str]:
    changed: list[str] = []
    confirmed: list[str] = []
    inserted, updated, removed, events = [], [], [], []
    now = datetime.now(timezone.utc)
    for key, new in stored_values(section, values, merged).items():
        answer = current.get(key)
        old = answer.value if answer else None
        if answer is not None and answer.carried_over:
            confirmed.append(key)
        if new == old:
            continue
        changed.append(key)
        events.append({"object_id": key, "country_id": submission.country_id, "submission_id": submission.id,
                       "key": key, "old": old, "new": new})
        if new is None:
            removed.append(answer.id)
        elif answer is None:
            inserted.append({"submission_id": submission.id, "key": key, "value": new, "updated_by_id": user.id, "updated_at": now})
        else:
            updated.append({"id": answer.id, "value": new, "updated_by_id": user.id, "updated_at": now})
    if removed:
        db.session.execute(delete(Answer).where(Answer.id.in_(removed)))
    if inserted:
        db.session.execute(insert(Answer), inserted)
    if updated:
        db.session.execute(update(Answer), updated)  # by primary key, one executemany
    audit.record_many("answer.changed", "answer", events)
    if confirmed:
        kept = [current[key].id for key in confirmed if current[key].id not in removed]
        if kept:
            db.session.execute(update(Answer).where(Answer.id.in_(kept)).values(carried_over=False))
        audit.record(
            "answers.confirmed", "section", section.key,
            country_id=submission.country_id, submission_id=submission.id, key=section.key, new=confirmed,
        )
    return changed


def confirm_carried(submission: Submission, section: Section, base_version: int, user: User) -> int:
    """Confirm every carried-over answer of one section as it stands; returns how many.

    The same as saving the section unchanged (``save_sections``), so the audit
    log records the confirmation the same way and hidden items are cleared alike."""
    stored = stored_answers(submission, [item["key"] for item in section.items])
    save_sections(submission, {section: {key: row.value for key, row in stored.items()}}, base_version, user)
    return sum(1 for row in stored.values() if row.carried_over)


# --- completeness ------------------------------------------------------------------

def section_progress(section: Section, answers: dict[str, Any], carried: set[str] = frozenset(), items=None) -> Progress:
    """Progress over the section's (or ``items``') required items that currently apply; a
    carried-over answer counts as pre-filled, not as answered, until it is confirmed."""
    asked = [item for item in (section.items if items is None else items) if item.get("required") and is_visible(item, answers)]
    given = [item["key"] for item in asked if answers.get(item["key"]) is not None]
    prefilled = sum(1 for key in given if key in carried)
    return Progress(len(given) - prefilled, len(asked), prefilled)


def overall_progress(progress: list[Progress]) -> Progress:
    return Progress(*(sum(values) for values in zip(*progress))) if progress else Progress(0, 0)


def next_unanswered(sections: list[Section], current: Section, answers: dict[str, Any]) -> tuple[Section, dict[str, Any]] | None:
    """The first required question without an answer, from the current section on (then from
    the start): where "Next unanswered question" leads."""
    start = sections.index(current)
    for section in sections[start:] + sections[:start]:
        for item in section.items:
            if item.get("required") and answers.get(item["key"]) is None and is_visible(item, answers):
                return section, item
    return None


def problems(submission: Submission, only: set[str] | None = None) -> list[Problem]:
    """Everything that stops the questionnaire from being submitted, section by section
    (in the sections whose keys are in ``only``, when given: what a save reports, reading
    only the answers those sections depend on)."""
    if only is None:
        sections = sections_for(submission)
        answers = answers_of(submission)
        carried = carried_keys(submission)
    else:
        wanted = [section for section in spec_for(submission.cycle).sections if section.key in only]
        stored = stored_answers(submission, inputs_of(wanted))
        answers = {key: row.value for key, row in stored.items()}
        carried = {key for key, row in stored.items() if row.carried_over}
        sections = asked_sections(submission, wanted, answers)
    found: list[Problem] = []
    for section in sections:
        for item in section.items:
            key = item["key"]
            if not is_visible(item, answers):
                continue
            if item.get("required") and answers.get(key) is None:
                found.append(Problem(section.key, key, _l("This question needs an answer.")))
            elif key in carried:
                found.append(Problem(section.key, key, _l("Carried over from the previous cycle: confirm or change it.")))
        for check in section.checks:
            if not check_passes(check, answers):
                found.append(Problem(section.key, check.get("key"), translate_spec_text(check["message"])))
    return found


# --- workflow ----------------------------------------------------------------------

def submit(submission: Submission, base_version: int, user: User, may_publish: bool = False) -> list[Problem]:
    """Submit if complete; otherwise return the problems and change nothing.

    ``may_publish`` is the focal point's answer to "the descriptions of measures and the documents
    of this submission may be published", asked on every submit (not ticked: not consented); it
    decides what of this response the public portal and files show (``reporting.publication.policy``)."""
    require_submitter(user, submission)
    _check_version(submission, base_version)
    found = problems(submission)
    if found:
        return found
    audit.record(
        "submission.publication", "submission", submission.id,
        country_id=submission.country_id, submission_id=submission.id,
        old=bool(submission.may_publish), new=bool(may_publish),
    )
    submission.may_publish = bool(may_publish)
    _set_state(submission, user, SubmissionState.SUBMITTED)
    submission.submitted_at = datetime.now(timezone.utc)
    _touch(submission, user)
    return []


def _require_review(user: User, submission: Submission, base_version: int) -> None:
    if user.role_enum not in (Role.ADMIN, Role.COMPILER):
        raise NotAllowed(_l("Only UNODC compilers can review submissions."))
    _check_version(submission, base_version)
    if submission.state_enum is not SubmissionState.SUBMITTED:
        raise WorkflowError(_l("Only a submitted questionnaire can be returned or accepted."))


def comment_targets(submission: Submission) -> dict[str, tuple[str, str | None]]:
    """What a compiler can comment on: each section's key → (section, None) and each of its
    questions' key → (section, question key)."""
    targets: dict[str, tuple[str, str | None]] = {}
    for section in sections_for(submission):
        targets[section.key] = (section.key, None)
        for item in section.items:
            targets[item["key"]] = (section.key, item["key"])
    return targets


def return_submission(submission: Submission, comments: dict[str, str], base_version: int, user: User) -> None:
    """Send back for correction, with the compiler's comments (at least one), each keyed by a
    section key (on the whole section) or a question key (on that question)."""
    _require_review(user, submission, base_version)
    targets = comment_targets(submission)
    unknown = sorted(set(comments) - set(targets))
    if unknown:
        raise WorkflowError(_l("Not part of this questionnaire: %(keys)s. Nothing was sent.", keys=", ".join(unknown[:5])))
    comments = {key: text.strip() for key, text in comments.items() if text and text.strip()}
    if not comments:
        raise WorkflowError(_l("Say what needs correcting: add a comment to at least one section or question."))
    for key, text in comments.items():
        section_key, item_key = targets[key]
        submission.comments.append(ReviewComment(section_key=section_key, item_key=item_key, text=text, author=user))
        audit.record(
            "review.comment", "submission", submission.id,
            country_id=submission.country_id, submission_id=submission.id, key=key, new=text,
        )
    _set_state(submission, user, SubmissionState.RETURNED)
    _touch(submission, user)
    # The e-mail names what each comment is about: the section, or the question.
    spec = spec_for(submission.cycle)
    titles = {key: spec.items_by_key[item_key]["label"] if item_key else spec.section(key).title
              for key, (_section, item_key) in targets.items() if key in comments}
    notify.submission_returned(submission, comments, titles)


def accept(submission: Submission, base_version: int, user: User) -> None:
    _require_review(user, submission, base_version)
    _set_state(submission, user, SubmissionState.ACCEPTED)
    _touch(submission, user)
    notify.submission_accepted(submission)


# --- "ready for the focal point" -------------------------------------------------------

def ready_marks(submission: Submission) -> dict[str, SectionReady]:
    return {
        mark.section_key: mark
        for mark in db.session.scalars(select(SectionReady).where(SectionReady.submission_id == submission.id))
    }


def mark_ready(user: User, submission: Submission, section_key: str, ready: bool = True) -> None:
    """A contributor hands a section over to the focal point (or takes it back)."""
    if user.role_enum is not Role.CONTRIBUTOR:
        raise NotAllowed(_l("Only a contributor marks a section ready for the focal point."))
    require_editable(user, submission, [section_key])
    mark = ready_marks(submission).get(section_key)
    if ready and mark is None:
        db.session.add(SectionReady(submission_id=submission.id, section_key=section_key, marked_by_id=user.id))
        audit.record("section.ready", "section", section_key, country_id=submission.country_id,
                     submission_id=submission.id, key=section_key, new="ready")
    elif not ready and mark is not None:
        _unmark_ready(submission, section_key, user)


def _unmark_ready(submission: Submission, section_key: str, user: User) -> None:
    mark = ready_marks(submission).get(section_key)
    if mark is not None:
        db.session.delete(mark)
        audit.record("section.not_ready", "section", section_key, country_id=submission.country_id,
                     submission_id=submission.id, key=section_key, old="ready")

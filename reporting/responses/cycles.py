"""Reporting cycles: draft → open → closed → published, one frozen spec version each."""
from collections import defaultdict
from datetime import date, datetime, timezone
import re

from sqlalchemy import insert, select
from sqlalchemy.orm import aliased

from reporting import audit
from reporting.extensions import db
from reporting.notifications import services as notify
from reporting.models import Answer, Country, Cycle, CycleState, SpecVersion, Submission, SubmissionState
from reporting.questionnaire import versions

# Matched with fullmatch: ``$`` would also match before a final newline ("2025\n").
LABEL_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}", re.ASCII)
TRANSITIONS = {
    CycleState.OPEN: (CycleState.DRAFT,),
    CycleState.CLOSED: (CycleState.OPEN,),
    CycleState.PUBLISHED: (CycleState.CLOSED,),
}
TIMESTAMPS = {CycleState.OPEN: "opened_at", CycleState.CLOSED: "closed_at", CycleState.PUBLISHED: "published_at"}


class CycleError(ValueError):
    """A cycle operation that cannot be done; the message says why."""


def find_cycle(label: str) -> Cycle:
    cycle = db.session.scalar(select(Cycle).where(Cycle.label == label))
    if cycle is None:
        raise CycleError(f"unknown cycle {label!r}")
    return cycle


def latest_cycle() -> Cycle | None:
    return db.session.scalar(select(Cycle).order_by(Cycle.deadline.desc(), Cycle.id.desc()).limit(1))


def previous_cycle(cycle: Cycle) -> Cycle | None:
    """The cycle with the latest deadline before this one's: the baseline for carry-forward and trends."""
    return db.session.scalar(
        select(Cycle).where(Cycle.deadline < cycle.deadline).order_by(Cycle.deadline.desc()).limit(1)
    )


def create_cycle(label: str, spec_version: str, deadline: date, *, demo: bool = False) -> Cycle:
    """A new cycle in draft, with a not-started submission for every Member State."""
    if not LABEL_PATTERN.fullmatch(label or ""):
        raise CycleError(f"cycle label {label!r} must be 1–32 letters, digits, '.', '_' or '-'")
    if db.session.scalar(select(Cycle.id).where(Cycle.label == label)):
        raise CycleError(f"a cycle labelled {label!r} already exists")
    spec = db.session.scalar(select(SpecVersion).where(SpecVersion.version == spec_version))
    if spec is None:
        raise CycleError(f"unknown spec version {spec_version!r}: activate it first with `flask spec activate`")
    cycle = Cycle(label=label, spec_version=spec, deadline=deadline, state=CycleState.DRAFT.value, is_demo=demo)
    db.session.add(cycle)
    db.session.flush()
    member_ids = db.session.scalars(select(Country.id).where(Country.is_member_state)).all()
    db.session.execute(
        insert(Submission),
        [{"cycle_id": cycle.id, "country_id": country_id, "state": SubmissionState.NOT_STARTED.value} for country_id in member_ids],
    )
    audit.record("cycle.created", "cycle", cycle.id, new={"label": label, "spec": spec_version, "deadline": deadline.isoformat()})
    return cycle


def carry_forward(cycle: Cycle) -> int:
    """Pre-fill each country's answers from its accepted answers of the previous cycle.

    Only answers that are still valid under this cycle's spec carry (same key,
    compatible item: see ``questionnaire.versions.carry_forward``), and they
    stay marked as carried over until the focal point confirms or changes them.
    """
    previous = previous_cycle(cycle)
    if previous is None:
        return 0
    old = aliased(Submission)
    new = aliased(Submission)
    rows = db.session.execute(
        select(new.id, Answer.key, Answer.value)
        .join(old, old.id == Answer.submission_id)
        .join(new, (new.country_id == old.country_id) & (new.cycle_id == cycle.id))
        .where(old.cycle_id == previous.id, old.state == SubmissionState.ACCEPTED.value)
    ).all()
    by_submission: dict[int, dict] = defaultdict(dict)
    for submission_id, key, value in rows:
        by_submission[submission_id][key] = value
    old_spec, new_spec = previous.spec_version.content, cycle.spec_version.content
    values = [
        {"submission_id": submission_id, "key": key, "value": value, "carried_over": True}
        for submission_id, answers in by_submission.items()
        for key, value in versions.carry_forward(old_spec, new_spec, answers).items()
    ]
    if values:
        db.session.execute(insert(Answer), values)
    audit.record("cycle.carried_forward", "cycle", cycle.id, new={"from": previous.label, "answers": len(values)})
    return len(values)


def change_state(cycle: Cycle, target: CycleState) -> Cycle:
    if cycle.state_enum not in TRANSITIONS[target]:
        raise CycleError(f"cycle {cycle.label} is {cycle.state}; it cannot become {target.value}")
    old = cycle.state
    cycle.state = target.value
    setattr(cycle, TIMESTAMPS[target], datetime.now(timezone.utc))
    audit.record("cycle.state", "cycle", cycle.id, old=old, new=target.value)
    if target is CycleState.OPEN:
        notify.cycle_opened(cycle)
    return cycle


def open_cycle(label: str, spec_version: str, deadline: date, *, demo: bool = False) -> Cycle:
    """Create, pre-fill from the previous cycle and open, all in the caller's transaction."""
    cycle = create_cycle(label, spec_version, deadline, demo=demo)
    carry_forward(cycle)
    return change_state(cycle, CycleState.OPEN)

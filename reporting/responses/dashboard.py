"""The compilers' view of a cycle: every Member State's state and progress, in SQL."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from reporting.countries.services import country_scopes, sorted_by_name
from reporting.extensions import db
from reporting.models import Answer, Country, Cycle, Submission
from reporting.responses.submissions import spec_for


@dataclass(frozen=True)
class DashboardRow:
    country: Country
    state: str
    progress: int
    last_activity: datetime | None
    prefilled: int = 0  # required answers carried over from the previous cycle, not yet confirmed


def dashboard_rows(cycle: Cycle, region: int | None = None, state: str | None = None) -> list[DashboardRow]:
    """One row per Member State; progress is the share of required questions answered and
    confirmed: answers carried over from the previous cycle count apart, as pre-filled."""
    spec = spec_for(cycle)
    required_by_key = {
        item["key"]: section for section in spec.sections for item in section.items if item.get("required")
    }
    answered = (
        select(Answer.submission_id, Answer.key, Answer.carried_over)
        .join(Submission, Submission.id == Answer.submission_id)
        .where(Submission.cycle_id == cycle.id, Answer.key.in_(required_by_key))
        .subquery()
    )
    query = (
        select(
            Submission, Country,
            func.count(answered.c.key).filter(answered.c.carried_over.is_(False)),
            func.count(answered.c.key).filter(answered.c.carried_over.is_(True)),
        )
        .join(Country, Country.id == Submission.country_id)
        .outerjoin(answered, answered.c.submission_id == Submission.id)
        .where(Submission.cycle_id == cycle.id)
        .group_by(Submission.id, Country.id)
    )
    if region:
        query = query.where((Country.region_m49 == region) | (Country.subregion_m49 == region))
    if state:
        query = query.where(Submission.state == state)
    rows = []
    required_count: dict[frozenset, int] = {}
    for submission, country, count, prefilled in db.session.execute(query):
        scopes = country_scopes(country)
        if scopes not in required_count:
            required_count[scopes] = sum(1 for section in required_by_key.values() if section.applies_to(scopes))
        total = required_count[scopes]
        progress = round(100 * count / total) if total else 100
        last = submission.updated_at if submission.state != "not_started" else None
        rows.append(DashboardRow(country, submission.state, progress, last, prefilled))
    return sorted_by_name(rows, country=lambda row: row.country)

"""A published cycle with countries that did and did not consent, and submissions that were
not accepted, each holding a planted marker that must never reach a public file or response.

Built on the small hand-made cycle of the report tests (``tests.reports.conftest``).
"""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from reporting.database import write_transaction
from reporting.extensions import db
from reporting.models import Country, Submission
from reporting.opendata.files import write_cycle_files
from tests.reports.conftest import COMMENTS, MEASURES, N1, S1, S2, S3, fill, make_cycle

# Planted in answers the public must never see.
SECRET_UNCONSENTED = "MARKER-NOCONSENT-7f3a"  # free text of an accepted submission whose country did not consent
SECRET_UNACCEPTED = "MARKER-UNACCEPTED-91c2"  # free text of submissions that were not accepted
SECRET_NUMBER = 424242  # an indicator figure of a submission that was not accepted
PUBLIC_TEXT = "Programme national publiable de prévention"  # a consenting country's words: public
MARKERS = (SECRET_UNCONSENTED, SECRET_UNACCEPTED, str(SECRET_NUMBER))

PUBLISHED = {
    "FRA": ("accepted", True, {S1: "implemented", S2: "in_progress", N1: 100, S3: "implemented",
                               MEASURES: PUBLIC_TEXT, COMMENTS: "Commentaire public"}),
    "DEU": ("accepted", False, {S1: "implemented", S2: "planned", N1: 300, S3: "in_progress",
                                MEASURES: SECRET_UNCONSENTED, COMMENTS: SECRET_UNCONSENTED}),
    "NGA": ("accepted", False, {S1: "not_started", S2: "implemented", N1: 1000}),
    "GBR": ("submitted", True, {S1: "in_progress", N1: SECRET_NUMBER, MEASURES: SECRET_UNACCEPTED}),
    "JPN": ("returned", True, {S1: "implemented", MEASURES: SECRET_UNACCEPTED}),
    "MEX": ("in_progress", True, {S1: "implemented", MEASURES: SECRET_UNACCEPTED}),
}
# The next cycle is closed, not published: nothing of it is public, however accepted.
UNPUBLISHED = {"ITA": ("accepted", True, {S1: "implemented", MEASURES: SECRET_UNACCEPTED})}


def make_published(answers: dict, label: str = "2025", deadline: date = date(2025, 6, 30)):
    cycle = make_cycle(label, deadline, state="published")
    fill(cycle, {iso3: (state, values) for iso3, (state, _consent, values) in answers.items()})
    with write_transaction():
        cycle.published_at = datetime(2025, 9, 1, 12, 0, tzinfo=timezone.utc)
        for iso3, (_state, consent, _values) in answers.items():
            submission = db.session.scalar(select(Submission).join(Country).where(
                Submission.cycle_id == cycle.id, Country.iso3 == iso3))
            submission.may_publish = consent
    return cycle


@pytest.fixture
def published(db):
    """(published cycle with its open data written, closed cycle)."""
    cycle = make_published(PUBLISHED)
    closed = make_cycle("2026", date(2026, 6, 30), state="closed")
    fill(closed, {iso3: (state, values) for iso3, (state, _consent, values) in UNPUBLISHED.items()})
    write_cycle_files(cycle)
    return cycle, closed

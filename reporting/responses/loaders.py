"""The one way a URL names a cycle or a country's submission, shared by the
pages, the exports and the API: 404 when unknown, 403 for another country's."""
from flask import abort

from reporting.accounts.access import visible_country
from reporting.models import Cycle, Submission
from reporting.responses import submissions as service
from reporting.responses.cycles import CycleError, find_cycle


def cycle_or_404(label: str) -> Cycle:
    try:
        return find_cycle(label)
    except CycleError:
        abort(404)


def submission_or_404(label: str, iso3: str) -> Submission:
    cycle = cycle_or_404(label)
    country = visible_country(iso3)
    try:
        return service.load_submission(cycle, country)
    except service.NotAllowed:
        abort(404)

"""The one way a URL names a cycle or a country's submission, shared by the
pages, the exports and the API: 404 when unknown, 403 for another country's."""
from flask import abort
from flask_login import current_user

from forms.spec import Section
from reporting.accounts.access import section_allowed, visible_country
from reporting.models import Cycle, Submission
from reporting.responses import submissions as service
from reporting.responses.cycles import CycleError, find_cycle


def cycle_or_404(label: str) -> Cycle:
    try:
        return find_cycle(label)
    except CycleError:
        abort(404)


def submission_or_404(label: str, iso3: str) -> Submission:
    """The submission with its cycle and country, in one query; 404 when unknown, 403 for another country's."""
    submission = service.find_submission(label, iso3)
    if submission is None:
        cycle_or_404(label)
        visible_country(iso3)  # 404 for an unknown country, 403 for another one
        abort(404)  # the country is not asked to report in this cycle
    if not current_user.can_see_country(submission.country_id):
        abort(403)
    return submission


def section_or_404(submission: Submission, section_key: str) -> Section:
    """A section of the country's questionnaire: 404 if it has none such, 403 for a
    contributor to whom the focal point has not assigned it."""
    section = service.spec_for(submission.cycle).section(section_key)
    if section is None or not service.is_asked(submission, section):
        abort(404)
    if not section_allowed(current_user, section.key):
        abort(403)
    return section

"""Translated names of the workflow states, for pages and exports."""
from flask_babel import lazy_gettext as _l

CYCLE_STATE_LABELS = {
    "draft": _l("draft"),
    "open": _l("open"),
    "closed": _l("closed"),
    "published": _l("published"),
}
SUBMISSION_STATE_LABELS = {
    "not_started": _l("Not started"),
    "in_progress": _l("In progress"),
    "submitted": _l("Submitted"),
    "returned": _l("Returned"),
    "accepted": _l("Accepted"),
}

"""Upload routes accept more than the application-wide request limit (4 MB).

The limit is raised for the one request before anything reads its body, and
the CSRF check of such a route runs after that (its view is exempt from the
global check, which would read the body first, and calls ``csrf.protect()``).
"""
from flask import current_app, request

from reporting.extensions import csrf

FORM_OVERHEAD = 64 * 1024  # the form's other fields and the multipart framing


def allow_upload(limit_key: str) -> int:
    """Let this request carry a file of up to ``config[limit_key]`` bytes; returns the limit in MB."""
    limit = current_app.config[limit_key]
    request.max_content_length = limit + FORM_OVERHEAD
    return limit // (1024 * 1024)


def check_csrf() -> None:
    """The check the global CSRF guard would have made (and, like it, off when WTF_CSRF_ENABLED is)."""
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()

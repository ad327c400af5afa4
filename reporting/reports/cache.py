"""The web report served from cached content instead of recomputing it on every request.

``cycle_content`` reads every counted answer of two cycles (about half a second
for 193 countries) and rendering the whole report takes as long again, while
the figures change only when a response does. So both are kept in files under
``REPORTS_DIR/.web-cache/cycle-<id>/`` — shared by every gunicorn worker, and by
every machine when ``REPORTS_DIR`` is shared storage — each stored with the
fingerprint of what it was made from:

- the content: the cycle (state, publication, deadline, spec version), its
  submissions (state, consent to publish, versions, latest change), the
  counted answers (count, newest), the marked examples, the Member
  States, the same for the previous cycle (the like-for-like base), the date
  for a draft (it is dated today) and the code;
- the body of the report in one language: the content's fingerprint plus
  everything that decides how it reads (templates, styles, translations:
  ``build.renderer_version``).

The fingerprint costs a few aggregate queries; a file is recomputed only when
its fingerprint no longer matches, under a lock so that workers hitting a
change at once compute it once. Every app write path that changes an answer
or a state moves its submission's version (``responses.submissions._touch``),
which is what the fingerprint reads: a change made behind the app's back in
SQL is not seen until the next one.

Files are written atomically and signed with ``SECRET_KEY`` (HMAC-SHA256), so
a half-written, foreign or tampered file is ignored and rebuilt, never loaded.

The body is rendered once with placeholders where the CSV links go and each
request puts in its own links (``report_body``'s ``csv_url``): the signed-in
pages and the public portal serve the same cached rendering.
"""
from contextlib import contextmanager
from datetime import date
import fcntl
from functools import lru_cache
import hashlib
import hmac
from pathlib import Path
import pickle
import re
from typing import Callable

from flask import current_app, render_template
from flask_babel import force_locale
from markupsafe import Markup, escape
from sqlalchemy import func, select

from reporting.core.i18n import babel_locale
from reporting.extensions import db
from reporting.models import Answer, Country, Cycle, MeasureExample, Submission
from reporting.reports.build import fingerprint, renderer_version, write_atomic
from reporting.reports.content import ReportContent, country_responses, cycle_content
from reporting.reports.profiles import profile_content
from reporting.reports.render import template_helpers
from reporting.reports.services import counted_states, is_draft
from reporting.responses.cycles import previous_cycle

BODY_TEMPLATE = "reports/web/_body.html"
PROFILE_TEMPLATE = "reports/web/_profile.html"
CACHE_FOLDER = ".web-cache"
TABLE_ID = re.compile(r"[A-Za-z0-9._-]+")
SOURCE_ROOTS = ("reporting", "forms")


@lru_cache(maxsize=1)
def code_version() -> str:
    """The application code and its reference data (country names, groupings): the content is
    recomputed after a deployment that changes them. Read once per process."""
    root = Path(__file__).resolve().parents[2]
    digest = hashlib.sha256()
    for folder in SOURCE_ROOTS:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and (path.suffix == ".py" or "data" in path.relative_to(root).parts):
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _cycle_inputs(cycle: Cycle) -> list:
    """What the content reads of one cycle: the cycle itself and its counted responses."""
    counted = counted_states(cycle)
    submissions = db.session.execute(
        select(Submission.state, Submission.may_publish, func.count(Submission.id), func.sum(Submission.version),
               func.max(Submission.updated_at))
        .where(Submission.cycle_id == cycle.id).group_by(Submission.state, Submission.may_publish)
        .order_by(Submission.state, Submission.may_publish)).all()
    # Count and newest row, read from the index alone (a few ms for 193 countries, where reading every
    # answer's updated_at took 20-90 ms): a changed value moves its submission's version instead.
    answers = db.session.execute(
        select(func.count(Answer.id), func.max(Answer.id))
        .join(Submission, Submission.id == Answer.submission_id)
        .where(Submission.cycle_id == cycle.id, Submission.state.in_(counted))).one()
    examples = db.session.execute(
        select(MeasureExample.id, MeasureExample.key, MeasureExample.excerpt, MeasureExample.language)
        .join(Submission, Submission.id == MeasureExample.submission_id)
        .where(Submission.cycle_id == cycle.id).order_by(MeasureExample.id)).all()
    spec = cycle.spec_version
    return [cycle.id, cycle.label, cycle.state, cycle.published_at, cycle.deadline, cycle.is_demo,
            spec.version, spec.content_sha256, [list(row) for row in submissions], list(answers),
            [list(row) for row in examples]]


def content_fingerprint(cycle: Cycle) -> str:
    """A digest of everything ``cycle_content(cycle)`` depends on (see the module's docstring)."""
    before = previous_cycle(cycle)
    members = db.session.execute(
        select(func.count(Country.id), func.sum(Country.region_m49), func.sum(Country.subregion_m49), func.max(Country.id))
        .where(Country.is_member_state)).one()
    return fingerprint(_cycle_inputs(cycle), _cycle_inputs(before) if before else None, list(members),
                       date.today() if is_draft(cycle) else None, code_version())


def _folder(cycle: Cycle) -> Path:
    return Path(current_app.config["REPORTS_DIR"]) / CACHE_FOLDER / f"cycle-{cycle.id}"


def _signature(key: str, payload: bytes) -> str:
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, key.encode() + b"\0" + payload, hashlib.sha256).hexdigest()


def _read(path: Path, key: str) -> bytes | None:
    """The payload stored under ``key`` (the fingerprint), or None: missing, stale, torn or not ours."""
    try:
        with path.open("rb") as file:
            header = file.readline()
            if header[:64].decode("ascii", "replace") != key:
                return None  # made from other inputs: not worth reading further
            payload = file.read()
    except OSError:  # missing, or no folder to read: computed (and written where possible)
        return None
    return payload if hmac.compare_digest(header[65:129].decode("ascii", "replace"), _signature(key, payload)) else None


def _write(path: Path, key: str, payload: bytes) -> None:
    write_atomic(path, f"{key} {_signature(key, payload)}\n".encode() + payload)


@contextmanager
def _locked(path: Path):
    """One computation of ``path`` at a time, across processes: the others wait, then read its file.
    (A lock per file: the body's computation takes the content's lock inside its own.)"""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_name(f".{path.name}.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _cached(path: Path, key: str, compute: Callable[[], bytes]) -> bytes:
    payload = _read(path, key)
    if payload is not None:
        return payload
    try:
        with _locked(path):
            payload = _read(path, key)  # another process may have made it while this one waited
            if payload is None:
                payload = compute()
                _write(path, key, payload)
    except OSError as error:
        # An unwritable reports folder costs speed, not the page: serve it computed.
        current_app.logger.warning("web report cache %s not written: %s", path, error)
        return payload if payload is not None else compute()
    return payload


def _content(cycle: Cycle, key: str) -> ReportContent:
    payload = _cached(_folder(cycle) / "content.pickle", key,
                      lambda: pickle.dumps(cycle_content(cycle), protocol=pickle.HIGHEST_PROTOCOL))
    return pickle.loads(payload)  # noqa: S301 (signed with SECRET_KEY: written by this app only)


def report_content(cycle: Cycle) -> ReportContent:
    """The cycle's report content as ``cycle_content`` computes it, from the cache while its inputs are unchanged."""
    return _content(cycle, content_fingerprint(cycle))


def _link_mark() -> str:
    """What stands for a CSV link in the cached body, around the table id: derived from ``SECRET_KEY``, so
    that no text a country wrote (quoted in the report) can pass for one."""
    return _signature("web report CSV link", b"")[:20]


def _placeholder(table_id: str) -> str:
    if not TABLE_ID.fullmatch(table_id):
        raise ValueError(f"table id {table_id!r} cannot carry a CSV link (letters, digits, '.', '_', '-' only)")
    return f"{_link_mark()}:{table_id}:{_link_mark()}"


def report_body(cycle: Cycle, language: str, csv_url: Callable[[str], str]) -> Markup:
    """The whole report in ``language`` as an HTML fragment (``<article>``), each figure and table
    linking to ``csv_url(table_id)`` for its CSV. Rendered once per content and language, then cached."""
    key = content_fingerprint(cycle)
    body_key = fingerprint(key, language, BODY_TEMPLATE, renderer_version(language))

    def render() -> bytes:
        content = _content(cycle, key)
        with force_locale(babel_locale(language)):
            html = render_template(BODY_TEMPLATE, **template_helpers(language), content=content, web=True,
                                   csv_url=_placeholder)
        return html.encode()

    html = _cached(_folder(cycle) / f"body-{language}.html", body_key, render).decode()
    mark = _link_mark()
    return Markup(re.sub(f"{mark}:([A-Za-z0-9._-]+):{mark}", lambda match: str(escape(csv_url(match.group(1)))), html))


def profile_body(cycle: Cycle, country: Country, language: str) -> Markup:
    """One country's profile in ``language`` as an HTML fragment: what its PDF profile prints (its
    region's and the world's figures from the cached content, its own answers as the profile gives
    them, its words only with its consent), with the measures texts whole. Not kept here: one
    country's answers are one query and the page takes 50–170 ms; the public portal keeps its pages."""
    response = country_responses(cycle, [country])[0]
    with force_locale(babel_locale(language)):
        return Markup(render_template(PROFILE_TEMPLATE, **template_helpers(language), web=True,
                                      content=profile_content(report_content(cycle), country.region_m49),
                                      response=response))

"""The read-only public API, ``/api/v1/public/…``: published cycles, their aggregates and public
answers, and the commitment register. No authentication.

Everything comes from the open-data files of the published cycles (see ``files``), never from
a submission: what the files do not hold, the API cannot leak. Each body is made once per URL
and publication state (``caching``) and carries ETag, Last-Modified and ``Cache-Control:
public`` so a proxy can serve it; conditional requests get 304. Every route counts against the
per-client public rate limit (429 with Retry-After). Errors are JSON: 404 for an unknown or
unpublished cycle, a country without public answers or an unknown commitment; 400 naming the
query parameter for a bad page, limit or filter.
"""
import json
from typing import Any

from flask import Blueprint, current_app, request
from flask_babel import force_locale, gettext as _

from reporting.core.errors import render_error
from reporting.core.i18n import babel_locale
from reporting.core.inputs import InputError, clean_text, query_int
from reporting.extensions import limiter
from reporting.opendata import caching
from reporting.opendata.catalog import absolute
from reporting.opendata.files import FILES, OpenDataError, read_json, read_manifest
from reporting.opendata.views import public_rate_limit
from reporting.publication.services import (
    RegisterQuery, asking_question, commitment as register_commitment, search_register, statuses_over_cycles,
)
from reporting.questionnaire.scale import STATUS_VALUES
from reporting.register.model import CHAPTERS, DOCUMENTS, PILLARS
from reporting.reports.aggregation import IMPLEMENTED
from reporting.reports.build import AGGREGATE_SHEETS

bp = Blueprint("public_api", __name__, url_prefix="/api/v1/public")
limiter.shared_limit(public_rate_limit, scope="public")(bp)

JSON = "application/json"
MAX_LIMIT, DEFAULT_LIMIT, MAX_PAGE = 500, 50, 100_000
MAX_QUERY = 200  # characters of a search or filter value
FILTERS = ("level", "code", "pillar", "question", "commitment")  # on the aggregate tables that have the column


class Refused(Exception):
    """A request the API answers with an error (status, message, fields)."""

    def __init__(self, status: int, message: str, fields: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.fields = status, message, fields


@bp.errorhandler(Refused)
def refused(error: Refused):
    return render_error(error.status, error.message, error.fields)


@bp.errorhandler(InputError)
def bad_parameter(error: InputError):
    return render_error(400, _("A query parameter is not valid."), {error.field: [str(error.message)]})


@bp.errorhandler(OpenDataError)
def missing_files(error: OpenDataError):
    return render_error(404, _("The open data of this cycle has not been written yet."))


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _respond(make, parameters: tuple[str, ...] = (), portal: bool = False) -> Any:
    """The JSON body of this URL in the current publication state, made once (errors are raised, not kept);
    ``portal``: made from the report content too (see ``caching.publication_state``).

    Keyed by the route's own query parameters only: a cache-busting ``?_=…`` does not make a new entry."""
    key = (request.endpoint, tuple(sorted(request.view_args.items())),
           tuple((name, tuple(request.args.getlist(name))) for name in parameters))
    return caching.cached(key, lambda: _dumps(make()), JSON, portal=portal)


def _cycle(label: str):
    cycle = caching.published_cycle(label)
    if cycle is None:
        raise Refused(404, _("There is no published cycle %(label)s.", label=label[:40]))
    manifest = read_manifest(cycle.label)
    if manifest is None:
        raise Refused(404, _("The open data of this cycle has not been written yet."))
    return cycle, manifest


def _only(names: tuple[str, ...]) -> None:
    """Refuse query parameters this route does not know (a typo would otherwise silently filter nothing)."""
    unknown = sorted(set(request.args) - set(names))
    if unknown:
        raise Refused(400, _("Unknown query parameter %(name)s.", name=unknown[0][:40]),
                      {unknown[0][:40]: [_("Known parameters: %(names)s.", names=", ".join(names))]})


def _text(name: str) -> str | None:
    values = request.args.getlist(name)
    if not values or values == [""]:
        return None
    if len(values) > 1:
        raise InputError(name, _("Send one value only."))
    return clean_text(values[0], name, MAX_QUERY)


def _page(total: int) -> tuple[int, int, dict]:
    """(offset, limit, paging object) from ``page`` and ``limit``; a page past the last one is refused."""
    page = query_int(request.args, "page", 1, MAX_PAGE) or 1
    limit = query_int(request.args, "limit", 1, MAX_LIMIT) or DEFAULT_LIMIT
    pages = max(1, -(-total // limit))
    if page > pages:
        raise InputError("page", _("There are %(pages)d pages of %(limit)d; ask for page 1 to %(pages)d.",
                                   pages=pages, limit=limit))
    return (page - 1) * limit, limit, {"page": page, "limit": limit, "pages": pages, "total": total}


def _cycle_summary(cycle, manifest: dict | None) -> dict:
    return {
        "label": cycle.label, "deadline": cycle.deadline.isoformat(), "spec_version": cycle.spec_version.version,
        "is_demo": cycle.is_demo, "published_at": manifest.get("published_at") if manifest else None,
        "url": absolute("public_api.cycle", label=cycle.label),
        "open_data": absolute("opendata.cycle_page", label=cycle.label),
    }


@bp.get("/")
def index():
    return _respond(lambda: {
        "cycles": absolute("public_api.cycles"), "commitments": absolute("public_api.commitments"),
        "catalog": absolute("opendata.catalog"), "openapi": absolute("api.openapi"),
    })


@bp.get("/cycles")
def cycles():
    return _respond(lambda: {"cycles": [_cycle_summary(cycle, manifest) for cycle in caching.published()
                                        if (manifest := read_manifest(cycle.label))]})


@bp.get("/cycles/<label>")
def cycle(label: str):
    found, manifest = _cycle(label)

    def make():
        answers = read_json(found.label, manifest, "answers.json")["countries"]
        return {
            **_cycle_summary(found, manifest),
            "files": [{"name": file.name, "url": absolute("opendata.download", label=found.label, name=file.name),
                       **manifest["files"][file.name]} for file in FILES if file.name in manifest["files"]],
            "aggregates": {sheet: absolute("public_api.aggregates", label=found.label, table=sheet)
                           for sheet in AGGREGATE_SHEETS},
            "countries": [{"iso3": iso3, "country": entry["country"],
                           "answers": absolute("public_api.country_answers", label=found.label, iso3=iso3)}
                          for iso3, entry in answers.items()],
        }

    return _respond(make)


@bp.get("/cycles/<label>/aggregates/<table>")
def aggregates(label: str, table: str):
    """One aggregate table of the cycle report as JSON rows, filtered and paged."""
    parameters = (*FILTERS, "page", "limit")
    _only(parameters)
    found, manifest = _cycle(label)
    if table not in AGGREGATE_SHEETS:
        raise Refused(404, _("There is no aggregate table %(table)s; the tables are %(tables)s.",
                             table=table[:40], tables=", ".join(AGGREGATE_SHEETS)))

    def make():
        data = read_json(found.label, manifest, "aggregates.json")["tables"][table]
        columns = data["columns"]
        wanted = {name: value for name in FILTERS if (value := _text(name)) is not None}
        for name in wanted:
            if name not in columns:
                raise InputError(name, _("The %(table)s table has no %(column)s column.", table=table, column=name))
        rows = [row for row in data["rows"] if all(_matches(name, row[columns.index(name)], value)
                                                    for name, value in wanted.items())]
        offset, limit, paging = _page(len(rows))
        return {"cycle": found.label, "table": table, **paging,
                "rows": [dict(zip(columns, row)) for row in rows[offset:offset + limit]]}

    return _respond(make, parameters)


def _matches(column: str, cell: Any, wanted: str) -> bool:
    """Exact match; a ``commitment`` filter matches one of the ids of a ``;``-separated list."""
    if column == "commitment" and isinstance(cell, str):
        return wanted in cell.split(";")
    return str(cell if cell is not None else "") == wanted


@bp.get("/cycles/<label>/countries/<iso3>/answers")
def country_answers(label: str, iso3: str):
    """A country's public answers in the cycle: its accepted submission, as the policy publishes it."""
    found, manifest = _cycle(label)
    entry = read_json(found.label, manifest, "answers.json")["countries"].get(iso3)
    if entry is None:
        raise Refused(404, _("%(country)s has no public answers in cycle %(label)s.", country=iso3[:3],
                             label=found.label))
    return _respond(lambda: {"cycle": found.label, "iso3": iso3, **entry,
                             "dictionary": absolute("opendata.download", label=found.label, name="dictionary.csv")})


# --- the register (searched and summed up as the portal's register pages do) ------------------------

def _commitment_summary(record: dict) -> dict:
    return {key: record.get(key) for key in ("id", "document", "label", "title", "kind", "pillar", "chapter", "scope")} | {
        "url": absolute("public_api.commitment", commitment_id=record["id"])}


@bp.get("/commitments")
def commitments():
    """The register: ``q`` (every word, in any order, in the id, reference, text or title — also the title in
    ``lang``), and the document, pillar and chapter filters of the portal's register page."""
    parameters = ("q", "document", "pillar", "chapter", "lang", "page", "limit")
    _only(parameters)

    def make():
        query = RegisterQuery(_text("q") or "", _text("document"), _text("pillar"),
                              query_int(request.args, "chapter", 1, max(CHAPTERS)))
        if not query.choices_valid():
            name = next(name for name, value, known in (("document", query.document, DOCUMENTS),
                                                         ("pillar", query.pillar, PILLARS))
                        if value is not None and value not in known)
            raise InputError(name, _("Unknown value; one of: %(values)s.", values=", ".join(sorted(
                DOCUMENTS if name == "document" else PILLARS))))
        language = _text("lang") or "en"
        if language not in current_app.config["LANGUAGES"]:
            raise InputError("lang", _("Unknown value; one of: %(values)s.",
                                       values=", ".join(current_app.config["LANGUAGES"])))
        with force_locale(babel_locale(language)):
            found = search_register(query)
        offset, limit, paging = _page(len(found))
        return {**paging, "commitments": [_commitment_summary(record) for record in found[offset:offset + limit]]}

    return _respond(make, parameters)


@bp.get("/commitments/<commitment_id>")
def commitment(commitment_id: str):
    """One commitment: its text, the policy question that asks it and its status in each published cycle,
    as the portal's commitment page shows them."""
    record = register_commitment(commitment_id)
    if record is None:
        raise Refused(404, _("There is no commitment %(id)s in the register.", id=commitment_id[:60]))

    def make():
        asked = asking_question(record["id"])
        return {
            **_commitment_summary(record), "path": record.get("path"), "text": record["text"],
            "question": {"key": asked[0]["key"], "label": asked[0]["label"], "spec_version": asked[1]} if asked else None,
            "statuses": [{
                "cycle": found.cycle.label, "question": found.question, "replies": found.counts.responding,
                "counts": {value: found.counts.count(value) for value in STATUS_VALUES},
                "base": found.counts.applicable, "share_implemented": found.counts.reported_share(IMPLEMENTED),
            } for found in statuses_over_cycles(record["id"])],
        }

    return _respond(make, portal=True)

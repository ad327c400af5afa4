"""Open-data downloads, the catalogue and the open-data page of each published cycle (no sign-in).

URL scheme (stable):

- ``/public/data/catalog.json`` — the DCAT catalogue (JSON-LD) of every file;
- ``/public/data/<cycle>/`` — the cycle's open-data page, listing its files;
- ``/public/data/<cycle>/<file>`` — one file, e.g. ``answers.csv``, ``aggregates.xlsx``.

Files are sent from disk as the last publication or build wrote them; only the
names the cycle's manifest lists exist (anything else, path tricks included,
is 404), and only for a published cycle.
"""
import json

from flask import Blueprint, abort, current_app, render_template, send_file

from reporting.core.i18n import current_language
from reporting.extensions import limiter
from reporting.opendata import caching
from reporting.opendata.catalog import catalog_document, citation
from reporting.opendata.files import FILES, FORMATS, file_path, read_manifest

bp = Blueprint("opendata", __name__, url_prefix="/public/data")
JSON_LD = "application/ld+json"


def public_rate_limit() -> str:
    return current_app.config["PUBLIC_RATE_LIMIT"]


# Every public route, pages and API alike, counts against one per-client limit (see README, "Open data").
limiter.shared_limit(public_rate_limit, scope="public")(bp)


@bp.get("/catalog.json")
def catalog():
    return caching.cached(("catalog",), lambda: json.dumps(
        catalog_document(caching.published()), ensure_ascii=False, indent=1).encode(), JSON_LD)


@bp.get("/<label>/")
def cycle_page(label: str):
    """The files of one published cycle, with their sizes, checksums, licence and how to cite them
    (in the reader's language: ``Accept-Language``)."""
    cycle = caching.published_cycle(label)
    if cycle is None:
        abort(404)

    def make():
        manifest = read_manifest(cycle.label)
        files = [(file, manifest["files"][file.name]) for file in FILES if manifest and file.name in manifest["files"]]
        return render_template("opendata/cycle.html", cycle=cycle, manifest=manifest, files=files, formats=FORMATS,
                               citation=citation(cycle, manifest or {})).encode()

    return caching.cached(("page", cycle.label, current_language()), make, "text/html", vary="Accept-Language")


@bp.get("/<label>/<name>")
def download(label: str, name: str):
    cycle = caching.published_cycle(label)
    if cycle is None:
        abort(404)
    manifest = read_manifest(cycle.label)
    path = file_path(cycle.label, manifest, name) if manifest else None
    if path is None:
        abort(404)
    entry = manifest["files"][name]
    stem, _dot, extension = name.rpartition(".")
    response = send_file(path, mimetype=entry["media_type"], as_attachment=extension != "json",
                         download_name=f"{stem}-{cycle.label}.{extension}", etag=entry["sha256"],
                         last_modified=caching.parse_time(entry["modified"]), max_age=current_app.config["PUBLIC_MAX_AGE"],
                         conditional=True)
    response.cache_control.public = True
    return response

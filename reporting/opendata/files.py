"""Writing and finding the open-data files of a published cycle.

Written when a cycle is published (``flask cycle publish``) and whenever its
reports are built (the build calls ``write_cycle_files`` with the content it
has already aggregated), and by ``flask opendata build``. Served from disk by
the public pages and the public API; nothing is recomputed per request.

Layout, under the cycle's report folder::

    REPORTS_DIR/<cycle>/open-data/manifest.json          which generation is current, every file's
                                                          size, SHA-256, media type and dates
    REPORTS_DIR/<cycle>/open-data/<generation>/<file>     the files of one generation

A new generation is written to its own folder and becomes current when the
manifest is replaced (an atomic rename); then the older generations are
removed. A reader thus always finds the files its manifest describes, with the
checksums it lists, even while the files are being rewritten.
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
import hashlib
import json
from pathlib import Path
import secrets
import shutil
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from reporting.models import Cycle, CycleState
from reporting.opendata.dictionary import dictionary_table
from reporting.reports import exports
from reporting.reports.build import AGGREGATE_SHEETS, fingerprint, write_atomic
from reporting.reports.content import ReportContent, cycle_content

FOLDER, MANIFEST = "open-data", "manifest.json"
CSV, XLSX, JSON = "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/json"
FORMATS = {CSV: "CSV", XLSX: "XLSX", JSON: "JSON"}


@dataclass(frozen=True)
class DataFile:
    name: str  # its name on disk and in the URL: /public/data/<cycle>/<name>
    media_type: str
    title: Any  # lazy translatable title (the catalogue gives it in the six languages)
    description: Any


AGGREGATE_TITLES = {
    "status": (_l("Status of each policy question, by area"),
               _l("Per policy question and area (world, M49 regions and sub-regions, regional groups): replies, "
                  "countries per status, the base of the shares and the share implemented; shares are blank where "
                  "there are too few replies.")),
    "summary": (_l("Summary by pillar and UNGASS chapter"),
                _l("Per pillar and thematic chapter: the spread of the questions' shares implemented and the "
                   "median change since the previous cycle.")),
    "targets": (_l("The 2019 targets, by area"),
                _l("Countries per reported trend and per data source named, for each 2019 target.")),
    "commitments": (_l("Status of each commitment, by region"),
                    _l("Per commitment of the register, worldwide and by region: the status reported for the "
                       "policy question that asks it.")),
    "indicators": (_l("Indicator figures, by area"),
                   _l("Per indicator and area: countries reporting, median and range; a sum only where it means "
                      "something (quantities, people).")),
    "coverage": (_l("Replies and response rate, by area"),
                 _l("Member States, accepted submissions and the response rate per area.")),
    "indicator_figures": (_l("Drug situation indicators, by region"),
                          _l("Per indicator table, row and measure, worldwide and by region: countries reporting a "
                             "number, countries answering “no data”, the sum where it means something or else the "
                             "median and range, and the change over the countries that reported in both cycles.")),
    "sdg_351": (_l("SDG indicator 3.5.1, by region"),
                _l("People in treatment for drug use disorders over people with drug use disorders, over the "
                   "countries that reported both, by region and worldwide.")),
}
ALL_AGGREGATES = (_l("Every aggregate table of the cycle"),
                  _l("The aggregate tables of the cycle report, one sheet each."))
ANSWERS = (_l("Public answers of accepted submissions"),
           _l("Every accepted submission's public answers, one line per answer or table cell: statuses, choices "
              "and indicator figures, and free text only where the country agreed to its publication."))
DICTIONARY = (_l("Data dictionary"),
              _l("One row per question, indicator and measure: wording in the six languages, kind, unit, allowed "
                 "values, the commitments it measures and, for indicators, the ARQ module and SDG indicator."))

FILES: tuple[DataFile, ...] = (
    DataFile("aggregates.xlsx", XLSX, *ALL_AGGREGATES),
    *(DataFile(f"aggregates-{sheet}.csv", CSV, *AGGREGATE_TITLES[sheet]) for sheet in AGGREGATE_SHEETS),
    DataFile("aggregates.json", JSON, *ALL_AGGREGATES),
    DataFile("answers.csv", CSV, *ANSWERS),
    DataFile("answers.xlsx", XLSX, *ANSWERS),
    DataFile("answers.json", JSON, *ANSWERS),
    DataFile("dictionary.csv", CSV, *DICTIONARY),
    DataFile("dictionary.xlsx", XLSX, *DICTIONARY),
)
FILES_BY_NAME = {file.name: file for file in FILES}


class OpenDataError(Exception):
    """Open data that cannot be written or found; the message says which and why."""


def folder_of(label: str) -> Path:
    """The cycle's open-data folder (labels are safe file names: see ``responses.cycles.LABEL_PATTERN``)."""
    return Path(current_app.config["REPORTS_DIR"]) / label / FOLDER


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_plain).encode()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _table_json(table: exports.Table) -> dict:
    return {"columns": table.columns, "rows": table.rows}


@dataclass
class Tables:
    """What the files of a cycle are written from."""

    aggregates: list[exports.Table]
    answers: Any  # answers.PublicAnswers
    dictionary: exports.Table

    def inputs(self, cycle: Cycle) -> str:
        """A fingerprint of everything the files say: equal inputs give equal files (but for the dates a
        workbook stamps), so a rebuild that changes nothing public writes nothing (an XLSX of every answer
        of a cycle takes minutes)."""
        return fingerprint(cycle.label, [(t.name, t.columns, t.rows) for t in self.aggregates],
                           self.answers.table.columns, self.answers.table.rows, self.answers.countries,
                           self.dictionary.columns, self.dictionary.rows, [file.name for file in FILES])


def _tables(cycle: Cycle, content: ReportContent) -> Tables:
    from reporting.opendata.answers import public_answers

    return Tables(exports.aggregate_tables(content), public_answers(cycle), dictionary_table(cycle.spec_version.content))


def _bodies(cycle: Cycle, tables: Tables) -> dict[str, bytes]:
    aggregates, answers, dictionary = tables.aggregates, tables.answers, tables.dictionary
    return {
        "aggregates.xlsx": exports.to_xlsx(aggregates),
        **{f"aggregates-{table.name}.csv": exports.to_csv(table) for table in aggregates},
        "aggregates.json": _json({"cycle": cycle.label, "tables": {table.name: _table_json(table) for table in aggregates}}),
        "answers.csv": exports.to_csv(answers.table),
        "answers.xlsx": exports.to_xlsx([answers.table]),
        "answers.json": _json({"cycle": cycle.label, "countries": answers.countries}),
        "dictionary.csv": exports.to_csv(dictionary),
        "dictionary.xlsx": exports.to_xlsx([dictionary]),
    }


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def write_cycle_files(cycle: Cycle, content: ReportContent | None = None) -> dict | None:
    """Write the open data of ``cycle`` if it is published (returns its manifest), else nothing (None);
    nothing either if what the files would say has not changed since they were written (the manifest is kept).

    ``content`` is the cycle's report content when the caller has it (a report build); it must have been
    computed for the published cycle (accepted submissions only)."""
    if cycle.state_enum is not CycleState.PUBLISHED:
        return None
    if content is None:
        content = cycle_content(cycle)
    tables = _tables(cycle, content)
    inputs = tables.inputs(cycle)
    folder = folder_of(cycle.label)
    previous = read_manifest(cycle.label) or {}
    if previous.get("inputs") == inputs and previous.get("published_at") == _iso(cycle.published_at) and all(
            file_path(cycle.label, previous, file.name) for file in FILES):
        return previous
    bodies = _bodies(cycle, tables)
    now = _iso(datetime.now(timezone.utc))
    generation = f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"
    target = folder / generation
    try:
        target.mkdir(parents=True)
        files = {}
        for file in FILES:
            body = bodies[file.name]
            (target / file.name).write_bytes(body)
            sha256 = hashlib.sha256(body).hexdigest()
            before = (previous.get("files") or {}).get(file.name) or {}
            files[file.name] = {
                "media_type": file.media_type, "size": len(body), "sha256": sha256,
                # Unchanged content keeps its date, so a harvester sees what really changed.
                "modified": before.get("modified") if before.get("sha256") == sha256 else now,
            }
        manifest = {
            "cycle": cycle.label, "generation": generation, "spec_version": cycle.spec_version.version,
            "is_demo": cycle.is_demo, "published_at": _iso(cycle.published_at), "generated_at": now, "inputs": inputs,
            "files": files,
        }
        write_atomic(folder / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False).encode())
    except OSError as error:
        shutil.rmtree(target, ignore_errors=True)
        raise OpenDataError(f"cannot write the open data of cycle {cycle.label} to {folder}: "
                            f"{error.strerror or error}") from None
    for old in folder.iterdir():
        if old.is_dir() and old.name != generation:
            shutil.rmtree(old, ignore_errors=True)
    return manifest


_manifests: dict[Path, tuple[tuple[int, int], dict]] = {}


def read_manifest(label: str) -> dict | None:
    """The cycle's current open-data manifest, or None if none was written (cached per file version)."""
    path = folder_of(label) / MANIFEST
    try:
        stat = path.stat()
    except OSError:
        return None
    version = (stat.st_mtime_ns, stat.st_size)
    cached = _manifests.get(path)
    if cached and cached[0] == version:
        return cached[1]
    try:
        manifest = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    _manifests[path] = (version, manifest)
    return manifest


def file_path(label: str, manifest: dict, name: str) -> Path | None:
    """The file ``name`` of the manifest's generation; None for any name the manifest does not list,
    so a path trick (``..``, an encoded slash, another cycle's file) can never reach the disk."""
    if name not in FILES_BY_NAME or name not in manifest.get("files", {}):
        return None
    path = folder_of(label) / manifest["generation"] / name
    return path if path.is_file() else None


def per_generation(label: str, generation: str, name: str, make: Callable[[], Any]) -> Any:
    """``make()`` once per generation of a cycle's open data and process: what is derived from
    files that never change once written (a new generation is a new key)."""
    key = (label, generation, name)
    if key not in _derived:
        if len(_derived) > 64:
            _derived.clear()
        _derived[key] = make()
    return _derived[key]


_derived: dict[tuple[str, str, str], Any] = {}


def read_json(label: str, manifest: dict, name: str) -> Any:
    """A JSON file of the manifest's generation, parsed once per generation and process."""
    def parse():
        path = file_path(label, manifest, name)
        if path is None:
            raise OpenDataError(f"cycle {label}: {name} is missing; run `flask opendata build --cycle {label}`")
        return json.loads(path.read_bytes())

    return per_generation(label, manifest["generation"], name, parse)

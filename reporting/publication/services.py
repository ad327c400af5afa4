"""What the public portal shows, as plain functions (the views only parse, call and render).

Everything public goes through ``policy`` (published cycles, accepted submissions,
consent). Pages are not recomputed per request: ``portal_state`` is a digest of
everything they are made from (a few aggregate queries), and ``cached_body`` keeps
each rendered page under that digest, so a page is rendered again only after a
publication, a review decision, a rebuild of the reports or a deployment.
"""
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
import hashlib
from pathlib import Path
import re
import threading
from typing import Callable
import unicodedata

from flask import current_app, g
from flask_babel import get_locale
from sqlalchemy import func, select

from forms.kinds import translate_spec_text
from reporting.extensions import db
from reporting.models import Country, Cycle, CycleState, MeasureExample, ReportFile, Submission
from reporting.publication import policy
from reporting.register.build import load_register
from reporting.register.model import CHAPTERS, DOCUMENTS, PILLARS
from reporting.reports.aggregation import WORLD, StatusCounts
from reporting.reports.build import profile_path, report_path
from reporting.reports.cache import report_content
from reporting.reports.content import QuestionRow
from reporting.responses.cycles import latest_cycle
from reporting.responses.submissions import spec_for

PAGE_SIZE = 25
MAX_PAGE = 10_000
MAX_QUERY = 200  # characters of a search
CACHE_SIZE = 512  # rendered pages kept per process
PACKAGE = Path(__file__).resolve().parent


# --- what the pages are made from, and the cache of rendered pages --------------------------

@lru_cache(maxsize=1)
def _code_version() -> str:
    """The templates, styles, translations and portal code: a deployment that changes them changes every ETag."""
    root = PACKAGE.parent
    digest = hashlib.sha256()
    folders = [root / "templates", root / "static", PACKAGE, root / "reports",
               Path(current_app.config["BABEL_TRANSLATION_DIRECTORIES"])]
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in (".html", ".css", ".py", ".mo", ".svg"):
                digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def portal_state() -> str:
    """A digest of everything public: the published cycles, their submissions (every change of
    state, answers or consent moves a submission's version), the marked examples, the registered
    report files, and the code. Four small aggregate queries, once per request."""
    if "portal_state" in g:
        return g.portal_state
    published = select(Cycle.id).where(Cycle.state == CycleState.PUBLISHED.value).scalar_subquery()
    cycles = db.session.execute(select(Cycle.id, Cycle.label, Cycle.published_at, Cycle.deadline)
                                .where(Cycle.state == CycleState.PUBLISHED.value).order_by(Cycle.id)).all()
    submissions = db.session.execute(
        select(Submission.cycle_id, func.count(Submission.id), func.sum(Submission.version), func.max(Submission.updated_at))
        .where(Submission.cycle_id.in_(published)).group_by(Submission.cycle_id).order_by(Submission.cycle_id)).all()
    examples = db.session.execute(
        select(func.count(MeasureExample.id), func.max(MeasureExample.id), func.sum(func.length(MeasureExample.excerpt)),
               func.max(MeasureExample.marked_at))
        .join(Submission, Submission.id == MeasureExample.submission_id).where(Submission.cycle_id.in_(published))).one()
    files = db.session.execute(
        select(func.count(ReportFile.id), func.max(ReportFile.id), func.max(ReportFile.created_at))
        .where(ReportFile.cycle_id.in_(published))).one()
    text = repr((str(db.engine.url), [tuple(row) for row in cycles], [tuple(row) for row in submissions],
                 tuple(examples), tuple(files), _code_version()))
    g.portal_state = hashlib.sha256(text.encode()).hexdigest()[:32]
    return g.portal_state


class _Bodies:
    """A bounded LRU of rendered public pages, shared by the threads of one process."""

    def __init__(self, size: int = CACHE_SIZE):
        self.size = size
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_make(self, key: str, make: Callable[[], bytes]) -> bytes:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        body = make()
        with self._lock:
            self._items[key] = body
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return body


_bodies = _Bodies()


def page_key(path: str, query: str) -> str:
    """The ETag of a public page: its address and the state of everything public."""
    return hashlib.sha256(f"{portal_state()}\0{path}\0{query}".encode()).hexdigest()[:32]


def cached_body(key: str, make: Callable[[], str | bytes]) -> bytes:
    def encoded() -> bytes:
        body = make()
        return body.encode() if isinstance(body, str) else body
    return _bodies.get_or_make(key, encoded)


# --- the report content of a published cycle ---------------------------------------------

_indexes: dict[tuple[int, str], dict[str, QuestionRow]] = {}
_indexes_lock = threading.Lock()


def _questions_by_commitment(cycle: Cycle) -> dict[str, QuestionRow]:
    """The questions of the cycle's report content (as the web report caches it: ``reports.cache``)
    by the commitments they cover, kept once per state of what is public."""
    key = (cycle.id, portal_state())
    with _indexes_lock:
        found = _indexes.get(key)
    if found is None:
        content = report_content(cycle)
        found = {cid: row for row in content.world.questions for cid, _record in row.commitments}
        with _indexes_lock:
            for stale in [k for k in _indexes if k[0] == cycle.id]:
                del _indexes[stale]
            _indexes[key] = found
    return found


# --- published files -------------------------------------------------------------------------

@dataclass
class CycleFiles:
    reports: dict[str, ReportFile]  # language → the cycle report PDF
    profiles: dict[str, dict[str, ReportFile]]  # ISO3 → language → the country profile PDF


def _is_published_build(cycle: Cycle, file: ReportFile) -> bool:
    """A file built from the published cycle, not one left from a draft build before publication."""
    return cycle.published_at is None or file.created_at >= cycle.published_at


def cycle_files(cycle: Cycle) -> CycleFiles:
    """The registered PDFs of a published cycle the public may download: the report, and the profiles
    of accepted submissions, built after the cycle was published."""
    if not policy.is_published(cycle):
        return CycleFiles({}, {})
    accepted = {submission.country_id: submission.country.iso3 for submission in policy.public_submissions(cycle)}
    reports: dict[str, ReportFile] = {}
    profiles: dict[str, dict[str, ReportFile]] = {}
    languages = current_app.config["LANGUAGES"]
    for file in db.session.scalars(select(ReportFile).where(ReportFile.cycle_id == cycle.id,
                                                            ReportFile.kind.in_(("report", "profile")))):
        if file.lang not in languages or not _is_published_build(cycle, file):
            continue
        if file.kind == "report" and file.path == f"{cycle.label}/{report_path(cycle.label, file.lang)}":
            reports[file.lang] = file
        elif file.kind == "profile" and file.country_id in accepted:
            iso3 = accepted[file.country_id]
            if file.path == f"{cycle.label}/{profile_path(cycle.label, file.lang, iso3)}":
                profiles.setdefault(iso3, {})[file.lang] = file
    return CycleFiles({lang: reports[lang] for lang in languages if lang in reports},
                      {iso3: {lang: found[lang] for lang in languages if lang in found}
                       for iso3, found in sorted(profiles.items())})


def file_on_disk(file: ReportFile | None) -> Path | None:
    """The registered file's path under REPORTS_DIR, if it is there (the names come from the
    database, never from the request)."""
    if file is None:
        return None
    root = Path(current_app.config["REPORTS_DIR"]).resolve()
    path = (root / file.path).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None


@dataclass
class CountryCycle:
    """What is public of one country in one published cycle."""

    cycle: Cycle
    submission: Submission
    profiles: dict[str, ReportFile]  # language → profile PDF (none until built after publication)
    documents: list  # its evidence documents, where it consented to publish them


def country_pages() -> dict[str, list[CountryCycle]]:
    """ISO3 → what is public of it in each published cycle where its response was accepted, the
    latest cycle first: the countries that have a public page."""
    found: dict[str, list[CountryCycle]] = {}
    for cycle in policy.published_cycles():
        profiles = cycle_files(cycle).profiles
        for submission in policy.public_submissions(cycle):
            iso3 = submission.country.iso3
            found.setdefault(iso3, []).append(CountryCycle(
                cycle, submission, profiles.get(iso3, {}), policy.public_documents(submission)))
    return found


def countries_by_iso3(codes) -> dict[str, Country]:
    return {country.iso3: country for country in db.session.scalars(select(Country).where(Country.iso3.in_(list(codes))))}


# --- the commitment register ----------------------------------------------------------------

@lru_cache(maxsize=1)
def register_records() -> tuple[dict, ...]:
    """The committed register (questionnaire_specs/register), in document order: read once per process."""
    return tuple(load_register())


@lru_cache(maxsize=1)
def _records_by_id() -> dict[str, dict]:
    return {record["id"]: record for record in register_records()}


def commitment(commitment_id: str) -> dict | None:
    return _records_by_id().get(commitment_id)


def _folded(text: str) -> str:
    """Text as search compares it: compatibility forms, case and accents (and Arabic vowel marks) ignored."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(character for character in decomposed if not unicodedata.combining(character))


@lru_cache(maxsize=16)
def _search_index(language: str, questions_key: tuple | None) -> tuple[tuple[dict, str], ...]:
    """Per record, what a search in ``language`` looks through: its id, English text and title, and in
    ``language`` where the catalogs translate them, its title and the wording of the question of the
    current questionnaire that asks it (built inside a request in that language)."""
    questions = _QUESTIONS.get(questions_key, {})
    index = []
    for record in register_records():
        title = record.get("title") or ""
        question = questions.get(record["id"])
        parts = [record["id"], record.get("label") or "", record["text"], title,
                 str(translate_spec_text(title)) if title else "",
                 str(translate_spec_text(question["label"])) if question else ""]
        index.append((record, _folded(" ".join(parts))))
    return tuple(index)


SPACES = re.compile(r"\s+")


@dataclass
class RegisterQuery:
    text: str = ""
    document: str | None = None
    pillar: str | None = None
    chapter: int | None = None

    def choices_valid(self) -> bool:
        return ((self.document is None or self.document in DOCUMENTS) and (self.pillar is None or self.pillar in PILLARS)
                and (self.chapter is None or self.chapter in CHAPTERS))


def search_register(query: RegisterQuery) -> list[dict]:
    """The records matching every word of the text (in any order) and every filter, in register order."""
    words = [_folded(word) for word in SPACES.split(query.text.strip()) if word]
    found = []
    questions_key, _questions, _version = _current_questions()
    for record, haystack in _search_index(str(get_locale().language), questions_key):
        if query.document and record["document"] != query.document:
            continue
        if query.pillar and record.get("pillar") != query.pillar:
            continue
        if query.chapter and record.get("chapter") != query.chapter:
            continue
        if all(word in haystack for word in words):
            found.append(record)
    return found


def page_of(items: list, page: int) -> tuple[list, int]:
    """(items of page ``page``, number of pages); at least one page, even when empty."""
    pages = max(1, -(-len(items) // PAGE_SIZE))
    return items[(page - 1) * PAGE_SIZE: page * PAGE_SIZE], pages


# --- the question that asks a commitment, and its statuses over the published cycles --------------

_QUESTIONS: dict[tuple[str, int], dict[str, dict]] = {}


def _current_questions() -> tuple[tuple[str, int] | None, dict[str, dict], str | None]:
    """(a key, commitment id → the status item that asks it, the version) of the current
    questionnaire: the latest cycle's; nothing before the first cycle."""
    cycle = latest_cycle()
    if cycle is None:
        return None, {}, None
    spec = spec_for(cycle)
    key = (str(db.engine.url), cycle.spec_version_id)  # as spec_for: a stored version never changes
    if key not in _QUESTIONS:
        _QUESTIONS[key] = {cid: item for item in spec.items_by_key.values() if item["kind"] == "status"
                           for cid in item["commitments"]}
    return key, _QUESTIONS[key], spec.version


def asking_question(commitment_id: str) -> tuple[dict, str] | None:
    """(the policy question of the current questionnaire that asks the commitment, its version);
    None where it is not asked (declaratory, or not addressed to Member States)."""
    _key, questions, version = _current_questions()
    question = questions.get(commitment_id)
    return (question, version) if question else None


@dataclass
class CycleStatuses:
    cycle: Cycle
    question: str  # the question's wording that cycle (an English msgid)
    counts: StatusCounts  # Member States' replies worldwide, as the report counts them


def statuses_over_cycles(commitment_id: str) -> list[CycleStatuses]:
    """The commitment's status distribution in each published cycle that asked it, oldest first:
    its question's world figures from the cycle's report content (accepted responses only)."""
    found = []
    for cycle in reversed(policy.published_cycles()):
        row = _questions_by_commitment(cycle).get(commitment_id)
        if row is not None:
            found.append(CycleStatuses(cycle, row.label, row.at(WORLD)))
    return found


def sitemap_urls(url: Callable[..., str], languages: list[str]) -> list[str]:
    """Every public page in every language (and the open-data catalogue), as absolute URLs."""
    urls = []
    countries = country_pages()
    cycles = policy.published_cycles()
    for language in languages:
        urls.append(url("public.home", lang=language))
        for cycle in cycles:
            files = cycle_files(cycle)
            urls.append(url("public.cycle", lang=language, label=cycle.label))
            urls.append(url("public.web_report", lang=language, label=cycle.label))
            if language in files.reports:
                urls.append(url("public.report_pdf", lang=language, label=cycle.label))
            urls += [url("public.profile_pdf", lang=language, label=cycle.label, iso3=iso3)
                     for iso3, by_language in files.profiles.items() if language in by_language]
        urls.append(url("public.countries", lang=language))
        for iso3, entries in countries.items():
            urls.append(url("public.country", lang=language, iso3=iso3))
            urls += [url("public.country_answers", lang=language, iso3=iso3, label=entry.cycle.label) for entry in entries]
        urls.append(url("public.register", lang=language))
        urls += [url("public.commitment", lang=language, commitment_id=record["id"]) for record in register_records()]
    return urls


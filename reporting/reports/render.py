"""Report templates to HTML under the report's locale, HTML to PDF with WeasyPrint.

A ``Renderer`` is made once per process (one font configuration, reused for
every document) and renders many documents. It fetches nothing but the app's
own static files: a template that points anywhere else stops the build.
"""
from contextlib import contextmanager
from dataclasses import dataclass
import gc
import logging
from pathlib import Path
import time
import traceback
from urllib.parse import urlsplit
from urllib.request import url2pathname

from babel.lists import format_list
from babel.numbers import get_minus_sign_symbol, get_plus_sign_symbol
from flask import Flask, render_template
from flask_babel import force_locale, format_date, format_decimal, format_percent, get_locale, gettext, lazy_gettext as _l
from jinja2 import TemplateSyntaxError
from weasyprint import HTML, LOGGER
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from reporting.core.i18n import babel_locale, text_direction
from reporting.countries.groupings import REGIONAL_GROUP_NAMES, scope_name
from reporting.countries.services import region_name, sorted_by_name
from reporting.questionnaire.scale import STATUS_LABELS
from reporting.reports import charts
from reporting.reports.aggregation import MIN_REPLIES, WORLD, Area, Pairs, StatusCounts
from reporting.reports.content import TREND_VALUES, Group, IndicatorRow, Place
from reporting.reports.fonts import css_families, font_stack
from reporting.reports.profiles import excerpt, writing_direction
from reporting.reports.services import ReportError
from reporting.responses.commitments import DOCUMENT_NAMES, document_reference
from reporting.responses.examples import language_name

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
BASE_URL = STATIC_DIR.as_uri() + "/"
CONTENT_TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}
NO_VALUE = "–"


class StaticFilesOnly(URLFetcher):
    """Serves files under ``reporting/static/`` and refuses everything else."""

    def __init__(self):
        super().__init__(fail_on_errors=True)

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        path = Path(url2pathname(parts.path)).resolve() if parts.scheme == "file" else None
        if path is None or not path.is_relative_to(STATIC_DIR) or path.suffix not in CONTENT_TYPES or not path.is_file():
            raise ValueError(f"a report may only load the app's static files, not {url}")
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": CONTENT_TYPES[path.suffix]})


def _percent(value: float | None) -> str:
    return NO_VALUE if value is None else format_percent(value)


def _number(value: float | None) -> str:
    return NO_VALUE if value is None else format_decimal(value)


def _points(value: float | None) -> str:
    """A signed change in percentage points, rounded to whole points."""
    if value is None:
        return NO_VALUE
    rounded = round(value)
    if rounded == 0:
        return format_decimal(0)
    # The locale's own signs: in Arabic they carry a direction mark, so "+5" stays "+5" on a right-to-left page.
    sign = get_plus_sign_symbol(get_locale()) if rounded > 0 else get_minus_sign_symbol(get_locale())
    return sign + format_decimal(abs(rounded))


def _share(counts: StatusCounts, *statuses: str) -> str:
    """A published share: "too few replies" under the minimum number of applicable replies."""
    if not counts.applicable:
        return NO_VALUE
    return _percent(counts.share(*statuses)) if counts.enough else gettext("too few replies")


def _change(pairs: Pairs | None) -> str:
    """A like-for-like change in percentage points, "too few replies" under the minimum, "new" without a previous question."""
    if pairs is None:
        return gettext("new question")
    if not pairs.countries:
        return NO_VALUE
    return _points(pairs.change) if pairs.enough else gettext("too few replies")


def _count(value: int | None) -> str:
    return NO_VALUE if value is None else format_decimal(value)


def _year(value: float | None) -> str:
    """A year as a year: no thousands separator, no decimals (a median of years may fall between two)."""
    return NO_VALUE if value is None else str(int(round(value)))


def _figure(value: float | None, indicator: IndicatorRow) -> str:
    """An indicator's figure formatted by what it is: year, percentage, count or amount."""
    if value is None:
        return NO_VALUE
    if indicator.number_type == "year":
        return _year(value)
    if indicator.number_type == "percent":
        return format_percent(value / 100, "#,##0.#%")
    if indicator.number_type == "integer" and float(value).is_integer():
        return format_decimal(int(value))
    return format_decimal(value, "#,##0.##")


def _area_name(area: Area) -> str:
    """An area in the report's language: M49 names, the Commission's regional groups, the register's scopes."""
    if area.level == "regional_group":
        return str(REGIONAL_GROUP_NAMES[area.code])
    if area.level == "scope":
        return scope_name(area.code)
    return region_name(area.code)


UNGASS_CHAPTERS = {
    1: _l("Demand reduction, prevention, treatment and other health-related issues"),
    2: _l("Availability of and access to controlled substances for medical and scientific purposes"),
    3: _l("Supply reduction, law enforcement, money-laundering and judicial cooperation"),
    4: _l("Human rights, youth, children, women and communities"),
    5: _l("Evolving reality, emerging challenges and new psychoactive substances"),
    6: _l("International cooperation based on common and shared responsibility"),
    7: _l("Alternative development and socioeconomic issues"),
}
TREND_LABELS = {"decreased": _l("Decreased"), "stable": _l("Stable"), "increased": _l("Increased"), "not_known": _l("No data")}


def _chapter_title(number: int) -> str:
    return gettext("Chapter %(number)s. %(title)s", number=number, title=UNGASS_CHAPTERS.get(number, ""))


def _document_list(keys: list[str]) -> str:
    """The documents as a list joined by the locale's own pattern ("A, B and C")."""
    return format_list([str(DOCUMENT_NAMES.get(key, key)) for key in keys], locale=get_locale())


def _references(commitments: list[tuple[str, dict]]) -> str:
    """Where a question's commitments stand, e.g. "Political Declaration 2009, paragraph 36 (a)", as one list."""
    return format_list([document_reference(cid, record) for cid, record in commitments], locale=get_locale())


def _target_areas(content) -> list[Area]:
    return [region for region, _subregions in content.regions] + list(content.regional_groups) + [WORLD]


def _group_rows(groups: list) -> list[tuple[str, StatusCounts, bool]]:
    """Chart rows (label, counts, is_total) for pillars, thematic areas or commitments, worldwide."""
    return [(gettext(group.title), group.at(WORLD), False) for group in groups]


def _region_rows(group: Group, regions: list[tuple[Area, list[Area]]]) -> list[tuple[str, StatusCounts, bool]]:
    """Chart rows for each M49 region, then the world as the reference."""
    rows = [(_area_name(region), group.at(region), False) for region, _subregions in regions]
    return rows + [(_area_name(WORLD), group.at(WORLD), True)]


def _by_name(places: list[Place]) -> list[Place]:
    """Countries in the order of their names in the report's language."""
    return sorted_by_name(places, country=lambda place: place.iso2)


def template_helpers(language: str) -> dict:
    """What the PDF templates call; formats follow the locale forced around rendering."""
    rtl = text_direction(language) == "rtl"
    return {
        "WORLD": WORLD,
        "Area": Area,
        "page_start": "right" if rtl else "left",  # margin boxes are physical: mirror them
        "page_end": "left" if rtl else "right",
        "font_family": css_families(font_stack(language)),
        "latin_family": css_families(font_stack("en")),
        "percent": _percent,
        "number": _number,
        "count": _count,
        "year": _year,
        "figure": _figure,
        "share": _share,
        "change": _change,
        "points": _points,
        "area_name": _area_name,
        "MIN_REPLIES": MIN_REPLIES,
        "long_date": lambda value: format_date(value, "long"),
        "status_label": lambda value: str(STATUS_LABELS.get(value, value)),
        "document_reference": document_reference,
        "document_list": _document_list,
        "references": _references,
        "chapter_title": _chapter_title,
        "language_name": language_name,
        "trend_values": TREND_VALUES,
        "trend_label": lambda value: str(TREND_LABELS[value]),
        "target_areas": _target_areas,
        "status_colours": charts.STATUS_COLOURS,
        "previous_colour": charts.PREVIOUS_COLOUR,
        "status_bar": lambda counts: charts.status_bar(counts, rtl),
        "progress_bar": lambda counts: charts.progress_bar(counts, rtl),
        "trend_bar": lambda previous, current: charts.trend_bar(previous, current, rtl),
        "spread_bar": lambda spread: charts.spread_bar(spread, rtl),
        "trend_shares_bar": lambda counts: charts.trend_shares_bar(counts, rtl),
        "trend_colours": charts.TREND_COLOURS,
        "shares_bar": lambda segments: charts.stacked_bar(segments, rtl),
        "excerpt": excerpt,
        "writing_direction": writing_direction,
        "swatch": charts.swatch,
        "group_rows": _group_rows,
        "region_rows": _region_rows,
        "by_name": _by_name,
    }


def _template_error(template: str, error: Exception) -> ReportError:
    """Name the template file (under templates/) and line where rendering failed."""
    if isinstance(error, TemplateSyntaxError):
        where = f"{error.name or template}:{error.lineno}"
    else:
        frames = [f for f in traceback.extract_tb(error.__traceback__) if Path(f.filename).is_relative_to(TEMPLATES_DIR)]
        where = f"{Path(frames[-1].filename).relative_to(TEMPLATES_DIR)}:{frames[-1].lineno}" if frames else template
    return ReportError(f"template error in {where}: {type(error).__name__}: {error}")


class _MissingGlyphs(logging.Handler):
    """Collects the characters WeasyPrint drew as .notdef (no installed font has them)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.characters: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        if str(record.msg).startswith(".notdef glyph"):
            self.characters.add(f"U+{record.args[1]:04X}")


@contextmanager
def fewer_collections():
    """Run Python's cyclic garbage collector less often while a document is laid out.

    WeasyPrint builds hundreds of thousands of small objects for a document, none of them garbage
    until the document is dropped. At the default threshold (a young-generation collection every
    700 allocations) the collector walks that growing heap thousands of times: a fifth to a quarter
    of a country profile's render time. Memory is unaffected: the objects live until the end anyway.
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(50_000, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


@dataclass
class Rendered:
    pdf: bytes
    pages: int
    templating: float  # seconds
    weasyprint: float
    missing_glyphs: tuple[str, ...] = ()  # e.g. ("U+1F600",), from free text in a script no font covers


class Renderer:
    def __init__(self, app: Flask):
        self.app = app
        self.font_config = FontConfiguration()
        self.fetcher = StaticFilesOnly()

    def html(self, template: str, language: str, **context) -> str:
        with self.app.app_context(), force_locale(babel_locale(language)):
            try:
                return render_template(template, **template_helpers(language), **context)
            except Exception as error:  # any failure inside a template becomes one clear message
                raise _template_error(template, error) from None

    def pdf(self, html: str) -> tuple[bytes, int, tuple[str, ...]]:
        """The PDF (fonts embedded and subset), its page count and the characters no font had."""
        missing = _MissingGlyphs()
        LOGGER.addHandler(missing)
        try:
            with fewer_collections():
                document = HTML(string=html, base_url=BASE_URL, url_fetcher=self.fetcher).render(font_config=self.font_config)
                return document.write_pdf(), len(document.pages), tuple(sorted(missing.characters))
        except FatalURLFetchingError as error:
            raise ReportError(str(error.__cause__ or error)) from None
        finally:
            LOGGER.removeHandler(missing)

    def render(self, template: str, language: str, **context) -> Rendered:
        started = time.perf_counter()
        html = self.html(template, language, **context)
        templated = time.perf_counter()
        pdf, pages, missing = self.pdf(html)
        return Rendered(pdf, pages, templated - started, time.perf_counter() - templated, missing)

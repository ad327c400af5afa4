"""The public portal: no sign-in, published cycles only, what ``policy`` allows.

URL scheme (stable; the language is part of every page's address, so a page can
be linked, cached and switched to another language without JavaScript or cookies):

- ``/public/`` — redirects to the reader's language (``Accept-Language``);
- ``/public/<lang>/`` — published cycles, a search box;
- ``/public/<lang>/cycles/<cycle>/`` — the report (web and PDF, six languages), the
  country profiles of accepted submissions, a link to the open data;
- ``/public/<lang>/cycles/<cycle>/report/`` — the report as a web page, with
  ``…/report/tables/<table>.csv`` behind each figure;
- ``/public/<lang>/cycles/<cycle>/report.pdf``, ``…/profiles/<ISO3>.pdf`` — the PDFs;
- ``/public/<lang>/countries/`` and ``…/countries/<ISO3>/`` — profiles by country;
- ``/public/<lang>/register/`` (``?q=&document=&pillar=&chapter=&page=``) and
  ``…/register/<commitment id>/`` — the commitment register;
- ``/robots.txt`` and ``/sitemap.xml``.

Pages are cached (``services.cached_body``) and carry ``Cache-Control: public``
and an ETag; a conditional request gets 304 without rendering anything.
"""
import io

from flask import (
    Blueprint, Response, abort, current_app, g, redirect, render_template, request, send_file, url_for,
)
from flask_babel import gettext as _, lazy_gettext as _l

from reporting.core.inputs import InputError, clean_text, query_int
from reporting.core.templating import language_choices
from reporting.countries.services import sorted_by_name
from reporting.documents import services as documents_service
from reporting.extensions import limiter
from reporting.opendata.views import public_rate_limit
from reporting.publication import policy, services
from reporting.questionnaire.areas import PILLARS as PILLAR_NAMES
from reporting.questionnaire.scale import STATUS_VALUES
from reporting.responses.commitments import DOCUMENT_NAMES
from reporting.register.model import CHAPTERS, DOCUMENTS, PILLARS, official_text_url
from reporting.reports import exports
from reporting.reports.cache import profile_body, report_body, report_content
from reporting.reports.render import template_helpers

bp = Blueprint("public", __name__, url_prefix="/public")
root_bp = Blueprint("public_root", __name__)
# One per-client limit for every public route: these pages, robots and sitemap, the open data and the public API.
limiter.shared_limit(public_rate_limit, scope="public")(bp)
limiter.shared_limit(public_rate_limit, scope="public")(root_bp)
PDF = "application/pdf"
REGISTER_PARAMETERS = frozenset({"q", "document", "pillar", "chapter", "page"})
QUERY_NAMES = {"q": _l("Search"), "document": _l("Document"), "pillar": _l("Pillar"), "chapter": _l("UNGASS chapter"),
               "page": _l("Page")}


@bp.url_value_preprocessor
def page_language(_endpoint, values):
    """The language named in the URL is the page's (see ``core.i18n``); any other is 404."""
    language = (values or {}).get("lang")
    if language is not None:
        if language not in current_app.config["LANGUAGES"]:
            abort(404)
        g.page_language = language


@bp.url_defaults
def same_language(endpoint, values):
    """Links between public pages stay in the page's language unless they say otherwise."""
    if "lang" not in values and g.get("page_language") and current_app.url_map.is_endpoint_expecting(endpoint, "lang"):
        values["lang"] = g.page_language


def _public(response: Response, etag: str | None = None) -> Response:
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["PUBLIC_MAX_AGE"]
    if etag:
        response.set_etag(etag)
    return response


def cached_page(make, mimetype: str = "text/html", status: int = 200, query: str = "") -> Response:
    """The page for this URL from the cache (made by ``make`` once per state of what is public),
    or 304 when the client already has it. ``query`` is the page's own query, checked and in a
    canonical form (other query strings do not make other entries)."""
    etag = services.page_key(request.base_url, query)
    if etag in request.if_none_match:
        return _public(Response(status=304), etag)
    body = services.cached_body(etag, make)
    return _public(Response(body, status=status, mimetype=mimetype), etag)


def _bad_request(message: str):
    """400 with a page naming what was wrong (never cached, never a stack trace)."""
    return render_template("publication/error.html", code=400, message=message), 400


def _languages() -> list[str]:
    return list(current_app.config["LANGUAGES"])


def language_links() -> list[tuple[str, str, str]]:
    """(language code, its name in itself, URL of this page in it): the language switcher is plain links."""
    # Only the register's own (checked) parameters: a cached page must not carry another query string.
    query = {name: value for name, value in request.args.items() if name in REGISTER_PARAMETERS} \
        if request.endpoint == "public.register" else {}
    values = {**(request.view_args or {}), **query}
    return [(code, name, url_for(request.endpoint, **{**values, "lang": code}))
            for code, name in language_choices(_languages())]


@bp.app_context_processor
def portal_helpers():
    return {
        "public_language_links": language_links,
        "document_name": lambda key: str(DOCUMENT_NAMES.get(key, key)),
        "pillar_name": lambda key: _(PILLAR_NAMES[key]) if key in PILLAR_NAMES else key,
    }


# --- pages ---------------------------------------------------------------------------------

@bp.get("/")
def root():
    """The portal in the reader's language."""
    language = request.accept_languages.best_match(_languages()) or "en"
    response = redirect(url_for("public.home", lang=language))
    response.vary.add("Accept-Language")
    return _public(response)


@bp.get("/<lang>/")
def home(lang: str):
    def make():
        cycles = policy.published_cycles()
        return render_template("publication/home.html", cycles=cycles,
                               files={cycle.id: services.cycle_files(cycle) for cycle in cycles})
    return cached_page(make)


@bp.get("/<lang>/cycles/<label>/")
def cycle(lang: str, label: str):
    found = policy.published_cycle_or_404(label)

    def make():
        files = services.cycle_files(found)
        countries = services.countries_by_iso3(files.profiles)
        return render_template("publication/cycle.html", cycle=found, files=files, countries=countries,
                               open_data=_open_data_url(found))
    return cached_page(make)


def _open_data_url(cycle) -> str | None:
    """The cycle's open-data page, where the open-data blueprint is installed."""
    if "opendata.cycle_page" not in current_app.view_functions:
        return None
    return url_for("opendata.cycle_page", label=cycle.label)


@bp.get("/<lang>/cycles/<label>/report/")
def web_report(lang: str, label: str):
    found = policy.published_cycle_or_404(label)

    def make():
        body = report_body(found, lang, lambda table_id: url_for("public.figure_csv", label=found.label, table_id=table_id))
        return render_template("publication/report.html", cycle=found, body=body)
    return cached_page(make)


@bp.get("/<lang>/cycles/<label>/report/tables/<table_id>.csv")
def figure_csv(lang: str, label: str, table_id: str):
    found = policy.published_cycle_or_404(label)
    table = exports.figure_table(report_content(found), table_id)
    if table is None:
        abort(404)
    response = cached_page(lambda: exports.to_csv(table), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{table_id}-{found.label}.csv"'
    return response


def _send_pdf(file, download_name: str):
    path = services.file_on_disk(file)
    if path is None:
        abort(404)
    response = send_file(path, mimetype=PDF, as_attachment=False, download_name=download_name, etag=file.sha256,
                         last_modified=file.created_at, conditional=True)
    return _public(response)


@bp.get("/<lang>/cycles/<label>/report.pdf")
def report_pdf(lang: str, label: str):
    found = policy.published_cycle_or_404(label)
    return _send_pdf(services.cycle_files(found).reports.get(lang), f"progress-report-{found.label}-{lang}.pdf")


@bp.get("/<lang>/cycles/<label>/profiles/<iso3>.pdf")
def profile_pdf(lang: str, label: str, iso3: str):
    found = policy.published_cycle_or_404(label)
    submission = policy.public_submission_or_404(found, iso3)
    file = services.cycle_files(found).profiles.get(submission.country.iso3, {}).get(lang)
    return _send_pdf(file, f"country-profile-{submission.country.iso3}-{found.label}-{lang}.pdf")


@bp.get("/<lang>/countries/")
def countries(lang: str):
    def make():
        pages = services.country_pages()
        return render_template("publication/countries.html", pages=pages,
                               countries=sorted_by_name(services.countries_by_iso3(pages).values()))
    return cached_page(make)


def _country_or_404(iso3: str) -> tuple[str, list]:
    code = iso3.upper()
    found = services.country_pages().get(code) if len(code) == 3 and code.isascii() and code.isalpha() else None
    if not found:
        abort(404)  # unknown, or no accepted response in a published cycle
    return code, found


def _country_cycle_or_404(iso3: str, label: str) -> services.CountryCycle:
    """What is public of a country in one published cycle: 404 unless its response there was accepted."""
    _code, cycles = _country_or_404(iso3)
    entry = next((entry for entry in cycles if entry.cycle.label == label), None)
    if entry is None:
        abort(404)
    return entry


@bp.get("/<lang>/countries/<iso3>/")
def country(lang: str, iso3: str):
    def make():  # inside the cached part: the lookup reads every published submission (a 404 is not kept)
        code, cycles = _country_or_404(iso3)
        found = services.countries_by_iso3([code])[code]
        return render_template("publication/country.html", country=found, cycles=cycles)
    return cached_page(make)


@bp.get("/<lang>/countries/<iso3>/<label>/")
def country_answers(lang: str, iso3: str, label: str):
    """A country's answers in one published cycle where its response was accepted, as a web page."""
    def make():
        entry = _country_cycle_or_404(iso3, label)
        country = entry.submission.country
        return render_template("publication/country_answers.html", country=country, entry=entry,
                               body=profile_body(entry.cycle, country, lang))
    return cached_page(make)


@bp.get("/<lang>/countries/<iso3>/<label>/documents/<int:document_id>")
def document(lang: str, iso3: str, label: str, document_id: int):
    """An evidence document of an accepted response whose country consented to publish it; 404 otherwise."""
    entry = _country_cycle_or_404(iso3, label)
    found = next((doc for doc in entry.documents if doc.id == document_id), None)
    data = documents_service.content(found) if found else None
    if data is None:
        abort(404)
    response = send_file(io.BytesIO(data), mimetype=found.media_type, as_attachment=True,
                         download_name=found.filename, etag=found.sha256, conditional=True)
    return _public(response)


def _register_query():
    """The register browser's query string, checked: 400 naming the parameter for anything odd."""
    known = REGISTER_PARAMETERS
    unknown = sorted(set(request.args) - known)
    if unknown:
        raise InputError(unknown[0], _("This page takes no parameter of that name."))
    for name in known:
        if len(request.args.getlist(name)) > 1:
            raise InputError(name, _("Send one value only."))
    text = clean_text(request.args.get("q", ""), "q", services.MAX_QUERY)
    document = request.args.get("document") or None
    pillar = request.args.get("pillar") or None
    chapter = query_int(request.args, "chapter", min(CHAPTERS), max(CHAPTERS))
    page = query_int(request.args, "page", 1, services.MAX_PAGE) or 1
    query = services.RegisterQuery(text, document, pillar, chapter)
    if document and document not in DOCUMENTS:
        raise InputError("document", _("Choose a document from the list."))
    if pillar and pillar not in PILLARS:
        raise InputError("pillar", _("Choose a pillar from the list."))
    return query, page


@bp.get("/<lang>/register/")
def register(lang: str):
    try:
        query, page = _register_query()
    except InputError as error:
        field = QUERY_NAMES.get(error.field, error.field)
        return _bad_request(_("%(field)s: %(problem)s", field=field, problem=error.message))
    found = services.search_register(query)
    shown, pages = services.page_of(found, page)
    if page > pages:
        abort(404)

    def make():
        return render_template("publication/register.html", **template_helpers(lang), query=query, records=shown,
                               total=len(found), page=page, pages=pages, documents=DOCUMENTS, pillars=PILLARS,
                               chapters=CHAPTERS)
    return cached_page(make, query=repr((query, page)))


@bp.get("/<lang>/register/<commitment_id>/")
def commitment(lang: str, commitment_id: str):
    record = services.commitment(commitment_id)
    if record is None:
        abort(404)

    def make():
        asked = services.asking_question(record["id"])
        return render_template(
            "publication/commitment.html", **template_helpers(lang), record=record, asked=asked,
            statuses_shown=[status for status in STATUS_VALUES if status != "not_applicable"],
            statuses=services.statuses_over_cycles(record["id"]),
            official=official_text_url(record["document"], lang))
    return cached_page(make)


# --- robots and sitemap -------------------------------------------------------------------------

@root_bp.get("/robots.txt")
def robots():
    body = "\n".join([
        "User-agent: *",
        "Allow: /public/",
        "Disallow: /",
        f"Sitemap: {url_for('public_root.sitemap', _external=True)}",
        "",
    ])
    return _public(Response(body, mimetype="text/plain"))


@root_bp.get("/sitemap.xml")
def sitemap():
    def make():
        urls = services.sitemap_urls(lambda endpoint, **values: url_for(endpoint, _external=True, **values), _languages())
        if "opendata.catalog" in current_app.view_functions:  # the open data: its catalogue and each cycle's page
            urls.append(url_for("opendata.catalog", _external=True))
            urls += [url_for("opendata.cycle_page", label=cycle.label, _external=True) for cycle in policy.published_cycles()]
        return render_template("publication/sitemap.xml", urls=urls)
    return cached_page(make, mimetype="application/xml")

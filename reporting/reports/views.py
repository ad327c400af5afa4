"""Report pages: compilers build and download everything; a country's users
download their own country profile and their own answers, nothing else.

Files are addressed by what they are (cycle, language, country, kind), found
under the names the build gave them and served only if the build registered them.
"""
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import force_locale, gettext as _
from flask_login import current_user
from sqlalchemy import select

from reporting.accounts.access import STAFF_ROLES, roles_required, visible_country
from reporting.countries.services import sorted_by_name
from reporting.extensions import db
from reporting.models import Country, Cycle, ReportFile, Role
from reporting.reports import exports
from reporting.reports.build import DATA_FILES, cancel_build, current_build, data_path, profile_path, report_path, start_build
from reporting.core.i18n import babel_locale
from reporting.reports.cache import profile_body, report_body, report_content
from reporting.reports.services import ReportError, is_draft, parse_languages
from reporting.responses.loaders import cycle_or_404
from reporting.responses.labels import CYCLE_STATE_LABELS

bp = Blueprint("reports", __name__, url_prefix="/reports")
ALL_ROLES = tuple(Role)
EXPORT_TYPES = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _language(lang: str) -> str:
    if lang not in current_app.config["LANGUAGES"]:
        abort(404)
    return lang


def _registered(cycle: Cycle, relative: str) -> Path | None:
    """The file a build registered for this cycle under ``relative`` (a name from ``build``), if it is there."""
    path = f"{cycle.label}/{relative}"
    registered = db.session.scalar(select(ReportFile.id).where(ReportFile.cycle_id == cycle.id, ReportFile.path == path))
    file = Path(current_app.config["REPORTS_DIR"]) / path
    return file if registered is not None and file.is_file() else None


def _send(cycle: Cycle, relative: str):
    """A file the build registered for this cycle, else 404."""
    file = _registered(cycle, relative)
    if file is None:
        abort(404)
    return send_file(file, as_attachment=True, download_name=file.name)


def _listing(cycle: Cycle) -> dict:
    """The cycle's registered files this user may download, by what they are."""
    query = select(ReportFile).where(ReportFile.cycle_id == cycle.id)
    if current_user.role_enum.is_country_bound:
        query = query.where(ReportFile.country_id == current_user.country_id)
    files = list(db.session.scalars(query))
    by_path = {file.path.removeprefix(f"{cycle.label}/"): file for file in files}
    countries = {c.id: c for c in db.session.scalars(select(Country).where(
        Country.id.in_({file.country_id for file in files if file.country_id})))}
    languages = current_app.config["LANGUAGES"]
    profiles = {
        country: [(lang, by_path[profile_path(cycle.label, lang, country.iso3)]) for lang in languages
                  if profile_path(cycle.label, lang, country.iso3) in by_path]
        for country in sorted_by_name(countries.values())
    }
    return {
        "reports": [(lang, by_path[report_path(cycle.label, lang)]) for lang in languages
                    if report_path(cycle.label, lang) in by_path],
        "data": [(name, extension, by_path[data_path(cycle.label, name, extension)]) for name, extension in DATA_FILES
                 if data_path(cycle.label, name, extension) in by_path],
        "profiles": profiles,
    }


@bp.get("/")
@roles_required(*ALL_ROLES)
def index():
    cycles = db.session.scalars(select(Cycle).order_by(Cycle.deadline.desc()))
    return render_template("reports/index.html", cycles=cycles, state_labels=CYCLE_STATE_LABELS)


@bp.get("/<label>/")
@roles_required(*ALL_ROLES)
def cycle(label: str):
    cycle = cycle_or_404(label)
    staff = current_user.role_enum in STAFF_ROLES
    status = current_build(cycle) if staff else None
    return render_template("reports/cycle.html", cycle=cycle, status=status, staff=staff, draft=is_draft(cycle),
                           **_listing(cycle))


@bp.post("/<label>/build")
@roles_required(*STAFF_ROLES)
def build(label: str):
    cycle = cycle_or_404(label)
    try:
        languages = parse_languages(",".join(request.form.getlist("lang")) or "all")
        # The page offers "every Member State" / "none" / "these countries" (codes typed in "countries").
        profiles = request.form.get("profiles")
        countries = profiles if profiles in ("all", "none") else request.form.get("countries", "all")
        start_build(cycle.label, languages, countries, current_user)
    except ReportError as error:
        flash(_("The reports could not be built: %(reason)s", reason=str(error)), "error")
    else:
        flash(_("The reports are being built. This page shows the progress."), "info")
    return redirect(url_for("reports.cycle", label=cycle.label))


@bp.post("/<label>/builds/<int:build_id>/cancel")
@roles_required(*STAFF_ROLES)
def cancel(label: str, build_id: int):
    cycle = cycle_or_404(label)
    row = current_build(cycle)
    if row is None or row.id != build_id:
        abort(404)
    try:
        cancel_build(build_id)
    except ReportError as error:
        flash(_("The build could not be cancelled: %(reason)s", reason=str(error)), "error")
    else:
        flash(_("The build was cancelled. The files of the previous build are unchanged."), "info")
    return redirect(url_for("reports.cycle", label=cycle.label))


@bp.get("/<label>/<lang>/report.pdf")
@roles_required(*ALL_ROLES)
def report(label: str, lang: str):
    cycle = cycle_or_404(label)
    _readable(cycle)
    return _send(cycle, report_path(label, _language(lang)))


def _readable(cycle: Cycle) -> None:
    """Compilers read the report at any time; everyone else once the cycle is published."""
    if current_user.role_enum not in STAFF_ROLES and is_draft(cycle):
        abort(403)


@bp.get("/<label>/<lang>/")
@roles_required(*ALL_ROLES)
def web_report(label: str, lang: str):
    """The report as a web page, from the cache (reports/cache.py): recomputed only when a counted response changes."""
    cycle, lang = cycle_or_404(label), _language(lang)
    _readable(cycle)
    body = report_body(cycle, lang, lambda table_id: url_for("reports.figure_csv", label=cycle.label, lang=lang,
                                                             table_id=table_id))
    built = _registered(cycle, report_path(cycle.label, lang)) is not None
    with force_locale(babel_locale(lang)):
        return render_template("reports/web/report.html", cycle=cycle, body=body,
                               page_url=lambda code: url_for("reports.web_report", label=cycle.label, lang=code),
                               pdf_url=url_for("reports.report", label=cycle.label, lang=lang) if built else None)


@bp.get("/<label>/<lang>/countries/<iso3>/")
@roles_required(*ALL_ROLES)
def web_profile(label: str, lang: str, iso3: str):
    """A country's profile as a web page, computed from the answers as they are counted now: for
    compilers at any time (a look at a country before building), for its own users once published,
    like the web report (a draft profile shows its region's unreviewed figures)."""
    cycle, lang = cycle_or_404(label), _language(lang)
    country = visible_country(iso3)
    _readable(cycle)
    body = profile_body(cycle, country, lang)
    built = _registered(cycle, profile_path(cycle.label, lang, country.iso3)) is not None
    with force_locale(babel_locale(lang)):
        return render_template(
            "reports/web/profile.html", cycle=cycle, country=country, body=body,
            page_url=lambda code: url_for("reports.web_profile", label=cycle.label, lang=code, iso3=country.iso3),
            pdf_url=url_for("reports.profile", label=cycle.label, lang=lang, iso3=country.iso3) if built else None)


@bp.get("/<label>/<lang>/tables/<table_id>.csv")
@roles_required(*ALL_ROLES)
def figure_csv(label: str, lang: str, table_id: str):
    """The table behind one figure of the web report, as CSV (machine names, English area names)."""
    cycle, lang = cycle_or_404(label), _language(lang)
    _readable(cycle)
    table = exports.figure_table(report_content(cycle), table_id)
    if table is None:
        abort(404)
    response = current_app.response_class(exports.to_csv(table), mimetype=EXPORT_TYPES["csv"])
    response.headers["Content-Disposition"] = f'attachment; filename="{table_id}-{cycle.label}.csv"'
    return response


@bp.get("/<label>/<lang>/<iso3>.pdf")
@roles_required(*ALL_ROLES)
def profile(label: str, lang: str, iso3: str):
    country = visible_country(iso3)
    return _send(cycle_or_404(label), profile_path(label, _language(lang), country.iso3))


@bp.get("/<label>/<kind>.<fmt>")
@roles_required(*STAFF_ROLES)
def data(label: str, kind: str, fmt: str):
    """The built exports of every country: the aggregates and all answers."""
    if (kind, fmt) not in DATA_FILES:
        abort(404)
    return _send(cycle_or_404(label), data_path(label, kind, fmt))


@bp.get("/<label>/<iso3>/<kind>.<fmt>")
@roles_required(*ALL_ROLES)
def country_answers(label: str, iso3: str, kind: str, fmt: str):
    """One country's answers as they are now (every state), for its own users and for compilers."""
    country = visible_country(iso3)
    cycle = cycle_or_404(label)
    if kind != "answers" or fmt not in EXPORT_TYPES:
        abort(404)
    table = exports.answers_table(cycle, country)
    body = exports.to_csv(table) if fmt == "csv" else exports.to_xlsx([table])
    response = current_app.response_class(body, mimetype=EXPORT_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="answers-{country.iso3}-{cycle.label}.{fmt}"'
    if table.unwritable:
        # Left empty in the file; the header names them (country and question) for whoever asks.
        response.headers["X-Unwritable-Values"] = "; ".join(table.unwritable)[:2000].encode("ascii", "replace").decode()
    return response

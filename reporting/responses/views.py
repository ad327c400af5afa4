"""Cycles, data entry and review. Thin: parse, guard, call a service, render."""
import csv
from functools import lru_cache
import io

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from wtforms.fields.choices import SelectChoice

from forms import KINDS, section_form_class
from forms.relevance import is_visible, section_inputs
from reporting.accounts.access import STAFF_ROLES, roles_required
from reporting.accounts.services import AccountError
from reporting.core.inputs import parse_int, query_int
from reporting.countries.services import country_name, region_name
from reporting.core.uploads import allow_upload, check_csrf
from reporting.database import write_transaction
from reporting.extensions import csrf, db
from reporting.models import AuditEvent, Country, Cycle, CycleState, SpecVersion, User
from reporting.models.submissions import EXCERPT_MAX
from reporting.questionnaire.scale import STATUS_SCALE
from reporting.responses import contributors as contributor_service
from reporting.responses import cycles as cycle_service
from reporting.responses import examples as examples_service
from reporting.responses import plausibility
from reporting.responses import submissions as service
from reporting.responses.dashboard import dashboard_rows
from reporting.responses.pending import take_unsaved_post
from reporting.responses.loaders import cycle_or_404, section_or_404, submission_or_404
from reporting.responses.forms import (
    CsrfForm, CycleForm, InviteForm, SubmitForm, VersionForm, WorkbookConfirmForm, WorkbookUploadForm, review_form_class,
)
from reporting.responses import workbook as workbook_service
from forms.workbook import MEDIA_TYPE as XLSX, WorkbookError
from werkzeug.exceptions import RequestEntityTooLarge
from reporting.responses.templating import register_helpers
from reporting.responses.commitments import DOCUMENT_NAMES
from reporting.documents import services as documents_service
from reporting.documents.forms import DocumentForm
from reporting.responses.labels import CYCLE_STATE_LABELS, SUBMISSION_STATE_LABELS

bp = Blueprint("responses", __name__, url_prefix="/cycles")
# A section with more questions than this is shown in collapsible groups, one per source document.
TOPICS_FROM = 10
register_helpers(bp)

MAX_VERSION = 2**31 - 1
MAX_REGION = 999  # M49 codes have three digits


def base_version() -> int:
    """The submission version the page was based on: ASCII digits in range, else 422 naming the field."""
    return parse_int(request.form.get("base_version", ""), "base_version", 1, MAX_VERSION)


def _region() -> int | None:
    return query_int(request.args, "region", 1, MAX_REGION)


# --- cycles ----------------------------------------------------------------------

@bp.get("/")
@login_required
def index():
    cycles = db.session.scalars(select(Cycle).order_by(Cycle.deadline.desc())).all()
    form = None
    if current_user.role_enum in STAFF_ROLES:
        form = _cycle_form()
    return render_template("responses/cycles.html", cycles=cycles, form=form, action_form=CsrfForm())


def _cycle_form() -> CycleForm:
    form = CycleForm()
    versions = db.session.scalars(select(SpecVersion.version).order_by(SpecVersion.created_at.desc())).all()
    form.spec_version.choices = [SelectChoice(version) for version in versions]
    return form


@bp.post("/")
@roles_required(*STAFF_ROLES)
def create():
    form = _cycle_form()
    if form.validate_on_submit():
        try:
            with write_transaction():
                cycle = cycle_service.open_cycle(form.label.data, form.spec_version.data, form.deadline.data)
        except cycle_service.CycleError as error:
            form.label.errors.append(str(error))
        else:
            flash(_("Cycle %(label)s is open.", label=cycle.label), "success")
            return redirect(url_for("responses.dashboard", label=cycle.label))
    cycles = db.session.scalars(select(Cycle).order_by(Cycle.deadline.desc())).all()
    return render_template("responses/cycles.html", cycles=cycles, form=form, action_form=CsrfForm()), 422


@bp.post("/<label>/state")
@roles_required(*STAFF_ROLES)
def change_state(label: str):
    cycle = cycle_or_404(label)
    try:
        target = CycleState(request.form.get("state", ""))
    except ValueError:
        abort(400)
    if target is CycleState.DRAFT or not CsrfForm().validate_on_submit():
        abort(400)
    if target is CycleState.CLOSED and request.form.get("confirmed") != "1":
        # Closing stops every country's data entry: ask first (the page posts again with confirmed=1).
        return render_template("responses/confirm_close.html", cycle=cycle, form=CsrfForm())
    try:
        with write_transaction():
            cycle_service.change_state(cycle, target)
    except cycle_service.CycleError:
        abort(409)
    flash(_("Cycle %(label)s is now %(state)s.", label=cycle.label, state=CYCLE_STATE_LABELS[target.value]), "success")
    return redirect(url_for("responses.index"))


@bp.get("/<label>/")
@login_required
def dashboard(label: str):
    cycle = cycle_or_404(label)
    if current_user.role_enum.is_country_bound:
        return redirect(url_for("responses.submission", label=label, iso3=current_user.country.iso3))
    region = _region()
    state = request.args.get("state") if request.args.get("state") in SUBMISSION_STATE_LABELS else None
    rows = dashboard_rows(cycle, region, state)
    regions = sorted({(c.region_m49) for c in db.session.scalars(select(Country))})
    return render_template(
        "responses/dashboard.html", cycle=cycle, rows=rows, region=region, state=state,
        regions=[(code, region_name(code)) for code in regions],
    )


@bp.get("/<label>/dashboard.csv")
@roles_required(*STAFF_ROLES)
def dashboard_csv(label: str):
    cycle = cycle_or_404(label)
    rows = dashboard_rows(cycle, _region(), request.args.get("state"))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["iso3", "country", "region", "subregion", "state", "progress_percent", "prefilled_unconfirmed", "last_activity", "deadline"])
    for row in rows:
        writer.writerow([
            row.country.iso3, country_name(row.country), region_name(row.country.region_m49),
            region_name(row.country.subregion_m49), row.state, row.progress, row.prefilled,
            row.last_activity.isoformat() if row.last_activity else "", cycle.deadline.isoformat(),
        ])
    return Response(
        buffer.getvalue(), mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{cycle.label}-dashboard.csv"'},
    )


# --- a country's submission --------------------------------------------------------

@bp.get("/<label>/<iso3>/")
@login_required
def submission(label: str, iso3: str):
    submission = submission_or_404(label, iso3)
    return _render_overview(submission)


def _progress_by_section(submission, sections, answers):
    carried = service.carried_keys(submission)
    return {section.key: service.section_progress(section, answers, carried) for section in sections}


def _render_overview(submission, status=200, workbook_errors=None):
    """The submission page: progress per section, comments from UNODC, the workbook and documents."""
    answers = service.answers_of(submission)
    sections = service.sections_for_user(current_user, submission)
    progress = _progress_by_section(submission, sections, answers)
    comments = {}
    for comment in submission.comments:
        comments.setdefault(comment.section_key, []).append(comment)
    items = [item for section in sections if section.has_tables for item in section.items]
    warnings = plausibility.flags(items, answers, plausibility.previous_answers(submission, cycle_service.previous_cycle(submission.cycle))) if items else []
    return render_template(
        "responses/submission.html", warnings=warnings, answers=answers, items_by_key=service.spec_for(submission.cycle).items_by_key,
        section_of_item=service.spec_for(submission.cycle).section_of_item,
        submission=submission, cycle=submission.cycle, country=submission.country,
        sections=sections, progress=progress, comments=comments,
        overall=service.overall_progress(list(progress.values())),
        can_submit=service.can_submit(current_user, submission),
        can_mark_ready=current_user.role_enum.value == "contributor" and service.can_edit(current_user, submission),
        ready=service.ready_marks(submission), assignees=_assignees(submission),
        can_edit=service.can_edit(current_user, submission),
        # Not bound to the request: the page may be shown for a refused upload whose body cannot be read.
        can_review=service.can_review(current_user, submission), form=VersionForm(formdata=None, base_version=submission.version),
        upload_form=WorkbookUploadForm(formdata=None), workbook_errors=workbook_errors,
        documents=_documents_listed(submission, sections),
    ), status


def _assignees(submission) -> dict[str, list[User]]:
    """Section key → the contributors assigned to it (for the country's own people and staff)."""
    by_section: dict[str, list[User]] = {}
    if current_user.role_enum.value == "contributor":
        return by_section
    for user, keys in contributor_service.contributors_of(submission):
        for key in keys:
            by_section.setdefault(key, []).append(user)
    return by_section


def _documents_listed(submission, sections):
    """(section, question the evidence is for, documents) for every question with documents, in questionnaire order."""
    documents = documents_service.documents_by_item(submission)
    return [
        (section, _evidence_question(section, item), documents[item["key"]])
        for section in sections for item in section.items if item["key"] in documents
    ]


def _evidence_question(section, item):
    """An evidence item is labelled "Evidence"; the question it supports is the first item on the same commitments."""
    return next((other for other in section.items if other.get("commitments") and other.get("commitments") == item.get("commitments")), item)


@bp.route("/<label>/<iso3>/<section_key>", methods=["GET", "POST"])
@login_required
def section(label: str, iso3: str, section_key: str):
    submission = submission_or_404(label, iso3)
    spec = service.spec_for(submission.cycle)
    section = section_or_404(submission, section_key)
    editable = service.can_edit(current_user, submission, section.key)
    if request.method == "GET":
        kept = take_unsaved_post(current_user, request.path)
        if kept is not None and editable:
            # A save that outlived its session: shown as typed, on the version it was based on,
            # so that Save applies it under the usual check (409 if someone saved since).
            flash(_("These are the answers you were saving when your session ended; nothing has been saved yet. "
                    "Check them and press Save."), "info")
            return _render_section(submission, section, editable, _posted_values(section, kept), {}, kept.get("base_version", ""))
        # Showing answers needs no form object: the page draws every input itself.
        return _render_section(submission, section, editable, None, {}, submission.version)
    form = section_form_class(spec, section)()

    def refuse(status: int, errors: dict | None = None):
        """Re-show the page with what the user typed, as typed."""
        return _render_section(
            submission, section, editable, _posted_values(section), errors or {}, request.form.get("base_version", ""), status,
        )

    if not editable:
        try:
            service.require_editable(current_user, submission)
        except service.WorkflowError as error:
            flash(str(error.message), "error")
            return refuse(error.status)
    unknown = form.unknown_keys(set(request.form))
    if unknown:
        flash(_("The form contained fields that are not part of this section: %(keys)s. Nothing was saved.", keys=", ".join(unknown[:5])), "error")
        return refuse(400)
    if request.form.get("action") == "add-row":
        # A row chosen from a table's list: show the page again with it, as typed, nothing saved.
        return refuse(200)
    if not form.validate_on_submit():
        if form.errors.get("csrf_token") or form.base_version.errors:
            abort(400)
        flash(_("Some answers need correcting; nothing was saved yet."), "error")
        for message in form.form_errors:
            flash(message, "error")
        return refuse(422, {key: messages for key, messages in form.errors.items() if key in form.items})
    # What the section shows or depends on, read before the write lock is taken (the version check vouches for it).
    stored = service.stored_answers(submission, section_inputs(section))
    try:
        with write_transaction(reload=False):
            changed = service.save_sections(submission, {section: form.answers()}, base_version(), current_user, stored)
    except (service.StaleSubmission, StaleDataError) as error:
        return _render_conflict(submission, section, form, error)
    except service.WorkflowError as error:
        flash(str(error.message), "error")
        return refuse(error.status)
    flash(_("Saved %(count)d change(s) in “%(section)s”.", count=len(changed), section=_(section.title)), "success")
    if request.form.get("action") == "next":
        return redirect(_after(submission, section))
    return redirect(url_for("responses.section", label=label, iso3=iso3, section_key=section_key))


def _after(submission, section) -> str:
    """Where "Save and next section" leads: the next section, or the submit page after the last."""
    sections = service.sections_for_user(current_user, submission)
    index = sections.index(section)
    if index + 1 < len(sections):
        return url_for("responses.section", label=submission.cycle.label, iso3=submission.country.iso3, section_key=sections[index + 1].key)
    if service.can_submit(current_user, submission):
        return url_for("responses.submit", label=submission.cycle.label, iso3=submission.country.iso3)
    return url_for("responses.submission", label=submission.cycle.label, iso3=submission.country.iso3)


@bp.post("/<label>/<iso3>/<section_key>/confirm")
@login_required
def confirm_carried(label: str, iso3: str, section_key: str):
    """Confirm all carried-over answers of a section as they are (audit-logged like a save)."""
    submission = submission_or_404(label, iso3)
    section = section_or_404(submission, section_key)
    if not VersionForm().validate_on_submit():
        abort(400)
    try:
        with write_transaction():
            count = service.confirm_carried(submission, section, base_version(), current_user)
    except (service.StaleSubmission, StaleDataError):
        db.session.rollback()
        flash(_("Someone else saved this questionnaire meanwhile; nothing was confirmed. Please check the answers and try again."), "error")
    except service.WorkflowError as error:
        flash(str(error.message), "error")
        return _render_section(submission, section, False, None, {}, submission.version, error.status)
    else:
        flash(ngettext("%(num)d carried-over answer confirmed.", "%(num)d carried-over answers confirmed.", count), "success")
    return redirect(url_for("responses.section", label=label, iso3=iso3, section_key=section_key))


def _posted_values(section, formdata=None) -> dict:
    """What was posted for each item, as typed (``formdata``: a kept post, else this request's)."""
    formdata = request.form if formdata is None else formdata
    return {item["key"]: KINDS[item["kind"]].posted(item["key"], formdata) for item in section.items}


def _render_conflict(submission, section, form, error):
    """409: keep what the user typed, show what the other person saved, rebase on their version."""
    if not isinstance(error, service.StaleSubmission):
        db.session.rollback()
        error = service.StaleSubmission(submission, service.answers_of(submission))
    mine = form.answers()
    conflicts = [
        (item, mine.get(item["key"]), error.current_answers.get(item["key"]))
        for item in section.items
        if mine.get(item["key"]) != error.current_answers.get(item["key"])
    ]
    return _render_section(
        submission, section, True, _posted_values(section), {}, error.current_version, status=409,
        conflict={"by": error.updated_by, "at": error.updated_at, "rows": conflicts},
    )


def _render_section(submission, section, editable, values, errors, version, status=200, conflict=None):
    """The section page: the stored answers, or (``values``) what was posted when it is shown again."""
    spec = service.spec_for(submission.cycle)
    answers = service.answers_of(submission)
    sections = service.sections_for_user(current_user, submission)
    carried = service.carried_keys(submission)
    index = sections.index(section)
    comments = [c for c in submission.comments if c.section_key == section.key and c.item_key is None]
    item_comments = {}
    for comment in submission.comments:
        if comment.section_key == section.key and comment.item_key:
            item_comments.setdefault(comment.item_key, []).append(comment)
    shown = answers if values is None else {**answers, **{k: v for k, v in values.items() if not isinstance(v, dict)}}
    previous_cycle = cycle_service.previous_cycle(submission.cycle)  # read once: the warnings and the hints both compare with it
    warnings = plausibility.flags(section.items, shown, plausibility.previous_answers(submission, previous_cycle)) if section.has_tables else []
    topics = section.topics
    return render_template(
        "responses/section.html",
        submission=submission, cycle=submission.cycle, country=submission.country, section=section,
        values=answers if values is None else values, errors=errors, base_version=version, editable=editable, conflict=conflict,
        comments=comments, item_comments=item_comments, carried=carried,
        progress=service.section_progress(section, answers, carried),
        topics=[(topic, service.section_progress(section, answers, carried, topic.items)) for topic in topics]
        if len(topics) > 1 and len(section.status_items) > TOPICS_FROM else None,
        sections=sections, section_progress=_progress_by_section(submission, sections, answers),
        next_unanswered=service.next_unanswered(sections, section, answers),
        previous=sections[index - 1] if index else None, next=sections[index + 1] if index + 1 < len(sections) else None,
        scale=[(value, str(label)) for value, label in STATUS_SCALE], commitments=spec.commitments,
        items_by_key=spec.items_by_key, warnings=warnings, table_flags=plausibility.flags_by_item(warnings),
        documents=documents_service.documents_by_item(submission),
        evidence=[(item, _evidence_question(section, item)) for item in section.items if KINDS[item["kind"]].evidence],
        document_form=DocumentForm(), remove_form=CsrfForm(),
        earlier_statuses=service.earlier_statuses(submission, section, answers, previous_cycle),
        outside_answers={key: value for key, value in answers.items()
                         if spec.section_of_item.get(key) not in (section.key, None) and key.startswith("screening.")},
        document_names=DOCUMENT_NAMES,
    ), status


@bp.route("/<label>/<iso3>/submit", methods=["GET", "POST"])
@login_required
def submit(label: str, iso3: str):
    """GET: what still stops the questionnaire from being submitted, section by section, with the
    submit button. POST: submit, or show the same page with the problems (422). Being a GET
    page too, a language switch after a failed submit returns here instead of to a 404."""
    submission = submission_or_404(label, iso3)
    if request.method == "GET":
        return _render_submit(submission, service.problems(submission))
    form = SubmitForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        with write_transaction():
            found = service.submit(submission, base_version(), current_user, may_publish=form.may_publish.data)
    except service.WorkflowError as error:
        flash(str(error.message), "error")
        return _render_submit(submission, service.problems(submission), error.status)
    if found:
        flash(_("The questionnaire cannot be submitted yet: please see the list below."), "error")
        return _render_submit(submission, found, 422)
    flash(_("Thank you. The questionnaire has been submitted to UNODC."), "success")
    return redirect(url_for("responses.submission", label=label, iso3=iso3))


def _render_submit(submission, problems, status=200):
    spec = service.spec_for(submission.cycle)
    sections = service.sections_for(submission)
    by_section = {}
    for problem in problems:
        by_section.setdefault(problem.section_key, []).append(problem)
    return render_template(
        "responses/submit.html", submission=submission, cycle=submission.cycle, country=submission.country,
        groups=[(section, by_section[section.key]) for section in sections if section.key in by_section],
        problem_count=len(problems), items_by_key=spec.items_by_key, commitments=spec.commitments,
        can_submit=service.can_submit(current_user, submission),
        form=SubmitForm(formdata=None, base_version=submission.version, may_publish=submission.may_publish),
    ), status


@bp.route("/<label>/<iso3>/review", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def review(label: str, iso3: str):
    """The compiler's review: the whole submission on one page (GET); "Return" and "Accept"
    each go through a confirmation page (POST without ``confirmed``) before anything changes."""
    submission = submission_or_404(label, iso3)
    if request.method == "GET":
        return _render_review(submission, {})
    targets = service.comment_targets(submission)
    form = _review_form_class(tuple(targets))()
    if not form.validate_on_submit():
        if form.errors.get("csrf_token") or form.base_version.errors:
            abort(400)
        flash(_("A comment could not be accepted; nothing was changed. Please see the comment fields below."), "error")
        typed = {key: form[f"comment-{key}"].data or "" for key in targets}
        errors = {key: form[f"comment-{key}"].errors for key in targets if form[f"comment-{key}"].errors}
        return _render_review(submission, typed, 422, errors)
    version = base_version()
    action = request.form.get("action")
    if action not in ("accept", "return", "edit"):
        abort(400)
    comments = {key: (form[f"comment-{key}"].data or "").strip() for key in targets}
    comments = {key: text for key, text in comments.items() if text}
    if action == "edit" or not request.form.get("confirmed"):
        if action == "return" and not comments:
            flash(_("Say what needs correcting: add a comment to at least one section or question."), "error")
            return _render_review(submission, comments, 422)
        if action == "edit":
            return _render_review(submission, comments)
        return _render_review_confirmation(submission, action, comments, targets)
    try:
        with write_transaction():
            if action == "accept":
                service.accept(submission, version, current_user)
                message = _("Submission accepted.")
            else:
                service.return_submission(submission, comments, version, current_user)
                message = _("Submission returned to the country with your comments.")
    except service.WorkflowError as error:
        flash(str(error.message), "error")
        return _render_review(submission, comments, error.status)
    flash(message, "success")
    return redirect(url_for("responses.submission", label=label, iso3=iso3))


@bp.get("/<label>/<iso3>/examples")
@roles_required(*STAFF_ROLES)
def examples(label: str, iso3: str):
    """The submission's "measures taken" answers, each of which a compiler can mark as an example for the report."""
    return _render_examples(submission_or_404(label, iso3))


def _render_examples(submission, status=200):
    return render_template(
        "responses/examples.html", submission=submission, cycle=submission.cycle, country=submission.country,
        measures=examples_service.measures_of(submission), can_mark=examples_service.can_mark(current_user, submission),
        form=CsrfForm(), excerpt_max=EXCERPT_MAX, languages=current_app.config["LANGUAGES"],
    ), status


@bp.post("/<label>/<iso3>/examples")
@roles_required(*STAFF_ROLES)
def mark_example(label: str, iso3: str):
    submission = submission_or_404(label, iso3)
    if not CsrfForm().validate_on_submit():
        abort(400)
    key = request.form.get("key", "")
    try:
        with write_transaction():
            if request.form.get("action") == "unmark":
                examples_service.unmark_example(submission, key, current_user)
                message = _("The example was removed from the report.")
            else:
                examples_service.mark_example(submission, key, request.form.get("excerpt"),
                                              request.form.get("language", ""), current_user)
                message = _("Marked as an example for the report.")
    except examples_service.ExampleError as error:
        flash(error.message, "error")
        return _render_examples(submission, status=error.status)
    flash(message, "success")
    return redirect(url_for("responses.examples", label=label, iso3=iso3) + f"#example-{key}")
@lru_cache(maxsize=64)
def _review_form_class(keys: tuple[str, ...]):
    """One comment field per section and per question, built once per questionnaire (a form
    class is never modified, so sharing it is safe)."""
    return review_form_class(list(keys))


def _render_review(submission, comments, status=200, errors=None):
    spec = service.spec_for(submission.cycle)
    answers = service.answers_of(submission)
    sections = service.sections_for(submission)
    existing = {}
    for comment in submission.comments:
        existing.setdefault(comment.item_key or comment.section_key, []).append(comment)
    return render_template(
        "responses/review.html", submission=submission, cycle=submission.cycle, country=submission.country,
        sections=[(section, _review_rows(section, answers)) for section in sections], answers=answers, carried=service.carried_keys(submission),
        previous=service.previous_answers(submission), comments=comments, existing=existing, errors=errors or {},
        progress=_progress_by_section(submission, sections, answers),
        commitments=spec.commitments, can_review=service.can_review(current_user, submission),
        form=VersionForm(formdata=None, base_version=submission.version),
    ), status


def _review_rows(section, answers):
    """The section as the review page reads it: each question with its follow-ups (measures,
    evidence, indicators) that apply or hold an answer; items of no question stand alone."""
    rows, followups = [], {}
    for item in section.items:
        question = section.question_of(item)
        if question is None:
            rows.append((item, followups.setdefault(item["key"], [])))
        elif answers.get(item["key"]) is not None or is_visible(item, answers):
            followups.setdefault(question["key"], []).append(item)
    return rows


def _render_review_confirmation(submission, action, comments, targets):
    spec = service.spec_for(submission.cycle)
    titles = {section.key: section.title for section in service.sections_for(submission)}
    rows = [
        (titles[targets[key][0]], spec.items_by_key.get(targets[key][1]) if targets[key][1] else None, key, text)
        for key, text in comments.items()
    ]
    return render_template(
        "responses/review_confirm.html", submission=submission, cycle=submission.cycle, country=submission.country,
        action=action, rows=rows, form=VersionForm(base_version=request.form.get("base_version", "")),
    )


@bp.get("/<label>/<iso3>/history")
@login_required
def history(label: str, iso3: str):
    submission = submission_or_404(label, iso3)
    if current_user.role_enum.value == "contributor":
        abort(403)  # the whole country's history is the focal point's (and UNODC's)
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.submission_id == submission.id).order_by(AuditEvent.id.desc())
    ).all()
    actor_ids = {event.actor_id for event in events if event.actor_id}
    people = {user.id: user.display_name for user in db.session.scalars(select(User).where(User.id.in_(actor_ids)))}
    return render_template(
        "responses/history.html", submission=submission, cycle=submission.cycle, country=submission.country, events=events,
        people=people, spec=service.spec_for(submission.cycle),
    )


@bp.post("/<label>/<iso3>/<section_key>/ready")
@login_required
def mark_ready(label: str, iso3: str, section_key: str):
    """A contributor hands a section to the focal point (``ready=0`` takes it back)."""
    submission = submission_or_404(label, iso3)
    section = section_or_404(submission, section_key)
    if not CsrfForm().validate_on_submit():
        abort(400)
    ready = request.form.get("ready", "1") == "1"
    try:
        with write_transaction():
            service.mark_ready(current_user, submission, section.key, ready)
    except service.WorkflowError as error:
        flash(str(error.message), "error")
        return _render_overview(submission, status=error.status)
    if ready:
        flash(_("“%(section)s” is marked ready for the focal point.", section=_(section.title)), "success")
    else:
        flash(_("“%(section)s” is no longer marked ready.", section=_(section.title)), "success")
    return redirect(url_for("responses.submission", label=label, iso3=iso3))


# --- contributors (the focal point's team) -------------------------------------------

def _contributors_page(submission, form, status=200):
    return render_template(
        "responses/contributors.html", submission=submission, cycle=submission.cycle, country=submission.country,
        contributors=contributor_service.contributors_of(submission), sections=service.sections_for(submission),
        form=form, action_form=CsrfForm(), can_manage=current_user.role_enum.value == "focal_point",
    ), status


def _invite_form() -> InviteForm:
    form = InviteForm()
    if not form.is_submitted() and current_user.locale:
        form.language.data = current_user.locale
    return form


@bp.get("/<label>/<iso3>/contributors")
@login_required
def contributors(label: str, iso3: str):
    submission = submission_or_404(label, iso3)
    if current_user.role_enum.value not in ("focal_point", "admin", "compiler"):
        abort(403)
    return _contributors_page(submission, _invite_form())


@bp.post("/<label>/<iso3>/contributors")
@login_required
def invite(label: str, iso3: str):
    submission = submission_or_404(label, iso3)
    form = _invite_form()
    if not form.validate_on_submit():
        if form.errors.get("csrf_token"):
            abort(400)
        return _contributors_page(submission, form, 422)
    try:
        with write_transaction():
            user = contributor_service.invite_contributor(
                current_user, submission, form.email.data, form.name.data, request.form.getlist("sections"), form.language.data,
            )
    except service.NotAllowed:
        abort(403)
    except AccountError as error:
        form.email.errors.append(str(error))
        return _contributors_page(submission, form, 422)
    flash(_("An invitation has been e-mailed to %(email)s.", email=user.email), "success")
    return redirect(url_for("responses.contributors", label=label, iso3=iso3))


@bp.route("/<label>/<iso3>/contributors/<int:user_id>/access", methods=["GET", "POST"])
@login_required
def contributor_access(label: str, iso3: str, user_id: int):
    """Withdraw a contributor's access (GET asks for confirmation) or, with ``active=1``, restore it."""
    submission = submission_or_404(label, iso3)
    contributor = db.session.get(User, user_id)
    if contributor is None:
        abort(404)
    form = CsrfForm()
    active = request.form.get("active") == "1"
    if not form.validate_on_submit():
        if request.method == "POST":
            abort(400)
        if current_user.role_enum.value != "focal_point" or contributor.country_id != submission.country_id:
            abort(403)
        return render_template(
            "accounts/admin_confirm.html", user=contributor, form=form,
            action=url_for("responses.contributor_access", label=label, iso3=iso3, user_id=user_id),
            cancel=url_for("responses.contributors", label=label, iso3=iso3),
        )
    try:
        with write_transaction():
            contributor_service.set_contributor_active(current_user, submission, contributor, active)
    except service.NotAllowed:
        abort(403)
    if active:
        flash(_("%(email)s can work on the questionnaire again.", email=contributor.email), "success")
    else:
        flash(_("%(email)s can no longer sign in.", email=contributor.email), "success")
    return redirect(url_for("responses.contributors", label=label, iso3=iso3))


@bp.post("/<label>/<iso3>/contributors/<int:user_id>")
@login_required
def assign(label: str, iso3: str, user_id: int):
    submission = submission_or_404(label, iso3)
    if not CsrfForm().validate_on_submit():
        abort(400)
    contributor = db.session.get(User, user_id)
    if contributor is None:
        abort(404)
    try:
        with write_transaction():
            contributor_service.assign_sections(current_user, submission, contributor, request.form.getlist("sections"))
    except service.NotAllowed:
        abort(403)
    except AccountError as error:
        flash(str(error), "error")
        return _contributors_page(submission, _invite_form(), 422)
    flash(_("Sections of %(email)s saved.", email=contributor.email), "success")
    return redirect(url_for("responses.contributors", label=label, iso3=iso3))


# --- the offline workbook ------------------------------------------------------------

@bp.get("/<label>/<iso3>/workbook.xlsx")
@login_required
def workbook_download(label: str, iso3: str):
    """The pre-filled workbook of the chosen sections (``?section=KEY``, repeated; all by default)."""
    submission = submission_or_404(label, iso3)
    try:
        sections = workbook_service.chosen_sections(submission, request.args.getlist("section"), current_user)
    except WorkbookError:
        abort(404)
    data, filename = workbook_service.workbook_file(submission, sections, current_user)
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.post("/<label>/<iso3>/workbook")
@csrf.exempt  # checked below, once the upload limit is raised (the global check would read the body first)
@login_required
def workbook_upload(label: str, iso3: str):
    submission = submission_or_404(label, iso3)
    limit = allow_upload("MAX_WORKBOOK_BYTES")
    try:
        check_csrf()
        form = WorkbookUploadForm()
        if not form.validate():
            return _render_overview(submission, status=422, workbook_errors=form.workbook.errors)
        data = form.workbook.data.read()
        preview = workbook_service.preview_upload(submission, data, current_user)
        workbook_service.keep_upload(data)
    except RequestEntityTooLarge:
        return _render_overview(submission, status=413, workbook_errors=[_("The workbook is larger than %(size)d MB.", size=limit)])
    except WorkbookError as error:
        return _render_overview(submission, status=422, workbook_errors=error.messages)
    except service.WorkflowError as error:
        return _render_overview(submission, status=error.status, workbook_errors=[error.message])
    return _render_preview(submission, preview)


def _render_preview(submission, preview, status=None):
    spec = service.spec_for(submission.cycle)
    form = WorkbookConfirmForm(upload=preview.sha256, preview_version=str(preview.version))
    return render_template(
        "responses/workbook_preview.html", submission=submission, cycle=submission.cycle, country=submission.country,
        preview=preview, form=form, reference=lambda item: workbook_service.reference(spec.commitments, item),
    ), status or (409 if preview.conflicts else 200)


@bp.post("/<label>/<iso3>/workbook/confirm")
@login_required
def workbook_confirm(label: str, iso3: str):
    submission = submission_or_404(label, iso3)
    form = WorkbookConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        data = workbook_service.kept_upload(form.upload.data)
        preview = workbook_service.preview_upload(submission, data, current_user)
        if preview.version != int(form.preview_version.data):
            flash(_("Someone saved this questionnaire after your preview. Here is what the workbook would change now; nothing was saved yet."), "error")
            return _render_preview(submission, preview, status=409)
        with write_transaction():
            changed = workbook_service.apply_preview(submission, preview, current_user)
    except WorkbookError as error:
        return _render_overview(submission, status=422, workbook_errors=error.messages)
    except service.StaleSubmission:
        db.session.rollback()
        flash(_("Someone saved this questionnaire after your preview. Nothing was saved; please upload the workbook again."), "error")
        return _render_overview(submission, status=409)
    except service.WorkflowError as error:
        return _render_overview(submission, status=error.status, workbook_errors=[error.message])
    workbook_service.forget_upload(preview.sha256)
    flash(_("Workbook applied: %(count)d answer(s) changed.", count=len(changed)), "success")
    if preview.conflicts:
        flash(ngettext(
            "%(num)d question was changed by someone else since the workbook was made and was left as they saved it.",
            "%(num)d questions were changed by someone else since the workbook was made and were left as they saved them.",
            len(preview.conflicts)), "error")
    return redirect(url_for("responses.submission", label=label, iso3=iso3))


@bp.post("/<label>/<iso3>/workbook/cancel")
@login_required
def workbook_cancel(label: str, iso3: str):
    """Drop an upload that was previewed but not applied."""
    submission_or_404(label, iso3)
    form = WorkbookConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    workbook_service.forget_upload(form.upload.data)
    flash(_("The uploaded workbook was discarded; nothing was changed."), "success")
    return redirect(url_for("responses.submission", label=label, iso3=iso3))

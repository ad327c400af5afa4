"""REST API v1: cycles, the frozen spec, submissions and answers.

Authentication is the browser session (with a CSRF header on writes) or a
bearer token (`flask users token`). Every route goes through the same guards
as the pages; every error is JSON, with field messages on 422.
"""
from contextlib import nullcontext
import io

from flask import Blueprint, Response, current_app, jsonify, request, send_file
from flask_babel import force_locale
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from forms import section_form_class
from forms.kinds import translate_spec_text
from forms.workbook import MEDIA_TYPE as XLSX, WorkbookError
from reporting.core.i18n import babel_locale
from reporting.core.uploads import allow_upload
from reporting.accounts.access import STAFF_ROLES, authenticated_by_token, assigned_sections
from reporting.core.errors import render_error
from reporting.core.inputs import load_json
from reporting.database import write_transaction
from reporting.extensions import csrf, db, login_manager
from reporting.models import Country, Cycle, Submission
from reporting.responses import submissions as service
from reporting.responses import workbook as workbook_service
from reporting.documents import services as documents_service
from reporting.responses.loaders import cycle_or_404, submission_or_404
from reporting.api.openapi import openapi_document
from reporting.api.schemas import (
    AnswersUpdateSchema, CycleSchema, ReviewSchema, SaveResultSchema, SubmissionSchema, SubmissionSummarySchema, SubmitSchema,
    WorkbookPreviewSchema, WorkbookQuerySchema, WorkbookUploadQuerySchema,
)

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@bp.before_request
def authenticate():
    if request.endpoint == "api.openapi":
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if request.endpoint == "api.workbook_upload":
        allow_upload("MAX_WORKBOOK_BYTES")  # before the CSRF check below reads the body
    if request.method not in ("GET", "HEAD", "OPTIONS") and not authenticated_by_token():
        # Signed in by the session cookie, which a browser sends on its own, so the write needs
        # the CSRF header whatever else the request carries (a junk bearer header included).
        csrf.protect()
    return None


def _body(schema):
    """The JSON body through the input boundary (size, depth, strict numbers, clean text), then the schema."""
    if not request.is_json:
        raise ValidationError({"_body": ["send a JSON object with Content-Type: application/json"]})
    payload = load_json(request.get_data(cache=True))
    if not isinstance(payload, dict):
        raise ValidationError({"_body": ["send a JSON object with Content-Type: application/json"]})
    return schema.load(payload)


@bp.errorhandler(ValidationError)
def invalid(error: ValidationError):
    return render_error(422, "The request body is not valid.", error.messages)


@bp.errorhandler(service.WorkflowError)
def workflow_error(error: service.WorkflowError):
    details = None
    if isinstance(error, service.StaleSubmission):
        details = {"base_version": [f"the submission is at version {error.current_version}; read it again"]}
    return render_error(error.status, str(error.message), details)


@bp.get("/cycles")
def cycles():
    rows = db.session.scalars(select(Cycle).order_by(Cycle.deadline.desc())).all()
    return jsonify(CycleSchema(many=True).dump(rows))


@bp.get("/cycles/<label>")
def cycle(label: str):
    return jsonify(CycleSchema().dump(cycle_or_404(label)))


@bp.get("/cycles/<label>/spec")
def spec(label: str):
    """The questionnaire frozen for the cycle, exactly as the forms use it."""
    return jsonify(cycle_or_404(label).spec_version.content)


@bp.get("/cycles/<label>/submissions")
def submissions(label: str):
    """Compilers get every Member State; a country's users get their own only."""
    query = (
        select(Submission).join(Country).where(Submission.cycle_id == cycle_or_404(label).id)
        .options(selectinload(Submission.country)).order_by(Country.iso3)
    )
    if current_user.role_enum not in STAFF_ROLES:
        query = query.where(Submission.country_id == current_user.country_id)
    return jsonify(SubmissionSummarySchema(many=True).dump(db.session.scalars(query)))


def _dump(submission) -> dict:
    """The submission as the user may see it: a contributor gets the answers of their sections only."""
    data = SubmissionSchema().dump(submission)
    allowed = assigned_sections(current_user)
    if allowed is not None:
        section_of = service.spec_for(submission.cycle).section_of_item
        data["answers"] = {key: value for key, value in data["answers"].items() if section_of.get(key) in allowed}
        data["comments"] = [comment for comment in data["comments"] if comment["section"] in allowed]
        data["documents"] = [document for document in data["documents"] if section_of.get(document["key"]) in allowed]
    return data


@bp.get("/cycles/<label>/submissions/<iso3>/documents/<int:document_id>")
def document(label: str, iso3: str, document_id: int):
    """An evidence document, as the page serves it: only to those who may see the country (and, for a contributor, the section)."""
    submission = submission_or_404(label, iso3)
    found = documents_service.document_or_none(submission, document_id, current_user)
    data = documents_service.content(found) if found else None
    if data is None:
        return render_error(404, "No such document.")
    return send_file(io.BytesIO(data), mimetype=found.media_type, as_attachment=True, download_name=found.filename, etag=found.sha256, max_age=0)


@bp.get("/cycles/<label>/submissions/<iso3>")
def submission(label: str, iso3: str):
    return jsonify(_dump(submission_or_404(label, iso3)))


@bp.patch("/cycles/<label>/submissions/<iso3>/answers")
def update_answers(label: str, iso3: str):
    """Change some answers (null clears one). Validated exactly as the web form validates them."""
    submission = submission_or_404(label, iso3)
    body = _body(AnswersUpdateSchema())
    spec = service.spec_for(submission.cycle)
    named = {spec.section_of_item.get(key) for key in body["answers"]}
    named = [section for section in spec.sections if section.key in named]
    # Only what these sections show or depend on is read, not the whole submission.
    stored = service.stored_answers(submission, service.inputs_of(named))
    current = {key: row.value for key, row in stored.items()}
    sections = {section.key: section for section in service.asked_sections(submission, named, current)}
    by_section: dict[str, dict] = {}
    errors: dict[str, list[str]] = {}
    for key, value in body["answers"].items():
        section_key = spec.section_of_item.get(key)
        if section_key not in sections:
            errors[key] = ["not a question of this country's questionnaire"]
        else:
            by_section.setdefault(section_key, {})[key] = value
    # Who may write what is decided before what is written is looked at: a contributor
    # naming a section not assigned to them gets 403, whatever the values.
    service.require_editable(current_user, submission, list(by_section))
    updates = {}
    for section_key, values in by_section.items():
        section = sections[section_key]
        # The sent answers through the page's own fields; the others stay as stored.
        form = section_form_class(spec, section, frozenset(values)).from_answers(values, body["base_version"])
        if form.validate():
            updates[section] = {item["key"]: current.get(item["key"]) for item in section.items} | form.answers()
        else:
            errors.update({key: [str(message) for message in messages] for key, messages in form.errors.items()})
    if errors:
        raise ValidationError({"answers": errors})
    try:
        with write_transaction(reload=False):
            changed = service.save_sections(submission, updates, body["base_version"], current_user, stored)
    except StaleDataError:
        db.session.rollback()
        raise service.StaleSubmission(submission, service.answers_of(submission)) from None
    problems = _by_key(service.problems(submission, only={section.key for section in updates}))
    return jsonify(SaveResultSchema().dump({
        "version": submission.version, "state": submission.state, "updated_at": submission.updated_at,
        "saved": sorted(body["answers"]), "changed": changed, "problems": problems}))


def _by_key(problems) -> dict[str, list[str]]:
    """Problems as field messages: by question key, or by check or section key."""
    messages: dict[str, list[str]] = {}
    for problem in problems:
        messages.setdefault(problem.item_key or problem.section_key, []).append(str(problem.message))
    return messages


@bp.post("/cycles/<label>/submissions/<iso3>/submit")
def submit(label: str, iso3: str):
    submission = submission_or_404(label, iso3)
    body = _body(SubmitSchema())
    with write_transaction():
        problems = service.submit(submission, body["base_version"], current_user, may_publish=body["may_publish"])
    if problems:
        return render_error(422, "The questionnaire is not complete.", _by_key(problems))
    return jsonify(_dump(submission))


@bp.post("/cycles/<label>/submissions/<iso3>/review")
def review(label: str, iso3: str):
    submission = submission_or_404(label, iso3)
    body = _body(ReviewSchema())
    with write_transaction():
        if body["action"] == "accept":
            service.accept(submission, body["base_version"], current_user)
        else:
            unknown = sorted(set(body["comments"]) - set(service.comment_targets(submission)))
            if unknown:
                raise ValidationError({"comments": {key: ["not a section or question of this questionnaire"] for key in unknown}})
            service.return_submission(submission, body["comments"], body["base_version"], current_user)
    return jsonify(SubmissionSchema().dump(submission))


@bp.get("/cycles/<label>/submissions/<iso3>/workbook")
def workbook_download(label: str, iso3: str):
    """The pre-filled workbook (read-only copy for those who may not change the answers)."""
    submission = submission_or_404(label, iso3)
    query = WorkbookQuerySchema().load(request.args)
    keys = [key.strip() for key in query["sections"].split(",") if key.strip()]
    try:
        sections = workbook_service.chosen_sections(submission, keys, current_user)
    except WorkbookError as error:
        raise ValidationError({"sections": [str(message) for message in error.messages]}) from None
    with force_locale(babel_locale(query["lang"])) if query["lang"] else nullcontext():
        data, filename = workbook_service.workbook_file(submission, sections, current_user)
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.post("/cycles/<label>/submissions/<iso3>/workbook")
def workbook_upload(label: str, iso3: str):
    """Preview (default) or apply (``?apply=true``) a filled-in workbook: the file as the
    request body (Content-Type of .xlsx) or as the multipart field ``workbook``."""
    submission = submission_or_404(label, iso3)
    query = WorkbookUploadQuerySchema().load(request.args)
    try:
        if request.mimetype == XLSX:
            data = request.get_data()
        else:
            upload = request.files.get("workbook")
            if upload is None:
                raise ValidationError({"workbook": ["send the .xlsx as the request body or as the multipart field `workbook`"]})
            data = upload.read()
    except RequestEntityTooLarge:
        limit = current_app.config["MAX_WORKBOOK_BYTES"] // (1024 * 1024)
        return render_error(413, "The workbook is too large.", {"workbook": [f"at most {limit} MB"]})
    try:
        if not query["apply"]:
            preview = workbook_service.preview_upload(submission, data, current_user)
            return jsonify(_preview_json(submission, preview, applied=False))
        with write_transaction():
            preview = workbook_service.preview_upload(submission, data, current_user)
            workbook_service.apply_preview(submission, preview, current_user)
    except WorkbookError as error:
        raise ValidationError({"workbook": [str(message) for message in error.messages]}) from None
    except StaleDataError:
        db.session.rollback()
        raise service.StaleSubmission(submission, service.answers_of(submission)) from None
    return jsonify(_preview_json(submission, preview, applied=True))


def _preview_json(submission, preview, applied: bool) -> dict:
    spec = service.spec_for(submission.cycle)

    def described(entry) -> dict:
        return {
            "key": entry.item["key"], "section": entry.section.key, "place": str(entry.place),
            "question": str(translate_spec_text(entry.item["label"])),
            "reference": workbook_service.reference(spec.commitments, entry.item),
        }

    return WorkbookPreviewSchema().dump({
        "workbook_version": preview.meta.submission_version,
        "current_version": submission.version,
        "changes": [described(change) | {"old": change.old, "new": change.new} for change in preview.changes],
        "conflicts": [described(conflict) | {"yours": conflict.yours, "theirs": conflict.theirs} for conflict in preview.conflicts],
        "applied": applied,
    })

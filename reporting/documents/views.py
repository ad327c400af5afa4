"""Upload, download and remove evidence documents. Thin: guard, call the service, answer."""
import io

from flask import Blueprint, abort, flash, redirect, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from reporting.core.uploads import allow_upload, check_csrf
from reporting.database import write_transaction
from reporting.documents import services
from reporting.documents.forms import DocumentForm
from reporting.extensions import csrf
from reporting.responses import submissions as submission_service
from reporting.responses.forms import CsrfForm
from reporting.responses.loaders import submission_or_404

bp = Blueprint("documents", __name__, url_prefix="/cycles")


def _back(submission, item_key=None):
    """To the question's section page (where documents are listed and uploaded), else the submission page."""
    label, iso3 = submission.cycle.label, submission.country.iso3
    section_key = submission_service.spec_for(submission.cycle).section_of_item.get(item_key or "")
    if section_key is None:
        return redirect(url_for("responses.submission", label=label, iso3=iso3), 303)
    return redirect(url_for("responses.section", label=label, iso3=iso3, section_key=section_key, _anchor=f"item-{item_key}"), 303)


@bp.post("/<label>/<iso3>/documents")
@csrf.exempt  # checked below, once the upload limit is raised (the global check would read the body first)
@login_required
def upload(label: str, iso3: str):
    submission = submission_or_404(label, iso3)
    limit = allow_upload("MAX_DOCUMENT_BYTES")
    item_key = None
    try:
        check_csrf()
        form = DocumentForm()
        item_key = form.item_key.data
        if not form.validate():
            flash(" ".join(str(message) for messages in form.errors.values() for message in messages), "error")
            return _back(submission, item_key)
        with write_transaction():
            document = services.add_document(submission, item_key, form.document.data.filename or "", form.document.data.read(), current_user)
    except RequestEntityTooLarge:
        flash(_("The file is larger than %(size)d MB. Nothing was stored.", size=limit), "error")
        return _back(submission)
    except services.DocumentError as error:
        flash(_("%(message)s Nothing was stored.", message=error.message), "error")
        return _back(submission, item_key)
    except submission_service.WorkflowError as error:
        flash(str(error.message), "error")
        return _back(submission, item_key)
    flash(_("“%(name)s” is attached as evidence.", name=document.filename), "success")
    return _back(submission, item_key)


@bp.get("/<label>/<iso3>/documents/<int:document_id>")
@login_required
def download(label: str, iso3: str, document_id: int):
    """Only for those who may see the country (the loader checks), always as an attachment."""
    submission = submission_or_404(label, iso3)
    document = services.document_or_none(submission, document_id, current_user)
    data = services.content(document) if document else None
    if data is None:
        abort(404)
    return send_file(io.BytesIO(data), mimetype=document.media_type, as_attachment=True,
                     download_name=document.filename, etag=document.sha256, max_age=0)


@bp.post("/<label>/<iso3>/documents/<int:document_id>/remove")
@login_required
def remove(label: str, iso3: str, document_id: int):
    submission = submission_or_404(label, iso3)
    document = services.document_or_none(submission, document_id, current_user)
    if document is None:
        abort(404)
    if not CsrfForm().validate_on_submit():
        abort(400)
    item_key, filename = document.item_key, document.filename
    try:
        with write_transaction():
            sha256 = services.remove_document(submission, document, current_user)
    except submission_service.WorkflowError as error:
        flash(str(error.message), "error")
        return _back(submission, item_key)
    services.purge(sha256)
    flash(_("“%(name)s” was removed.", name=filename), "success")
    return _back(submission, item_key)

"""Evidence documents of a submission: checked, stored by content, listed per question.

The type of a file is read from its content (``filetype``), never from its
name; a name whose extension says something else is refused, so that a
reviewer never opens an executable called ``strategy.pdf``.
"""
import hashlib
import io
from pathlib import PurePosixPath, PureWindowsPath
import re
import unicodedata
import zipfile

from flask import current_app
from flask_babel import lazy_gettext as _l
import filetype
from sqlalchemy import func, select

from forms.kinds import KINDS, translate_spec_text
from reporting import audit
from reporting.accounts.access import section_allowed
from reporting.documents.storage import store
from reporting.extensions import db
from reporting.models import Document, Submission, User
from reporting.responses import submissions as service

# Media type (as detected) → the extensions a file of that type may carry.
ACCEPTED = {
    "application/pdf": ("pdf",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx",),
    "application/vnd.oasis.opendocument.text": ("odt",),
    "image/png": ("png",),
    "image/jpeg": ("jpg", "jpeg"),
}
ACCEPTED_NAMES = "PDF, DOCX, XLSX, ODT, PNG, JPEG"


class DocumentError(Exception):
    """Why a file cannot be attached (names the file and, where it helps, the question)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def evidence_items(submission: Submission) -> dict[str, dict]:
    """The questions of this country's questionnaire that accept documents, by key."""
    return {
        item["key"]: item
        for section in service.sections_for(submission)
        for item in section.items
        if KINDS[item["kind"]].evidence
    }


def safe_filename(name: str, extension: str) -> str:
    """The name to show and to download under: no folders, no control or quote
    characters, at most 120 characters, always ending in the checked extension."""
    name = "".join(ch for ch in unicodedata.normalize("NFC", _basename(name)) if unicodedata.category(ch)[0] != "C" and ch not in '"\\/:*?<>|;')
    stem = re.sub(r"\s+", " ", name.rsplit(".", 1)[0] if "." in name else name).strip(" .") or "document"
    return f"{stem[:120 - len(extension) - 1]}.{extension}"


def _basename(name: str) -> str:
    """The file's own name, whatever folders (POSIX or Windows) a browser sent with it."""
    return PureWindowsPath(PurePosixPath(name or "").name).name


def check_file(filename: str, data: bytes) -> tuple[str, str]:
    """(media type, extension) of an acceptable file, or DocumentError saying why not."""
    if not data:
        raise DocumentError(_l("“%(name)s” is empty.", name=filename))
    limit = current_app.config["MAX_DOCUMENT_BYTES"]
    if len(data) > limit:
        raise DocumentError(_l("“%(name)s” is larger than %(size)d MB.", name=filename, size=limit // (1024 * 1024)))
    kind = filetype.guess(data)
    if kind is None or kind.mime not in ACCEPTED:
        raise DocumentError(_l(
            "“%(name)s” is not a file type accepted as evidence (%(types)s): its content is %(kind)s.",
            name=filename, types=ACCEPTED_NAMES, kind=kind.extension if kind else _l("not a known file type"),
        ))
    basename = _basename(filename)
    extension = basename.rsplit(".", 1)[-1].lower() if "." in basename else ""
    if extension not in ACCEPTED[kind.mime]:
        raise DocumentError(_l(
            "“%(name)s” is named as a .%(extension)s file but its content is %(kind)s. Rename it or upload the right file.",
            name=filename, extension=extension or "?", kind=kind.extension.upper(),
        ))
    if kind.mime.startswith("application/vnd.openxmlformats") and _has_macros(data):
        raise DocumentError(_l("“%(name)s” contains macros. Save it without macros and upload that.", name=filename))
    return kind.mime, ACCEPTED[kind.mime][0]


def _has_macros(data: bytes) -> bool:
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise DocumentError(_l("The file is damaged.")) from None
    return any(name.lower().endswith("vbaproject.bin") for name in names)


def add_document(submission: Submission, item_key: str, filename: str, data: bytes, user: User) -> Document:
    """Attach a file to an evidence question, in the caller's transaction; the same file twice is one document."""
    service.require_editable(user, submission)
    item = evidence_items(submission).get(item_key)
    if item is None:
        raise DocumentError(_l("%(key)s is not a question that takes documents in this questionnaire.", key=item_key))
    service.require_editable(user, submission, [service.spec_for(submission.cycle).section_of_item[item_key]])
    try:
        media_type, extension = check_file(filename, data)
    except DocumentError as error:
        raise DocumentError(_l("%(question)s: %(message)s", question=translate_spec_text(item["label"]), message=error.message)) from None
    sha256 = hashlib.sha256(data).hexdigest()
    existing = db.session.scalar(select(Document).where(
        Document.submission_id == submission.id, Document.item_key == item_key, Document.sha256 == sha256))
    if existing is not None:
        return existing
    store().put("documents", sha256, data)  # content-addressed: a stored copy is never wrong, even if the row is not written
    document = Document(
        submission_id=submission.id, item_key=item_key, sha256=sha256, filename=safe_filename(filename, extension),
        media_type=media_type, size=len(data), uploaded_by_id=user.id,
    )
    db.session.add(document)
    db.session.flush()
    audit.record(
        "document.added", "document", document.id, country_id=submission.country_id, submission_id=submission.id,
        key=item_key, new={"filename": document.filename, "sha256": sha256, "size": len(data)},
    )
    return document


def remove_document(submission: Submission, document: Document, user: User) -> str:
    """Detach a document, in the caller's transaction; returns its SHA-256 for ``purge``."""
    service.require_editable(user, submission, [service.spec_for(submission.cycle).section_of_item.get(document.item_key, "")])
    audit.record(
        "document.removed", "document", document.id, country_id=submission.country_id, submission_id=submission.id,
        key=document.item_key, old={"filename": document.filename, "sha256": document.sha256},
    )
    db.session.delete(document)
    return document.sha256


def purge(sha256: str) -> None:
    """After a removal is committed: delete the bytes unless another document still uses them."""
    if not db.session.scalar(select(func.count()).select_from(Document).where(Document.sha256 == sha256)):
        store().delete("documents", sha256)


def documents_by_item(submission: Submission) -> dict[str, list[Document]]:
    """Every document of the submission by question key (pages list only the sections the user sees)."""
    rows = db.session.scalars(
        select(Document).where(Document.submission_id == submission.id).order_by(Document.item_key, Document.uploaded_at, Document.id)
    )
    grouped: dict[str, list[Document]] = {}
    for document in rows:
        grouped.setdefault(document.item_key, []).append(document)
    return grouped


def document_or_none(submission: Submission, document_id: int, user: User) -> Document | None:
    """A document of this submission only (an id from another country's submission is
    not found here), and for a contributor only of a section assigned to them."""
    document = db.session.scalar(select(Document).where(Document.id == document_id, Document.submission_id == submission.id))
    if document is None or not section_allowed(user, service.spec_for(submission.cycle).section_of_item.get(document.item_key, "")):
        return None
    return document


def content(document: Document) -> bytes | None:
    return store().get("documents", document.sha256)

"""A submission's offline workbook: download it pre-filled, upload it back,
preview what changes, apply on confirmation. Shared by the pages and the API.

An upload is read by ``forms.workbook`` into the form data the web page would
have posted, and validated by the very section forms the pages use. A
workbook made from an older version of the submission is merged three ways
(what the workbook was made from, what it says now, what is stored now): a
question changed in the workbook and, differently, by someone else since, is a
conflict — shown, never overwritten.
"""
from dataclasses import dataclass, field
import hashlib
from typing import Any

from flask import current_app
from flask_babel import force_locale, format_date, format_datetime, lazy_gettext as _l
import filetype

from forms import section_form_class
from forms.kinds import translate_spec_text
from forms.spec import Section
from forms.workbook import MEDIA_TYPE, WorkbookContent, WorkbookError, WorkbookMeta, read_workbook, write_workbook
from reporting import audit
from reporting.core.i18n import babel_locale, current_language, text_direction
from reporting.countries.services import country_name
from reporting.documents.storage import store
from reporting.models import Submission, User
from reporting.responses import submissions as service
from reporting.responses.commitments import document_reference
from reporting.responses.labels import SUBMISSION_STATE_LABELS


@dataclass(frozen=True)
class Change:
    section: Section
    item: dict[str, Any]
    place: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Conflict:
    section: Section
    item: dict[str, Any]
    place: str
    yours: Any
    theirs: Any


@dataclass
class Preview:
    """What applying an uploaded workbook would do to the submission at ``version``."""

    sha256: str
    meta: WorkbookMeta
    version: int
    changes: list[Change] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    confirmed: int = 0  # carried-over answers that saving the workbook's sections confirms
    updates: dict[Section, dict[str, Any]] = field(default_factory=dict)


# --- download --------------------------------------------------------------------

def chosen_sections(submission: Submission, keys: list[str], user: User) -> list[Section]:
    """The sections asked for (all the user sees when none), in questionnaire order;
    an unknown key, or one a contributor was not assigned, is an error."""
    sections = service.sections_for_user(user, submission)
    if not keys:
        return sections
    known = {section.key for section in sections}
    unknown = sorted(set(keys) - known)
    if unknown:
        raise WorkbookError([_l("%(keys)s: not a section of this questionnaire.", keys=", ".join(unknown))])
    return [section for section in sections if section.key in keys]


def workbook_file(submission: Submission, sections: list[Section], user: User) -> tuple[bytes, str]:
    """The pre-filled workbook in the current language, and its file name.

    Only someone who may change the answers gets editable answer cells; anyone
    else who may see the country (a compiler, a viewer) gets a read-only copy.
    """
    cycle, country = submission.cycle, submission.country
    spec = service.spec_for(cycle)
    editable = service.can_edit(user, submission)
    meta = WorkbookMeta(cycle.label, country.iso3, spec.version, submission.version, current_language(), editable)
    cover = [
        (_l("Annual report questionnaire: offline workbook"), ""),
        (_l("Country"), country_name(country)),
        (_l("Reporting cycle"), cycle.label),
        (_l("Deadline"), format_date(cycle.deadline, "long")),
        (_l("Questionnaire version"), spec.version),
        (_l("Submission version"), f"{submission.version} ({SUBMISSION_STATE_LABELS.get(submission.state, submission.state)})"),
        (_l("Made on"), format_datetime(format="short")),
        ("", ""),
        (_l("How to fill it in"), _l(
            "One sheet per section. Type or choose each answer in the shaded answer column; "
            "drop-down lists and number rules show what each question accepts. "
            "Do not rename sheets or move rows. Then upload the workbook on the submission page: "
            "you will see every change before anything is saved.")
         if editable else _l("This is a read-only copy: it cannot be uploaded to change the answers.")),
    ]
    data = write_workbook(
        spec, sections, service.answers_of(submission), meta,
        secret=current_app.config["SECRET_KEY"], cover=cover,
        commitment_text=lambda item: _commitment_text(spec.commitments, item),
        right_to_left=text_direction() == "rtl",
    )
    return data, f"{cycle.label}-{country.iso3}-v{submission.version}.xlsx"


def _commitment_text(commitments: dict[str, Any], item: dict[str, Any]) -> str:
    """The commitments a question asks about: reference and full text (quoted in English, as on the page)."""
    parts = []
    for commitment_id in item.get("commitments", ()):
        record = commitments.get(commitment_id)
        if record:
            parts.append(f"{document_reference(commitment_id, record)}: {record['text']}")
    return "\n\n".join(parts)


def reference(spec_commitments: dict[str, Any], item: dict[str, Any]) -> str:
    """The citation of a question's first commitment, or an empty string."""
    for commitment_id in item.get("commitments", ()):
        if commitment_id in spec_commitments:
            return document_reference(commitment_id, spec_commitments[commitment_id])
    return ""


# --- upload ------------------------------------------------------------------------

def check_upload(data: bytes) -> None:
    """The bytes must be an .xlsx by their content, whatever the file is called."""
    if not data:
        raise WorkbookError([_l("The file is empty.")])
    limit = current_app.config["MAX_WORKBOOK_BYTES"]
    if len(data) > limit:
        raise WorkbookError([_l("The workbook is larger than %(size)d MB.", size=limit // (1024 * 1024))])
    kind = filetype.guess(data)
    if kind is None or kind.mime != MEDIA_TYPE:
        raise WorkbookError([_l("The file is not an Excel workbook (.xlsx): its content is %(kind)s.",
                                kind=kind.extension if kind else _l("not a known file type"))])


def preview_upload(submission: Submission, data: bytes, user: User) -> Preview:
    """Read, check and validate an uploaded workbook against the submission as it is now.

    Raises ``WorkbookError`` (what is wrong, where) or a ``WorkflowError``
    (who may not, or when); changes nothing.
    """
    service.require_editable(user, submission)
    check_upload(data)
    spec = service.spec_for(submission.cycle)
    languages = current_app.config["LANGUAGES"]
    content = read_workbook(
        data, spec.section, secret=current_app.config["SECRET_KEY"],
        in_language=lambda language: force_locale(babel_locale(language if language in languages else "en")),
    )
    _check_meta(submission, spec.version, content.meta)
    service.require_editable(user, submission, list(content.formdata))  # a contributor: only their sections
    typed = _validated(submission, content)
    return _merge(submission, content, typed, hashlib.sha256(data).hexdigest())


def _check_meta(submission: Submission, spec_version: str, meta: WorkbookMeta) -> None:
    cycle, country = submission.cycle, submission.country
    if meta.country != country.iso3 or meta.cycle != cycle.label:
        raise WorkbookError([_l(
            "This workbook is for %(country)s, reporting cycle %(cycle)s; this is the submission of %(here)s for %(here_cycle)s. Nothing was changed.",
            country=meta.country, cycle=meta.cycle, here=country.iso3, here_cycle=cycle.label,
        )])
    if meta.spec_version != spec_version:
        raise WorkbookError([_l(
            "This workbook was made for version %(theirs)s of the questionnaire; this cycle uses version %(ours)s. Download a new workbook.",
            theirs=meta.spec_version, ours=spec_version,
        )])
    if meta.submission_version > submission.version:
        raise WorkbookError([_l("This workbook claims a newer version of the submission than the one stored. Download a new workbook.")])


def _validated(submission: Submission, content: WorkbookContent) -> dict[Section, dict[str, Any]]:
    """Each sheet's answers through its section's own form, exactly as the page validates a post."""
    spec = service.spec_for(submission.cycle)
    allowed = set(service.sections_for(submission))
    typed: dict[Section, dict[str, Any]] = {}
    errors: list[Any] = []
    for section_key, formdata in content.formdata.items():
        section = spec.section(section_key)
        if section not in allowed:
            errors.append(_l("Sheet for section “%(section)s”: this section is not asked of this country.", section=translate_spec_text(section.title)))
            continue
        form_class = section_form_class(spec, section)
        form = form_class.from_formdata(formdata, content.meta.submission_version)
        if form.validate():
            typed[section] = form.answers()
            continue
        for key, messages in form.errors.items():
            item = form_class.items.get(key)
            label = translate_spec_text(item["label"]) if item else key
            for message in messages:
                errors.append(_l("%(place)s — %(question)s: %(message)s", place=content.places.get(key, key), question=label, message=message))
    if errors:
        raise WorkbookError(errors)
    return typed


def _merge(submission: Submission, content: WorkbookContent, typed: dict[Section, dict[str, Any]], sha256: str) -> Preview:
    current = service.answers_of(submission)
    carried = service.carried_keys(submission)
    stale = content.meta.submission_version != submission.version
    preview = Preview(sha256=sha256, meta=content.meta, version=submission.version)
    finals: dict[Section, dict[str, Any]] = {}
    for section, values in typed.items():
        final: dict[str, Any] = {}
        for key, new in values.items():
            theirs = current.get(key)
            base = content.originals.get(key) if stale else theirs
            if new == base or new == theirs:
                final[key] = theirs
            elif theirs == base:
                final[key] = new
            else:  # changed in the workbook and, differently, by someone else since it was made
                final[key] = theirs
                preview.conflicts.append(Conflict(section, section_item(section, key), content.places[key], new, theirs))
        finals[section] = final
    merged = dict(current)
    for final in finals.values():
        merged |= final
    for section, final in finals.items():
        stored = service.stored_values(section, final, merged)
        for item in section.items:
            key = item["key"]
            if stored[key] != current.get(key):
                preview.changes.append(Change(section, item, content.places[key], current.get(key), stored[key]))
            if key in carried and current.get(key) is not None:
                preview.confirmed += 1
        preview.updates[section] = final
    return preview


def section_item(section: Section, key: str) -> dict[str, Any]:
    return next(item for item in section.items if item["key"] == key)


def apply_preview(submission: Submission, preview: Preview, user: User) -> list[str]:
    """Save what the preview showed, in the caller's transaction; conflicting questions keep their stored value.

    The submission must still be at the version the preview was made against
    (``StaleSubmission`` otherwise: show a fresh preview).
    """
    changed = service.save_sections(submission, preview.updates, preview.version, user)
    audit.record(
        "workbook.applied", "submission", submission.id,
        country_id=submission.country_id, submission_id=submission.id, key=preview.sha256,
        new={"workbook_version": preview.meta.submission_version, "changed": changed,
             "conflicts": [conflict.item["key"] for conflict in preview.conflicts]},
    )
    return changed


# --- an upload kept between preview and confirmation --------------------------------

def keep_upload(data: bytes) -> str:
    """Keep the uploaded bytes in the document store until confirmed (content-addressed)."""
    sha256 = hashlib.sha256(data).hexdigest()
    store().put("workbooks", sha256, data)
    return sha256


def kept_upload(sha256: str) -> bytes:
    try:
        data = store().get("workbooks", sha256)
    except ValueError:
        data = None
    if data is None:
        raise WorkbookError([_l("The uploaded workbook is no longer available. Please upload it again.")])
    return data


def forget_upload(sha256: str) -> None:
    store().delete("workbooks", sha256)

"""Small web forms of the workflow (the questionnaire's own forms come from ``forms/``)."""
from flask_babel import lazy_gettext as _l
from babel import Locale
from wtforms.fields.choices import SelectChoice
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp, ValidationError

from reporting.config import LANGUAGES
from reporting.core.inputs import BoundaryForm
from reporting.responses.cycles import LABEL_PATTERN

MAX_COMMENT = 4000


def _cycle_label(_form, field):
    if not LABEL_PATTERN.fullmatch(field.data or ""):
        raise ValidationError(_l("Use letters, digits, '.', '_' or '-'."))


class CycleForm(BoundaryForm):
    label = StringField(_l("Label"), validators=[DataRequired(), Length(max=32), _cycle_label])
    spec_version = SelectField(_l("Questionnaire version"), validators=[DataRequired()])
    deadline = DateField(_l("Deadline"), validators=[DataRequired()])


class CsrfForm(BoundaryForm):
    """A button-only form: nothing to fill in, but still protected against CSRF."""


class VersionForm(CsrfForm):
    """Any action on a submission states the version it was shown, for optimistic locking."""

    base_version = HiddenField(validators=[InputRequired()])


class SubmitForm(VersionForm):
    """Submit to UNODC, saying whether the country's own words and documents may be published."""

    may_publish = BooleanField(_l("The descriptions of measures and the documents of this submission may be published"))


class InviteForm(BoundaryForm):
    """A focal point invites a contributor; the sections come as a list of checkboxes."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])
    language = SelectField(
        _l("Language of the invitation"),
        choices=[SelectChoice(code, Locale.parse(code).get_display_name(code)) for code in LANGUAGES], default="en",
    )


class WorkbookUploadForm(BoundaryForm):
    workbook = FileField(_l("Filled-in workbook (.xlsx)"), validators=[FileRequired(_l("Choose the workbook file to upload."))])


class WorkbookConfirmForm(BoundaryForm):
    """Apply the upload kept under ``upload`` (its SHA-256), as previewed against ``preview_version``."""

    upload = HiddenField(validators=[InputRequired(), Regexp(r"\A[0-9a-f]{64}\Z")])
    preview_version = HiddenField(validators=[InputRequired(), Regexp(r"\A[0-9]{1,9}\Z")])


def review_form_class(section_keys: list[str]) -> type[VersionForm]:
    """Accept or return: one comment field per section, refused (not cut) beyond the limit."""
    fields = {
        f"comment-{key}": TextAreaField(validators=[
            Optional(), Length(max=MAX_COMMENT, message=_l("At most %(max)d characters.", max=MAX_COMMENT)),
        ])
        for key in section_keys
    }
    return type("ReviewForm", (VersionForm,), fields)

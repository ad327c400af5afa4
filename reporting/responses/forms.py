"""Small web forms of the workflow (the questionnaire's own forms come from ``forms/``)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from babel import Locale
from wtforms.fields.choices import SelectChoice
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, EmailField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from reporting.config import LANGUAGES

from reporting.responses.cycles import LABEL_PATTERN


class CycleForm(FlaskForm):
    label = StringField(
        _l("Label"),
        validators=[DataRequired(), Length(max=32), Regexp(LABEL_PATTERN, message=_l("Use letters, digits, '.', '_' or '-'."))],
    )
    spec_version = SelectField(_l("Questionnaire version"), validators=[DataRequired()])
    deadline = DateField(_l("Deadline"), validators=[DataRequired()])


class CsrfForm(FlaskForm):
    """A button-only form: nothing to fill in, but still protected against CSRF."""


class VersionForm(CsrfForm):
    """Any action on a submission states the version it was shown, for optimistic locking."""

    base_version = HiddenField(validators=[InputRequired()])


class InviteForm(FlaskForm):
    """A focal point invites a contributor; the sections come as a list of checkboxes."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])
    language = SelectField(
        _l("Language of the invitation"),
        choices=[SelectChoice(code, Locale.parse(code).get_display_name(code)) for code in LANGUAGES], default="en",
    )


class WorkbookUploadForm(FlaskForm):
    workbook = FileField(_l("Filled-in workbook (.xlsx)"), validators=[FileRequired(_l("Choose the workbook file to upload."))])


class WorkbookConfirmForm(FlaskForm):
    """Apply the upload kept under ``upload`` (its SHA-256), as previewed against ``preview_version``."""

    upload = HiddenField(validators=[InputRequired(), Regexp(r"^[0-9a-f]{64}$")])
    preview_version = HiddenField(validators=[InputRequired(), Regexp(r"^[0-9]+$")])

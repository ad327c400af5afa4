"""The upload form of an evidence document."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from reporting.core.inputs import BoundaryForm


class DocumentForm(BoundaryForm):
    item_key = StringField(_l("Question"), validators=[DataRequired(), Length(max=160)])
    document = FileField(_l("Document (PDF, DOCX, XLSX, ODT, PNG or JPEG, at most 20 MB)"), validators=[FileRequired(_l("Choose a file to upload."))])

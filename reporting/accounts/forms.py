from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from reporting.core.inputs import BoundaryForm


class LoginForm(BoundaryForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    next = HiddenField()


class ForgotPasswordForm(BoundaryForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])


class SetPasswordForm(BoundaryForm):
    """The page behind a one-time link; the rules themselves are ``check_password_strength``'s."""

    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(max=256)],
        description=_l("At least 12 characters; not your e-mail address."),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords are not the same."))],
    )


class UserCreateForm(SetPasswordForm):
    """An admin creates an account: the same checks as ``flask users create`` (``create_user``)."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])
    role = SelectField(_l("Role"), validators=[DataRequired()])  # choices, with translated labels, set by the view
    country = StringField(
        _l("Country (ISO3 code)"), validators=[Optional(), Length(max=3)],
        description=_l("Three letters, e.g. FRA; only for a focal point, contributor or viewer."),
    )

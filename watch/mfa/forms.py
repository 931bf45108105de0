from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from watch.validators import PASSWORD_MAX


def code_field(label, description) -> StringField:
    return StringField(
        label,
        validators=[DataRequired(_l("Enter the code.")), Length(max=20, message=_l("At most 20 characters."))],
        description=description,
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "off",
                   "spellcheck": "false"},
    )


class VerifyCodeForm(FlaskForm):
    code = code_field(
        _l("Code"), _l("The six digits your authenticator app shows now, or one of your recovery codes.")
    )
    submit = SubmitField(_l("Log in"))


class EnrolForm(FlaskForm):
    code = code_field(_l("Code from the app"), _l("The six digits the app shows after you added the account."))
    submit = SubmitField(_l("Turn on two-factor login"))


class PasswordConfirmForm(FlaskForm):
    """A sensitive change to two-factor login, confirmed with the current password."""

    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(_l("Enter your current password.")), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField()

    def __init__(self, submit_label, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.submit.label.text = submit_label

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField
from wtforms.validators import DataRequired

from watch.auth.forms import current_password_field


class DeleteAccountForm(FlaskForm):
    password = current_password_field(_l("Your password"), _l("Enter your password to confirm."))
    confirm = BooleanField(
        _l("I understand that my account and my data are deleted and cannot be restored."),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )
    submit = SubmitField(_l("Delete my account"))

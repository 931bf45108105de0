from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from watch.inbox.services import STATE_LABELS
from watch.messaging.sms_encoding import count as count_sms

BODY_MAX = 918  # six GSM-7 parts, as for alerts


def _normalise_newlines(text):
    return text.replace("\r\n", "\n").strip() if isinstance(text, str) else text


class AnswerForm(FlaskForm):
    body = TextAreaField(
        _l("Your answer"),
        description=_l("One SMS to the sender, from the portal's number. Sign it with your name and role."),
        filters=[_normalise_newlines],
        validators=[DataRequired(_l("Write the answer.")),
                    Length(max=BODY_MAX, message=_l("At most %(max)d characters.", max=BODY_MAX))],
        render_kw={"rows": 4, "maxlength": BODY_MAX},
    )

    def validate_body(self, field):
        limit = current_app.config["SMS_MAX_SEGMENTS"]
        if field.data and count_sms(field.data).segments > limit:
            raise ValidationError(_l("The message is too long: at most %(limit)d SMS parts.", limit=limit))


class InboxFilterForm(FlaskForm):
    class Meta:
        csrf = False

    state = SelectField(_l("Show"), validate_choice=False, validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.state.choices = [SelectChoice("", _l("All")),
                              *(SelectChoice(value, label) for value, label in STATE_LABELS.items())]

    @property
    def chosen_state(self) -> str | None:
        return self.state.data if self.state.data in STATE_LABELS else None


class ButtonForm(FlaskForm):
    """A form whose only input is the button pressed: it carries and checks the CSRF token."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from watch.messaging.inbound import MAX_BODY

# Not anyone's number (Post- och telestyrelsen keeps 070-1740605 to 070-1740699 for fiction): an unknown sender.
UNKNOWN_DEMO_NUMBER = "+46701740605"


class SimulatedSmsForm(FlaskForm):
    """Development only: an SMS as if a phone had sent it to the portal's number."""

    phone = SelectField(_l("From"), validators=[DataRequired(_l("Choose who sends it."))])
    body = TextAreaField(_l("Text"), validators=[DataRequired(_l("Write the SMS.")),
                                                 Length(max=MAX_BODY, message=_l("At most 1,600 characters."))])
    submit = SubmitField(_l("Receive this SMS"))

    def __init__(self, senders: list[tuple[str, str]], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.phone.choices = [*senders, (UNKNOWN_DEMO_NUMBER, _l("An unknown number"))]

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SubmitField
from wtforms.validators import InputRequired, Length


class PushOnForm(FlaskForm):
    """What the browser's PushSubscription holds, posted by static/js/push.js; checked in messaging.push."""

    endpoint = HiddenField(validators=[InputRequired()])
    p256dh = HiddenField(validators=[InputRequired()])
    auth = HiddenField(validators=[InputRequired()])


class PushOffForm(FlaskForm):
    endpoint = HiddenField(validators=[InputRequired(), Length(max=1000)])
    submit = SubmitField(_l("Turn off push"))


class PushInsteadForm(FlaskForm):
    push_instead_of_sms = BooleanField(
        _l("Send warnings by push instead of SMS"),
        description=_l("While a device of yours has push turned on, warnings reach you there and no SMS is sent, "
                       "which costs the municipality nothing."))
    submit = SubmitField(_l("Save"))

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Email, InputRequired, Length

from watch.auth.forms import LANGUAGE_CHOICES, new_password_field
from watch.core.validators import SingleLine
from watch.models import PartnerKind
from watch.partners.services import INVITATION_DAYS, KIND_LABELS


class OrganisationForm(FlaskForm):
    name = StringField(
        _l("Name of the organisation"),
        validators=[SingleLine(), DataRequired(_l("Enter the organisation's name.")),
                    Length(max=120, message=_l("At most %(max)d characters.", max=120))],
        description=_l("For example Oxelösundshem or Ramdalsskolan."),
        render_kw={"autocomplete": "organization"},
    )
    kind = RadioField(
        _l("Kind of organisation"),
        choices=[SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
        validate_choice=False,
        validators=[InputRequired(_l("Choose the kind of organisation.")),
                    AnyOf([k.value for k in PartnerKind], message=_l("Choose the kind of organisation."))],
    )
    submit = SubmitField(_l("Add organisation"))


class InviteForm(FlaskForm):
    name = StringField(
        _l("The reporter's name"),
        validators=[SingleLine(), DataRequired(_l("Enter the reporter's name.")),
                    Length(max=100, message=_l("At most 100 characters."))],
        render_kw={"autocomplete": "off"},
    )
    email = EmailField(
        _l("The reporter's work email"),
        validators=[SingleLine(), DataRequired(_l("Enter the reporter's email address.")),
                    Email(_l("Enter an email address like namn@exempel.se."), check_deliverability=False),
                    Length(max=254, message=_l("At most 254 characters."))],
        description=_l("The invitation link goes here. It works for %(days)d days.", days=INVITATION_DAYS),
        render_kw={"autocomplete": "off"},
    )
    locale = SelectField(_l("Language of the invitation"), choices=LANGUAGE_CHOICES, validate_choice=False,
                         validators=[AnyOf([c.value for c in LANGUAGE_CHOICES], message=_l("Choose a language."))])
    submit = SubmitField(_l("Send invitation"))


class AcceptInvitationForm(FlaskForm):
    password = new_password_field(_l("Choose a password"))
    submit = SubmitField(_l("Create my account"))


class SuspendForm(FlaskForm):
    """Suspend or resume: the value comes from the button pressed."""

    suspend = StringField(validators=[SingleLine(), AnyOf(["1", "0"])])


from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField, SubmitField, TelField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length

from watch.core.languages import LANGUAGE_NAMES
from watch.core.validators import PASSWORD_MAX, PhoneNumber, SingleLine, StrongPassword

LANGUAGE_CHOICES = [SelectChoice(code, name, {"lang": code}) for code, name in LANGUAGE_NAMES.items()]


def name_field() -> StringField:
    return StringField(
        _l("Name"),
        validators=[SingleLine(), DataRequired(_l("Enter your name.")),
                    Length(max=100, message=_l("At most 100 characters."))],
        render_kw={"autocomplete": "name"},
    )


def phone_field() -> TelField:
    return TelField(
        _l("Mobile number (optional)"),
        validators=[SingleLine(), PhoneNumber()],
        description=_l("Used for SMS warnings once you have verified it. Swedish numbers only."),
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )


def language_field() -> SelectField:
    return SelectField(_l("Language"), choices=LANGUAGE_CHOICES, validators=[InputRequired()])


def email_field() -> EmailField:
    return EmailField(
        _l("Email"), validators=[SingleLine(), DataRequired(_l("Enter your email address.")), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )


def current_password_field(label=_l("Current password"),
                           required_message=_l("Enter your current password.")) -> PasswordField:
    """The password the person has now: to log in, or to confirm a change."""
    return PasswordField(
        label,
        validators=[DataRequired(required_message), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )


def new_password_field(label=_l("New password")) -> PasswordField:
    return PasswordField(
        label,
        validators=[StrongPassword()],
        description=_l("At least 8 characters. A few words in a row are easy to remember and hard to guess."),
        render_kw={"autocomplete": "new-password", "maxlength": PASSWORD_MAX},
    )


class RegistrationForm(FlaskForm):
    name = name_field()
    email = EmailField(
        _l("Email"),
        validators=[
            SingleLine(),
            DataRequired(_l("Enter your email address.")),
            Email(_l("Enter an email address like namn@exempel.se."), check_deliverability=False),
            Length(max=254, message=_l("At most 254 characters.")),
        ],
        render_kw={"autocomplete": "email"},
    )
    password = new_password_field(_l("Password"))
    municipality = SelectField(_l("Municipality"), coerce=int, validate_choice=True)
    locale = language_field()
    phone = phone_field()
    submit = SubmitField(_l("Create account"))

    def __init__(self, municipalities, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality.choices = [SelectChoice(m.id, m.name) for m in municipalities]
        self.municipality.validators = [InputRequired(_l("Choose your municipality."))]


class ConfirmRegistrationForm(FlaskForm):
    submit = SubmitField(_l("Create my account"))


class LoginForm(FlaskForm):
    email = email_field()
    password = current_password_field(_l("Password"), _l("Enter your password."))
    submit = SubmitField(_l("Log in"))


class ProfileForm(FlaskForm):
    name = name_field()
    phone = phone_field()
    locale = language_field()
    submit = SubmitField(_l("Save"))


class PasswordChangeForm(FlaskForm):
    current_password = current_password_field()
    new_password = new_password_field()
    submit = SubmitField(_l("Change password"))


class ForgotPasswordForm(FlaskForm):
    email = email_field()
    submit = SubmitField(_l("Send reset link"))


class ResetPasswordForm(FlaskForm):
    new_password = new_password_field()
    submit = SubmitField(_l("Save new password"))


class LogOutEverywhereForm(FlaskForm):
    submit = SubmitField(_l("Log out everywhere"))


class EndSessionForm(FlaskForm):
    """One of the person's other logins, named by its key (a hash: no token leaves the server)."""
    session = HiddenField(validators=[DataRequired(), Length(max=64)])


# -- second factor -------------------------------------------------------------------------------
def code_field(label, description) -> StringField:
    return StringField(
        label,
        validators=[SingleLine(), DataRequired(_l("Enter the code.")),
                    Length(max=20, message=_l("At most 20 characters."))],
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

    password = current_password_field(_l("Your password"))
    submit = SubmitField()

    def __init__(self, submit_label, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.submit.label.text = submit_label

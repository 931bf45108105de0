from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, RadioField, SelectField, SelectMultipleField, StringField, SubmitField, TelField, TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from watch.alerts.services import VALIDITY_HOURS, VERSION_LANGUAGES, Targeting
from watch.core.languages import LANGUAGE_NAMES, text_direction
from watch.core.postcodes import PostcodeError, read_postcodes
from watch.groups import labels
from watch.models import AlertAudience, AlertChannel, AlertTarget, GroupKind
from watch.messaging.sms_encoding import count as count_sms
from watch.core.validators import PhoneNumber, PlainText, SingleLine

BODY_MAX = 918  # six GSM-7 segments
TARGETING_FIELDS = ("municipality", "target", "kind", "groups", "postcodes", "audience")


def _normalise_newlines(text):
    return text.replace("\r\n", "\n").strip() if isinstance(text, str) else text


def within_sms_parts(form, field) -> None:
    """No more SMS parts than SMS_MAX_SEGMENTS (UCS-2 text, such as Arabic, holds 70 characters a part)."""
    limit = current_app.config["SMS_MAX_SEGMENTS"]
    if field.data and count_sms(field.data).segments > limit:
        raise ValidationError(_l("The message is too long: at most %(limit)d SMS parts.", limit=limit))


def version_field_name(language: str) -> str:
    return f"version_{language}"


def required_radio(label, options, required_message, default=None) -> RadioField:
    """Radio buttons for a StrEnum: one must be chosen, and a tampered value gets a clear message."""
    return RadioField(
        label,
        choices=[SelectChoice(value.value, text) for value, text in options],
        default=default.value if default else None,
        validators=[DataRequired(required_message)],
        invalid_choice_message=_l("Choose one of the options listed."),
    )


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ComposeForm(FlaskForm):
    municipality = SelectField(_l("Municipality"), coerce=int,
                               invalid_choice_message=_l("Choose one of the municipalities listed."))
    target = required_radio(
        _l("Who should get the alert?"),
        [(AlertTarget.MUNICIPALITY, _l("Every approved group in the municipality")),
         (AlertTarget.KIND, _l("One kind of group")),
         (AlertTarget.GROUPS, _l("Chosen groups")),
         (AlertTarget.POSTCODES, _l("Groups in chosen postcodes"))],
        _l("Choose who should get the alert."), default=AlertTarget.MUNICIPALITY,
    )
    kind = RadioField(
        _l("Kind of group"),
        choices=[SelectChoice(k.value, name) for k, name in labels.KIND.items()],
        validate_choice=False,
    )
    groups = CheckboxListField(
        _l("Groups"), coerce=int, invalid_choice_message=_l("Choose among the groups listed.")
    )
    postcodes = StringField(
        _l("Postcodes"),
        validators=[SingleLine()],
        description=_l("Five digits each, separated by commas, for example 613 31, 613 32."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    audience = required_radio(
        _l("Send to"),
        [(AlertAudience.CONTACTS, _l("Contact persons (usual)")),
         (AlertAudience.MEMBERS, _l("Contact persons and the members who asked for alerts"))],
        _l("Choose who should get the alert."), default=AlertAudience.CONTACTS,
    )
    body = TextAreaField(
        _l("Message"),
        description=_l("Write as you would in an SMS. Say what happened, where, and what people should do."),
        filters=[_normalise_newlines],
        validators=[
            DataRequired(_l("Write the message.")),
            PlainText(),
            Length(max=BODY_MAX, message=_l("At most %(max)d characters.", max=BODY_MAX)),
            within_sms_parts,
        ],
        render_kw={"rows": 6, "maxlength": BODY_MAX},
    )
    validity = SelectField(
        _l("Try to deliver for"),
        coerce=int,
        choices=[SelectChoice(h, _l("%(hours)d hours", hours=h) if h > 1 else _l("1 hour")) for h in VALIDITY_HOURS],
        default=4,
        invalid_choice_message=_l("Choose one of the times listed."),
        description=_l("A phone that is off longer than this does not get the message."),
    )

    def __init__(self, municipalities, groups, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality.choices = [SelectChoice(m.id, m.name) for m in municipalities]
        self.offer_groups(groups)

    def offer_groups(self, groups) -> None:
        """The groups to choose among (and to validate the choice against)."""
        self._group_municipality = {g.id: g.municipality_id for g in groups}
        self.groups.choices = [SelectChoice(g.id, g.name) for g in groups]

    def validate_kind(self, field):
        if self.target.data == AlertTarget.KIND and field.data not in set(GroupKind):
            raise ValidationError(_l("Choose Grannsamverkan or Båtsamverkan."))

    def validate_groups(self, field):
        if self.target.data != AlertTarget.GROUPS:
            return
        if not field.data:
            raise ValidationError(_l("Choose at least one group."))
        if any(self._group_municipality.get(g) != self.municipality.data for g in field.data):
            raise ValidationError(_l("Choose groups in the municipality you send to."))

    def validate_postcodes(self, field):
        if self.target.data != AlertTarget.POSTCODES:
            return
        try:
            codes = read_postcodes(field.data)
        except PostcodeError as error:
            raise ValidationError(_l("%(code)s is not a postcode. Write five digits, for example 613 31.",
                                     code=error.value)) from None
        if not codes:
            raise ValidationError(_l("Write at least one postcode."))

    def version_fields(self) -> dict:
        """The fields for the alert in other languages by language code, in the order of the language list."""
        return {code: self[version_field_name(code)] for code in VERSION_LANGUAGES}

    def versions(self) -> dict[str, str]:
        """The versions written (language code → text), as typed so far: validate() first before storing them."""
        return {code: field.data for code, field in self.version_fields().items() if field.data}

    def targeting_if_valid(self) -> Targeting | None:
        """The targeting when its own fields are valid, though the message may be half-written.

        Field errors are left as they were: this runs for the live summary, not to report errors.
        """
        saved = {name: self[name].errors for name in TARGETING_FIELDS}
        valid = True
        for name in TARGETING_FIELDS:
            inline = getattr(type(self), f"validate_{name}", None)
            valid = self[name].validate(self, [inline] if inline else []) and valid
        for name, errors in saved.items():
            self[name].errors = errors
        return self.targeting() if valid else None

    def targeting(self) -> Targeting:
        """The targeting as entered; call after validate()."""
        target = AlertTarget(self.target.data)
        return Targeting(
            municipality_id=self.municipality.data,
            target=target,
            audience=AlertAudience(self.audience.data),
            kind=GroupKind(self.kind.data) if target == AlertTarget.KIND else None,
            group_ids=list(self.groups.data or []) if target == AlertTarget.GROUPS else [],
            postcodes=read_postcodes(self.postcodes.data) if target == AlertTarget.POSTCODES else [],
        )


def _add_version_fields(form_class) -> None:
    """One optional field per language besides Swedish, for the alert's version in it."""
    for language in VERSION_LANGUAGES:
        setattr(form_class, version_field_name(language), TextAreaField(
            _l("The alert in %(language)s", language=LANGUAGE_NAMES[language]),
            filters=[_normalise_newlines],
            validators=[Optional(), PlainText(),
                        Length(max=BODY_MAX, message=_l("At most %(max)d characters.", max=BODY_MAX)),
                        within_sms_parts],
            render_kw={"rows": 6, "maxlength": BODY_MAX, "lang": language, "dir": text_direction(language)},
        ))


_add_version_fields(ComposeForm)


class SendCodeForm(FlaskForm):
    phone = TelField(
        _l("Mobile number"),
        validators=[SingleLine(), DataRequired(_l("Enter your mobile number.")), PhoneNumber()],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )
    send = SubmitField(_l("Send code"))


class ConfirmCodeForm(FlaskForm):
    code = StringField(
        _l("Code from the SMS"),
        validators=[SingleLine(), DataRequired(_l("Enter the code from the SMS.")),
                    Regexp(r"^\s*\d{6}\s*$", message=_l("The code is six digits."))],
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": 6},
    )
    confirm = SubmitField(_l("Verify"))


class PreferencesForm(FlaskForm):
    channel = required_radio(
        _l("How do you want to get alerts?"),
        [(AlertChannel.SMS, _l("By SMS")), (AlertChannel.EMAIL, _l("By email")),
         (AlertChannel.NONE, _l("Only here in the portal"))],
        _l("Choose how you want to get alerts."),
    )
    member_alerts = BooleanField(
        _l("Send me alerts also as a member, not only when I am a contact person"),
    )
    save = SubmitField(_l("Save"))

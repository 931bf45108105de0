from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired, InputRequired, Length, NumberRange, Optional, StopValidation, ValidationError,
)

from watch.groups import labels
from watch.core.postcodes import PostcodeError, format_postcode, parse_postcodes
from watch.core.validators import SingleLine
from watch.models import DEFAULT_WATCH_WEEKS, BoatSiteType

# Roughly Sweden, so a swapped latitude and longitude is caught.
LATITUDE_RANGE, LONGITUDE_RANGE = (55.0, 69.1), (10.5, 24.2)


class WholeNumberField(IntegerField):
    """An integer input whose parse error is our own translated sentence."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Write a whole number, like 12.")) from None

    def pre_validate(self, form) -> None:
        if self.process_errors:
            raise StopValidation()  # one message is enough: not "not a number" and "too small" both


class Postcodes:
    """Parses the field's text into `field.postcodes`; the text itself stays as typed."""

    def __call__(self, form, field) -> None:
        try:
            field.postcodes = parse_postcodes(field.data)
        except PostcodeError as error:
            raise ValidationError(error.message) from None


class Coordinate:
    """A decimal degree, with a comma or a point, inside Sweden; empty is allowed."""

    def __init__(self, bounds: tuple[float, float], message):
        self.bounds, self.message = bounds, message

    def __call__(self, form, field) -> None:
        field.number = None
        text = (field.data or "").strip().replace(",", ".")
        if not text:
            return
        try:
            number = float(text)
        except ValueError:
            raise ValidationError(self.message) from None
        if not self.bounds[0] <= number <= self.bounds[1]:
            raise ValidationError(self.message)
        field.number = round(number, 6)


def _name_field(label) -> StringField:
    return StringField(label, validators=[SingleLine(), DataRequired(_l("Enter a name for the group.")),
                                          Length(max=120, message=_l("At most 120 characters."))])


def _count_field(label, missing, too_few) -> WholeNumberField:
    return WholeNumberField(label, validators=[InputRequired(missing), NumberRange(min=1, max=10000, message=too_few)],
                            render_kw={"inputmode": "numeric", "min": 1})


def _week_field(label, default: int, description: str = "") -> WholeNumberField:
    return WholeNumberField(label, default=default, description=description, validators=[
        InputRequired(_l("Enter a week number from 1 to 53.")),
        NumberRange(min=1, max=53, message=_l("Enter a week number from 1 to 53."))],
        render_kw={"inputmode": "numeric", "min": 1, "max": 53})


class GroupDetailsForm(FlaskForm):
    """What both kinds share. `layout` lists a kind's fields in the order pages show them (the map point follows)."""

    layout: tuple[str, ...] = ()
    area_description = TextAreaField(
        _l("Description of the area (optional)"),
        validators=[Optional(), Length(max=2000, message=_l("At most 2,000 characters."))],
        description=_l("Shown in the public list of groups. No names or phone numbers here."),
    )
    postcodes = StringField(
        _l("Postcodes"), validators=[SingleLine(), Postcodes()],
        description=_l("Five digits each, separated by commas, like 613 31, 613 32."),
        render_kw={"inputmode": "numeric", "autocomplete": "postal-code"},
    )
    latitude = StringField(
        _l("Latitude (optional)"),
        validators=[SingleLine(), Coordinate(LATITUDE_RANGE, _l("Enter a latitude in Sweden, like 58.6712."))],
        render_kw={"inputmode": "decimal"},
    )
    longitude = StringField(
        _l("Longitude (optional)"),
        validators=[SingleLine(), Coordinate(LONGITUDE_RANGE, _l("Enter a longitude in Sweden, like 17.1003."))],
        render_kw={"inputmode": "decimal"},
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and (self.latitude.number is None) != (self.longitude.number is None):
            (self.longitude if self.longitude.number is None else self.latitude).errors.append(
                _l("Enter both latitude and longitude, or neither."))
            valid = False
        return valid

    def details(self) -> dict:
        """The validated values, in the shape `services.register_group` and `update_group` take."""
        values = {name: self[name].data.strip() if isinstance(self[name].data, str) else self[name].data
                  for name in self.layout}
        values.update(postcodes=self.postcodes.postcodes, latitude=self.latitude.number,
                      longitude=self.longitude.number, area_description=(self.area_description.data or "").strip())
        return values

    def fill_from(self, group) -> None:
        """Show a stored group in the form the way a person would type it."""
        for name in self.layout:
            self[name].data = getattr(group, name)
        self.postcodes.data = ", ".join(map(format_postcode, group.postcode_list))
        self.latitude.data = "" if group.latitude is None else str(group.latitude)
        self.longitude.data = "" if group.longitude is None else str(group.longitude)


class NeighbourhoodForm(GroupDetailsForm):
    layout = ("name", "area_description", "streets", "postcodes", "households")
    name = _name_field(_l("Name of the area"))
    streets = TextAreaField(
        _l("Streets"), validators=[DataRequired(_l("Enter the streets the group covers.")),
                                   Length(max=2000, message=_l("At most 2,000 characters."))],
        description=_l("One street per line, with house numbers if only part of a street."),
    )
    households = _count_field(_l("Number of households"), _l("Enter how many households the group covers."),
                              _l("A group covers at least 1 household."))

    def details(self) -> dict:
        values = super().details()
        values["streets"] = "\n".join(line.strip() for line in self.streets.data.splitlines() if line.strip())
        return values


class BoatForm(GroupDetailsForm):
    layout = ("name", "site_type", "address", "postcodes", "berths", "watch_week_from", "watch_week_to",
              "area_description")
    name = _name_field(_l("Name of the club, marina or harbour"))
    site_type = SelectField(_l("Type"), coerce=BoatSiteType,
                            choices=[SelectChoice(value, label) for value, label in labels.SITE_TYPE.items()],
                            validators=[InputRequired(_l("Choose the type."))])
    address = StringField(_l("Address"), validators=[SingleLine(),
                                                     DataRequired(_l("Enter the address of the harbour.")),
                                                     Length(max=200, message=_l("At most 200 characters."))],
                          render_kw={"autocomplete": "street-address"})
    berths = _count_field(_l("Number of berths"), _l("Enter how many berths there are."),
                          _l("There is at least 1 berth."))
    watch_week_from = _week_field(_l("Night watch from week"), DEFAULT_WATCH_WEEKS[0])
    # A last week before the first is a season across the new year (winter storage: week 42 to week 17).
    watch_week_to = _week_field(_l("Night watch to week"), DEFAULT_WATCH_WEEKS[1],
                                _l("A season across the new year is fine, e.g. from week 42 to week 17."))


class RegistrationFields:
    """Added to the details when a resident registers a group."""

    show_phone = BooleanField(
        _l("Show my mobile number to the group's members"),
        description=_l("Only the group's members see it. You can change this later."),
    )
    # Sent by the button in the duplicate warning: the applicant has seen the similar groups.
    confirm_duplicate = BooleanField(_l("Register a new group anyway"))
    submit = SubmitField(_l("Send for approval"))


class RegisterNeighbourhoodForm(RegistrationFields, NeighbourhoodForm):
    pass


class RegisterBoatForm(RegistrationFields, BoatForm):
    pass


class EditNeighbourhoodForm(NeighbourhoodForm):
    submit = SubmitField(_l("Save changes"))


class EditBoatForm(BoatForm):
    submit = SubmitField(_l("Save changes"))


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class HouseholdForm(FlaskForm):
    address = StringField(_l("Address"), validators=[SingleLine(), DataRequired(_l("Enter the household's address.")),
                                                     Length(max=200, message=_l("At most 200 characters."))])
    takes_part = BooleanField(_l("Takes part in Grannsamverkan"), default=True)
    membership = SelectField(_l("Member in the portal (optional)"), coerce=_optional_int,
                             description=_l("Only for households that take part."))
    submit = SubmitField(_l("Save household"))

    def __init__(self, members, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.membership.choices = [SelectChoice("", _l("No one"))] + [SelectChoice(m.id, m.user.name) for m in members]

    def validate_membership(self, field) -> None:
        if field.data is not None and not self.takes_part.data:
            raise ValidationError(_l("A household that does not take part cannot be linked to a member."))

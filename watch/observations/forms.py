import re
from datetime import timezone

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields import DateTimeLocalField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length, Optional, Regexp, ValidationError

from watch.core.validators import SingleLine
from watch.core.weeks import local_zone, parse_iso_week
from watch.models import BOAT_CATEGORIES, GroupKind, NoticeChoice, ObservationCategory, ObservationStatus
from watch.observations import services
from watch.observations.photos import PhotoError, clean_photo

DESCRIPTION_MAX = 2000
NOTE_MAX = 500
CATEGORY_VALUES = [c.value for c in ObservationCategory]
CLIENT_ID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
BOAT_FIELDS = ("boat_name", "boat_registration", "engine_make", "engine_serial")
BOAT_CATEGORY_VALUES = " ".join(sorted(BOAT_CATEGORIES))


def _int_or_none(value):
    """Coerce a submitted id; anything tampered becomes None and fails the field's own check."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class LocalDateTimeField(DateTimeLocalField):
    """A datetime-local input read in Swedish time; `data` is an aware UTC datetime."""

    def process_formdata(self, valuelist):
        if valuelist and not "".join(valuelist).strip():
            self.data = None
            return
        super().process_formdata(valuelist)
        if self.data is not None:
            try:
                self.data = self.data.replace(tzinfo=local_zone()).astimezone(timezone.utc)
            except OverflowError:  # 0001-01-01 00:30 in Swedish time is before year 1 in UTC
                self.data = None
                raise ValueError(self.invalid_value_message) from None

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.astimezone(local_zone()).strftime(self.format[0]) if self.data else ""


class PhotoUpload:
    """A form's `photo` field, re-encoded on validation (watch.observations.photos) into `photo_jpeg`."""

    photo_jpeg: bytes | None = None

    def validate_photo(self, field):
        if not field.data or not getattr(field.data, "filename", ""):
            return
        try:
            self.photo_jpeg = clean_photo(field.data.stream)
        except PhotoError as error:
            raise ValidationError(error.message) from None


class ObservationForm(PhotoUpload, FlaskForm):
    group = SelectField(_l("Group"), coerce=_int_or_none, validate_choice=False)
    category = RadioField(
        _l("What did you see?"),
        choices=[SelectChoice(value, label) for value, label in services.CATEGORY_LABELS.items()],
        validate_choice=False,
        validators=[InputRequired(_l("Choose what you saw.")),
                    AnyOf(CATEGORY_VALUES, message=_l("Choose what you saw."))],
    )
    observed_at = LocalDateTimeField(
        _l("When"),
        format="%Y-%m-%dT%H:%M",
        invalid_value_message=_l("Enter a date and time like 2026-05-17 21:30."),
        validators=[InputRequired(_l("Enter when you saw it."))],
        description=_l("Now, or when it happened if it was earlier."),
    )
    location = StringField(
        _l("Where"),
        validators=[SingleLine(), Length(max=300, message=_l("At most %(max)d characters.", max=300))],
        description=_l("Street address or place, e.g. Västra vägen 12 or the jetty at Jogersö."),
        render_kw={"autocomplete": "off"},
    )
    latitude = HiddenField()
    longitude = HiddenField()
    # Made by the phone's script (static/js/offline-queue.js) so that a form sent again files nothing twice;
    # anything but a UUID is dropped, and the form then works as without script.
    client_id = HiddenField(filters=[lambda value: value.lower() if value and CLIENT_ID.fullmatch(value) else None])
    vehicle_registration = StringField(
        _l("Registration number"),
        validators=[SingleLine(), Optional(), Regexp(r"^[A-Za-zÅÄÖåäö0-9 \-]{2,10}$",
                                       message=_l("Letters and digits only, e.g. ABC 123."))],
        render_kw={"autocapitalize": "characters", "autocomplete": "off"},
    )
    vehicle_colour = StringField(_l("Colour"), validators=[
        SingleLine(), Length(max=40, message=_l("At most %(max)d characters.", max=40))])
    vehicle_make = StringField(_l("Make and model"),
                               validators=[SingleLine(),
                                           Length(max=60, message=_l("At most %(max)d characters.", max=60))])
    # About boats: asked of boat groups' members and for the boat categories (BOAT_CATEGORIES).
    boat_name = StringField(_l("Boat name"), validators=[
        SingleLine(), Length(max=60, message=_l("At most %(max)d characters.", max=60))])
    boat_registration = StringField(_l("Registration or sail number"), validators=[
        SingleLine(), Length(max=20, message=_l("At most %(max)d characters.", max=20))],
        render_kw={"autocapitalize": "characters", "autocomplete": "off"})
    engine_make = StringField(_l("Engine make and model"), validators=[
        SingleLine(), Length(max=60, message=_l("At most %(max)d characters.", max=60))])
    engine_serial = StringField(_l("Engine serial number"), validators=[
        SingleLine(), Length(max=64, message=_l("At most %(max)d characters.", max=64))],
        description=_l("If you could read it: the police compare it with engines reported stolen."),
        render_kw={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"})
    description = TextAreaField(
        _l("What happened?"),
        validators=[Length(max=DESCRIPTION_MAX, message=_l("At most %(max)d characters. Shorten the text a little.",
                                                          max=DESCRIPTION_MAX))],
        description=_l("Describe what you saw: people, clothes, direction. At most 2,000 characters."),
    )
    photo = FileField(
        _l("Photo (optional)"),
        description=_l("JPEG, PNG or WebP, at most 8 MB. The position and camera details are removed."),
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )
    submit = SubmitField(_l("Send observation"))

    def __init__(self, groups, *args, for_partner: bool = False, **kwargs):
        """A member chooses one of their groups; a partner reporter files for their organisation, with the
        public-place categories as well."""
        super().__init__(*args, **kwargs)
        self.groups = {g.id: g for g in groups}
        self.boat_member = any(g.kind == GroupKind.BOAT for g in groups)
        self.categories = list(ObservationCategory) if for_partner else list(services.RESIDENT_CATEGORIES)
        self.category.choices = [SelectChoice(c.value, services.CATEGORY_LABELS[c]) for c in self.categories]
        if for_partner:
            del self.group
        else:
            self.group.choices = [SelectChoice(g.id, g.name, {"data-area": g.area_description[:300]})
                                  for g in groups]
        self.coordinates: tuple[float, float] | None = None

    def validate_group(self, field):
        if field.data not in self.groups:
            raise ValidationError(_l("Choose one of your groups."))

    def validate_category(self, field):
        if field.data not in self.categories:
            raise ValidationError(_l("Choose what you saw."))

    def validate_observed_at(self, field):
        if field.data is None:  # spaces only: InputRequired saw a value, the field read none
            raise ValidationError(_l("Enter when you saw it."))
        if services.is_in_future(field.data):
            raise ValidationError(_l("The time is in the future. Enter when you saw it."))
        if services.is_too_old(field.data):
            raise ValidationError(_l("That is too long ago. Enter a time within the last %(days)d days.",
                                     days=current_app.config["OBSERVATION_RETENTION_DAYS"]))

    def validate_location(self, field):
        self.coordinates = self._coordinates()
        if self.coordinates is False:
            raise ValidationError(_l("Your phone's position could not be used. Write the place instead."))
        if not (field.data or "").strip() and self.coordinates is None:
            raise ValidationError(_l("Write where it was, or use your location."))

    def _coordinates(self):
        """(lat, lon) from the location button, None if not given, False if tampered or impossible."""
        raw = (self.latitude.data or "").strip(), (self.longitude.data or "").strip()
        if not any(raw):
            return None
        try:
            latitude, longitude = float(raw[0]), float(raw[1])
        except ValueError:
            return False
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            return False
        return round(latitude, 6), round(longitude, 6)


    @property
    def chosen_group(self):
        return self.groups[self.group.data] if "group" in self else None

    @property
    def asks_about_boats(self) -> bool:
        """Whether the boat questions start open: a boat group's member, a boat category, or answers given."""
        return (self.boat_member or self.category.data in BOAT_CATEGORIES
                or any(self[name].data or self[name].errors for name in BOAT_FIELDS))

    def boat_details(self) -> dict:
        return {name: self[name].data for name in BOAT_FIELDS}


class TriageForm(FlaskForm):
    status = StringField(validators=[SingleLine()])  # never rendered as an input: the value comes from the button
    # Shown for a report by SMS, which comes without a category: empty means "leave it as it is".
    category = SelectField(
        _l("Category"), validate_choice=False, validators=[Optional()],
        choices=[SelectChoice("", services.UNCATEGORISED_LABEL),
                 *(SelectChoice(value, label) for value, label in services.CATEGORY_LABELS.items())],
        description=_l("Choose what the SMS reports, for the lägesbild."),
    )
    note = TextAreaField(
        _l("Note to the reporter (optional)"),
        validators=[Length(max=NOTE_MAX, message=_l("At most %(max)d characters.", max=NOTE_MAX))],
        description=_l("The person who filed the observation reads this. Do not write names of suspects."),
    )

    def validate_status(self, field):
        if field.data not in [s.value for s in ObservationStatus]:
            raise ValidationError(_l("Choose what to do with the observation."))

    def validate_category(self, field):
        if field.data and field.data not in CATEGORY_VALUES:
            raise ValidationError(_l("Choose one of the categories listed."))

    @property
    def chosen_category(self) -> ObservationCategory | None:
        return ObservationCategory(self.category.data) if self.category.data else None


class InboxFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(_l("Status"), validate_choice=False, validators=[Optional()])
    category = SelectField(_l("Category"), validate_choice=False, validators=[Optional()])
    group = SelectField(_l("Group"), coerce=_int_or_none, validate_choice=False, validators=[Optional()])
    week = StringField(
        _l("Week"),
        validators=[SingleLine()],
        description=_l("For example 2026-W05."),
        render_kw={"type": "week"},
    )

    def __init__(self, groups, *args, **kwargs):
        super().__init__(*args, **kwargs)
        every = SelectChoice("", _l("All"))
        self.status.choices = [every, *(SelectChoice(v, label) for v, label in services.STATUS_LABELS.items())]
        self.category.choices = [every, *(SelectChoice(v, label) for v, label in services.CATEGORY_LABELS.items()),
                                 SelectChoice(services.UNCATEGORISED, services.UNCATEGORISED_LABEL)]
        self.group.choices = [every, *(SelectChoice(g.id, g.name) for g in groups)]
        self.group_ids = {g.id for g in groups}

    def validate_week(self, field):
        if field.data and parse_iso_week(field.data) is None:
            raise ValidationError(_l("Enter a week like 2026-W05."))

    def filters(self) -> dict:
        """Only values that passed validation narrow the list; a bad one is shown at its field and ignored."""
        statuses = {s.value for s in ObservationStatus}
        return {
            "status": self.status.data if self.status.data in statuses else None,
            "category": self.category.data if self.category.data in [*CATEGORY_VALUES, services.UNCATEGORISED]
            else None,
            "group_id": self.group.data if self.group.data in self.group_ids else None,
            "week": parse_iso_week(self.week.data or "") if not self.week.errors else None,
        }


NOTICE_CHOICES = {
    NoticeChoice.EACH: _l("A message for each one"),
    NoticeChoice.DAILY: _l("One summary every morning"),
    NoticeChoice.OFF: _l("No messages"),
}


class NoticeForm(FlaskForm):
    """A coordinator's choice: how to hear of new observations and new SMS in the inbox."""

    notices = RadioField(
        _l("How do you want to hear of new observations and SMS?"),
        choices=[SelectChoice(value, label) for value, label in NOTICE_CHOICES.items()],
        validate_choice=False,
        validators=[InputRequired(_l("Choose how you want to hear of them.")),
                    AnyOf([c.value for c in NoticeChoice], message=_l("Choose how you want to hear of them."))],
    )


class ButtonForm(FlaskForm):
    """A form whose only input is the button pressed: it carries and checks the CSRF token."""

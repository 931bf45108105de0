from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length, Regexp, ValidationError

from watch.boats import services
from watch.core.serials import normalise
from watch.core.validators import SingleLine
from watch.core.weeks import today
from watch.models import MarkingScheme
from watch.observations.forms import PhotoUpload

SERIAL_MAX = 64


def _text(label, size: int, description=None, **render_kw) -> StringField:
    return StringField(label, description=description, render_kw=render_kw or None, validators=[
        SingleLine(), Length(max=size, message=_l("At most %(max)d characters.", max=size))])


def _choice(label, labels: dict, message) -> SelectField:
    return SelectField(label, validate_choice=False, choices=[SelectChoice(v, text) for v, text in labels.items()],
                       validators=[InputRequired(message), AnyOf([str(v) for v in labels], message=message)])


class ItemForm(PhotoUpload, FlaskForm):
    kind = _choice(_l("What is it?"), services.KIND_LABELS, _l("Choose what it is."))
    group = SelectField(_l("Boat group"), validate_choice=False,
                        description=_l("The contact persons of the group see the make, model and place, "
                                       "never the serial number."))
    make = _text(_l("Make"), 60, _l("For example Yamaha, Mercury or Buster."))
    model = _text(_l("Model"), 60, _l("For example F40 or Magnum XL."))
    serial = _text(_l("Serial number"), SERIAL_MAX,
                   _l("As it is written on the engine's plate or the hull (CIN/HIN). Spaces and dashes do not "
                      "matter."), autocapitalize="characters", autocomplete="off", spellcheck="false")
    mark_scheme = _choice(_l("Marking"), services.SCHEME_LABELS, _l("Choose how it is marked."))
    mark = _text(_l("Mark id"), SERIAL_MAX, _l("The code of the DNA marking, micro dots or engraving."),
                 autocapitalize="characters", autocomplete="off", spellcheck="false")
    colour = _text(_l("Colour"), 40)
    boat_name = _text(_l("Boat name"), 60)
    registration = _text(_l("Registration or sail number"), 20, autocapitalize="characters", autocomplete="off")
    kept_at = _choice(_l("Where is it kept?"), services.KEPT_LABELS, _l("Choose where it is kept."))
    place = _text(_l("Berth or storage place"), 100, _l("For example jetty B, berth 14, or the club's boat shed."))
    photo = FileField(
        _l("Photo (optional)"),
        description=_l("JPEG, PNG or WebP, at most 8 MB. The position and camera details are removed."),
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )
    submit = SubmitField(_l("Save"))

    def __init__(self, groups, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = {str(g.id): g for g in groups}
        self.group.choices = [SelectChoice("", _l("No group")), *(SelectChoice(str(g.id), g.name) for g in groups)]

    def validate_group(self, field):
        if field.data and field.data not in self.groups:
            raise ValidationError(_l("Choose one of your boat groups."))

    def validate_serial(self, field):
        if (field.data or "").strip() and not normalise(field.data):
            raise ValidationError(_l("A serial number needs at least one letter or digit."))
        if not normalise(field.data) and not normalise(self.mark.data):
            raise ValidationError(_l("Enter the serial number or a mark id, so the police can find it."))

    def validate_mark(self, field):
        if (field.data or "").strip() and not normalise(field.data):
            raise ValidationError(_l("A mark id needs at least one letter or digit."))
        if normalise(field.data) and self.mark_scheme.data == MarkingScheme.NONE:
            raise ValidationError(_l("Choose how it is marked, or leave the mark id empty."))


    @property
    def chosen_group(self):
        return self.groups.get(self.group.data or "")

    def details(self) -> dict:
        return {name: self[name].data or "" for name in (
            "kind", "make", "model", "serial", "mark_scheme", "mark", "colour", "boat_name", "registration",
            "kept_at", "place")}

    def fill_from(self, item) -> None:
        for name in self.details():
            self[name].data = str(getattr(item, name))
        self.group.data = str(item.group_id or "")


class StolenForm(FlaskForm):
    stolen_on = DateField(_l("When was it stolen?"), validators=[InputRequired(_l("Enter the day it was stolen."))],
                          invalid_value_message=_l("Enter a date like 2026-11-20."),
                          description=_l("The day you noticed it was gone, if you do not know."))
    submit = SubmitField(_l("Report stolen"))

    def validate_stolen_on(self, field):
        if field.data is None:  # not a date: the field's own message says so
            return
        if field.data > today():
            raise ValidationError(_l("The day is in the future."))
        if field.data < date(1990, 1, 1):
            raise ValidationError(_l("Enter a day from 1990 on."))


REASON = dict(validators=[SingleLine(), InputRequired(_l("Write why you search, e.g. the case number.")),
                          Length(min=3, max=200, message=_l("Between %(min)d and %(max)d characters.", min=3,
                                                            max=200))])


class SearchForm(FlaskForm):
    query = StringField(_l("Serial number or mark"), validators=[
        SingleLine(), InputRequired(_l("Enter a serial number or mark.")),
        Length(max=100, message=_l("At most %(max)d characters.", max=100))],
        description=_l("As read off the item; spaces, dashes and O/0 or I/1 mix-ups do not matter."),
        render_kw={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"})
    reason = StringField(_l("Reason for the search"), description=_l("Case number or what was found, and where. "
                                                                     "Kept in the audit log."), **REASON)
    submit = SubmitField(_l("Search the register"))


class NotifyOwnerForm(FlaskForm):
    call = StringField(_l("Number the owner should call"), validators=[
        SingleLine(), InputRequired(_l("Enter the number the owner should call.")),
        Regexp(r"^\+?[0-9 \-]{5,20}$", message=_l("Digits only, e.g. 114 14 or 010-123 45 67."))],
        default="114 14", render_kw={"inputmode": "tel", "autocomplete": "off"})
    reason = StringField(_l("Reason"), **REASON)
    submit = SubmitField(_l("Tell the owner"))

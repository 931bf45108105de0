from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional, ValidationError

from watch.alerts.forms import CheckboxListField
from watch.core.postcodes import PostcodeError, read_postcodes
from watch.models import ActionStatus
from watch.observations.services import CATEGORY_LABELS

from watch.lagesbild.services import ACTION_STATUS_LABELS, MAX_PERIOD_WEEKS
from watch.core.validators import SingleLine
from watch.core.weeks import IsoWeek, Period

SUMMARY_MAX = 4000
PROMISE_TEXT_MAX = 4000
WEEK_HINT = _l("For example 2026-W05.")


class WeekField(StringField):
    """A Swedish week typed as 2026-W05 (phones offer a week picker); `week` is the parsed IsoWeek."""

    def __init__(self, label, **kwargs):
        kwargs.setdefault("description", WEEK_HINT)
        kwargs.setdefault("render_kw", {"type": "week"})
        super().__init__(label, **kwargs)

    @property
    def week(self) -> IsoWeek | None:
        return IsoWeek.parse(self.data)

    def pre_validate(self, form):
        if not (self.data or "").strip():
            raise ValidationError(_l("Enter a week like 2026-W05."))
        if self.week is None:
            raise ValidationError(_l("There is no such week. Enter a week like 2026-W05."))


def check_period(first: WeekField, last: WeekField) -> None:
    """The last week is not before the first, and a lägesbild covers at most a year."""
    if first.week is None or last.week is None:
        return
    if last.week < first.week:
        raise ValidationError(_l("The last week cannot be before the first week."))
    if first.week.weeks_until(last.week) > MAX_PERIOD_WEEKS:
        raise ValidationError(_l("Choose at most %(max)d weeks.", max=MAX_PERIOD_WEEKS))


class PeriodForm(FlaskForm):
    """Any run of weeks; sent with GET so the page has an address that can be shared."""

    class Meta:
        csrf = False

    first = WeekField(_l("From week"), validators=[SingleLine()])
    last = WeekField(_l("To week"), validators=[SingleLine()])

    def validate_last(self, field):
        check_period(self.first, field)

    @property
    def period(self) -> Period:
        return Period(self.first.week, self.last.week)


class PublishForm(FlaskForm):
    first_week = HiddenField()
    last_week = HiddenField()
    summary = TextAreaField(
        _l("Summary"),
        validators=[
            InputRequired(_l("Write a short summary before you publish.")),
            Length(max=SUMMARY_MAX, message=_l("At most %(max)d characters.", max=SUMMARY_MAX)),
        ],
        description=_l("What stood out and what the EST meeting should act on. Police and coordinators read it; "
                       "residents see only the numbers. Do not write names."),
    )
    submit = SubmitField(_l("Publish the lägesbild"))

    def validate_summary(self, field):
        if self.period is None:
            raise ValidationError(_l("The weeks of the lägesbild were lost. Open the page again and publish."))
        if not field.data.strip():
            raise ValidationError(_l("Write a short summary before you publish."))

    @property
    def period(self) -> Period | None:
        first, last = IsoWeek.parse(self.first_week.data), IsoWeek.parse(self.last_week.data)
        if first is None or last is None or last < first or first.weeks_until(last) > MAX_PERIOD_WEEKS:
            return None
        return Period(first, last)


class PromiseForm(FlaskForm):
    title = StringField(
        _l("Title"),
        validators=[SingleLine(), InputRequired(_l("Give the promise a title.")),
                    Length(max=200, message=_l("At most %(max)d characters.", max=200))],
        description=_l("For example: Safer summer weekends in the guest harbour."),
    )
    body = TextAreaField(
        _l("The promise"),
        validators=[InputRequired(_l("Write what the police and the municipality promise.")),
                    Length(max=PROMISE_TEXT_MAX, message=_l("At most %(max)d characters.", max=PROMISE_TEXT_MAX))],
        description=_l("What you will do, where and when. Residents read this on the municipality's page."),
    )
    starts_on = DateField(
        _l("Valid from"),
        validators=[InputRequired(_l("Enter the first day of the period."))],
        invalid_value_message=_l("Enter a date like 2026-05-01."),
    )
    ends_on = DateField(
        _l("Valid until"),
        validators=[InputRequired(_l("Enter the last day of the period."))],
        invalid_value_message=_l("Enter a date like 2026-08-31."),
        description=_l("A medborgarlöfte usually runs for four months."),
    )
    follow_up = TextAreaField(
        _l("Follow-up (optional)"),
        validators=[Length(max=PROMISE_TEXT_MAX, message=_l("At most %(max)d characters.", max=PROMISE_TEXT_MAX))],
        description=_l("How it went: what was done and what changed. Shown with the promise."),
    )
    submit = SubmitField(_l("Save the promise"))

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The period cannot end before it starts."))


def _text(label, maximum: int, required_message=None, **kwargs) -> StringField:
    required = [DataRequired(required_message)] if required_message else []
    return StringField(label, validators=[SingleLine(), *required, Length(
        max=maximum, message=_l("At most %(max)d characters.", max=maximum))], **kwargs)


class ActionForm(FlaskForm):
    """An action the EST meeting decides on a week's lägesbild."""

    week = HiddenField()
    what = _text(_l("What will be done"), 300, _l("Write what will be done."),
                 description=_l("For example: trim the bushes and repair the lighting on the footpath."))
    area = _text(_l("Where"), 120, description=_l("The area in words, e.g. Ramdalen, the footpath to the centre."))
    postcode = _text(_l("Postcode (optional)"), 12,
                     description=_l("The action shows the observations in this postcode before and since."),
                     render_kw={"inputmode": "numeric"})
    organisation = _text(_l("Organisation"), 120, description=_l("Who acts, e.g. Oxelösundshem or the police."))
    responsible = _text(_l("Responsible person"), 120)
    due_on = DateField(_l("Due date (optional)"), validators=[Optional()],
                       render_kw={"type": "date"})
    categories = CheckboxListField(_l("Categories the action is about"), validate_choice=False,
                                   choices=[SelectChoice(c.value, label) for c, label in CATEGORY_LABELS.items()])
    submit = SubmitField(_l("Add action"))

    def validate_week(self, field):
        if IsoWeek.parse(field.data or "") is None:
            raise ValidationError(_l("There is no such week. Enter a week like 2026-W05."))

    def validate_postcode(self, field):
        try:
            codes = read_postcodes(field.data or "")
        except PostcodeError as error:
            raise ValidationError(error.message) from None
        if len(codes) > 1:
            raise ValidationError(_l("Enter one postcode, like 613 31."))
        self.chosen_postcode = codes[0] if codes else None

    def validate_categories(self, field):
        if any(value not in CATEGORY_LABELS for value in field.data or []):
            raise ValidationError(_l("Choose among the categories listed."))

    @property
    def chosen_week(self) -> IsoWeek:
        return IsoWeek.parse(self.week.data)


class ActionStatusForm(FlaskForm):
    status = SelectField(_l("Status"), validate_choice=False,
                         choices=[SelectChoice(s.value, label) for s, label in ACTION_STATUS_LABELS.items()],
                         validators=[AnyOf([s.value for s in ActionStatus], message=_l("Choose a status."))])
    week = HiddenField()  # the lägesbild to go back to

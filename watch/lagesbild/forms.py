from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from watch.lagesbild.services import MAX_PERIOD_WEEKS
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

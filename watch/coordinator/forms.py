from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from watch.groups import labels
from watch.core.postcodes import postcode_prefix
from watch.core.validators import SingleLine
from watch.models import GroupKind, GroupStatus


def _text_for_applicant(label, missing) -> TextAreaField:
    return TextAreaField(label, validators=[DataRequired(missing),
                                            Length(max=2000, message=_l("At most 2,000 characters."))],
                         description=_l("The applicant reads this in the portal and by email."))


class RejectForm(FlaskForm):
    reason = _text_for_applicant(_l("Reason for rejecting"),
                                 _l("Write why the group is rejected. The applicant reads it."))
    submit = SubmitField(_l("Reject the group"))

    @property
    def text(self) -> str:
        return self.reason.data


class ChangeRequestForm(FlaskForm):
    note = _text_for_applicant(_l("What should the applicant change?"), _l("Write what the applicant should change."))
    submit = SubmitField(_l("Ask for a change"))

    @property
    def text(self) -> str:
        return self.note.data


class GroupFilterForm(FlaskForm):
    """Filters in the query string, so a filtered list can be bookmarked and paged."""

    class Meta:
        csrf = False

    kind = SelectField(_l("Kind"), validators=[Optional()], choices=[
        SelectChoice("", _l("All kinds")), *(SelectChoice(kind, label) for kind, label in labels.KIND.items())])
    status = SelectField(_l("Status"), validators=[Optional()], choices=[
        SelectChoice("", _l("All statuses")),
        *(SelectChoice(status, label) for status, (label, tone) in labels.STATUS.items())])
    postcode = StringField(_l("Postcode"), validators=[SingleLine(), Optional(), Length(max=6)],
                           description=_l("The whole postcode or its start, like 613 31 or 613."),
                           render_kw={"inputmode": "numeric"})

    def validate_postcode(self, field) -> None:
        if postcode_prefix(field.data) is None:
            raise ValidationError(_l("Write the digits of a postcode, like 613 31 or 613."))

    def filters(self) -> dict:
        """The filters that passed validation; a field with an error filters nothing."""
        def valid(field) -> bool:
            return bool(field.data) and not field.errors

        return {
            "kind": GroupKind(self.kind.data) if valid(self.kind) else None,
            "status": GroupStatus(self.status.data) if valid(self.status) else None,
            "postcode": postcode_prefix(self.postcode.data) if valid(self.postcode) else None,
        }

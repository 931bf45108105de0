from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from watch.core.languages import LANGUAGE_NAMES
from watch.core.menu_counts import menu_count, register as register_menu_count
from watch.core.pagination import paginate
from watch.core.ratelimit import FORM_SUBMIT, SMS_SEND, limit_posts, per_person
from watch.core.security import role_required
from watch.inbox import services
from watch.inbox.forms import AnswerForm, ButtonForm, InboxFilterForm
from watch.messaging.sms_encoding import count as count_sms
from watch.models import Role

bp = Blueprint("inbox", __name__, url_prefix="/inbox")
READERS = (Role.COORDINATOR, Role.POLICE)
PER_PAGE = 25

bp.add_app_template_global(services.STATE_LABELS.get, "sms_state_label")


@bp.app_template_global()
def new_sms_badge() -> int:
    """How many SMS in this person's inbox nobody has handled yet, counted with the menu's other counts."""
    return menu_count("new_sms")


register_menu_count("new_sms", lambda user: services.new_count_select(user) if services.can_read(user) else None)


@bp.get("")
@role_required(*READERS)
def index():
    form = InboxFilterForm(formdata=request.args)
    form.validate()
    page = paginate(services.inbox_select(current_user, form.chosen_state), PER_PAGE)
    return render_template("inbox/index.html", form=form, page=page,
                           several=len(current_user.municipality_ids()) > 1)


def _message_or_404(message_id: int):
    return services.visible_message(current_user, message_id) or abort(404)


def _thread_page(message, form: AnswerForm, status: int = 200):
    return render_template(
        "inbox/thread.html", message=message, items=services.thread(current_user, message), form=form,
        opted_out=services.sender_opted_out(message), sms=count_sms(form.body.data or ""),
        can_make_observation=lambda m: services.can_make_observation(current_user, m),
        language_names=LANGUAGE_NAMES,
    ), status


@bp.get("/<int:message_id>")
@role_required(*READERS)
def thread(message_id: int):
    return _thread_page(_message_or_404(message_id), AnswerForm(formdata=None))


@bp.post("/<int:message_id>/answer")
@role_required(*READERS)
@limit_posts(SMS_SEND, key=per_person)
def answer(message_id: int):
    message = _message_or_404(message_id)
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            services.answer(current_user, message, form.body.data)
        except services.Refused as refusal:
            form.body.errors.append(refusal.message)
        else:
            flash(_("Your answer is on its way to the sender."), "success")
            return redirect(url_for(".thread", message_id=message.id))
    return _thread_page(message, form)


@bp.post("/counter")
@role_required(*READERS)
def counter():
    """htmx: characters, encoding and SMS parts while the answer is written."""
    form = AnswerForm()
    return render_template("inbox/_counter_response.html", sms=count_sms(form.body.data or ""))


@bp.post("/<int:message_id>/handled")
@role_required(*READERS)
def handled(message_id: int):
    message = _message_or_404(message_id)
    if ButtonForm().validate_on_submit():
        services.mark_handled(current_user, message)
        flash(_("The SMS from this sender are marked as handled."), "success")
    return redirect(url_for(".thread", message_id=message.id))


@bp.post("/<int:message_id>/observation")
@role_required(Role.COORDINATOR)
@limit_posts(FORM_SUBMIT, key=per_person)
def make_observation(message_id: int):
    message = _message_or_404(message_id)
    if not ButtonForm().validate_on_submit():
        return redirect(url_for(".thread", message_id=message.id))
    try:
        observation = services.make_observation(current_user, message)
    except services.Refused as refusal:
        flash(str(refusal.message), "error")
        return redirect(url_for(".thread", message_id=message.id))
    flash(_("The SMS is now an observation. Choose its category when you triage it."), "success")
    return redirect(url_for("observations.detail", observation_id=observation.id))

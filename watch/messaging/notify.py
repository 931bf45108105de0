"""Portal messages to one person (a group decision, say): email, plus SMS or push for those who chose it."""
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from watch.messaging.email import email_user, render_for
from watch.messaging.optouts import is_opted_out
from watch.messaging.push import push_to_person, subscriptions_of
from watch.messaging.sms import send_system_sms
from watch.models import AlertChannel, User


def notify(user: User, template: str, link: str, **context) -> None:
    """Email the rendered template; push its subject and the link to the person's devices with push on, and
    text them to people who get alerts by SMS (unless push replaces their SMS).

    `link` is a path in the portal; the template gets the whole address as `url`. The messages are in the
    person's language, and leave when the transaction commits.
    """
    context["url"] = current_app.config["PUBLIC_URL"].rstrip("/") + link
    email_user(user, template, **context)
    subject, _body = render_for(user, template, **context)
    has_push = bool(subscriptions_of(user))
    if has_push:
        with force_locale(user.locale):
            push_to_person(user, subject, _("Open the portal to read more."), link)
    if (user.alert_channel == AlertChannel.SMS and user.has_verified_phone and not is_opted_out(user.phone)
            and not (has_push and user.push_instead_of_sms)):
        send_system_sms(user.phone, f"{subject}. {context['url']}", user.id)

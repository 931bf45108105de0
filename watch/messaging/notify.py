"""Portal messages to one person (a group decision, say): email, plus SMS for those who chose it."""
from flask import current_app

from watch.messaging.email import email_user, render_for
from watch.messaging.optouts import is_opted_out
from watch.messaging.sms import send_system_sms
from watch.models import AlertChannel, User


def notify(user: User, template: str, link: str, **context) -> None:
    """Email the rendered template; text its subject line and the link to people who get alerts by SMS.

    `link` is a path in the portal; the template gets the whole address as `url`. Both messages are in the
    person's language, and leave when the transaction commits.
    """
    context["url"] = current_app.config["PUBLIC_URL"].rstrip("/") + link
    email_user(user, template, **context)
    if user.alert_channel == AlertChannel.SMS and user.has_verified_phone and not is_opted_out(user.phone):
        subject, _ = render_for(user, template, **context)
        send_system_sms(user.phone, f"{subject}. {context['url']}", user.id)

"""Portal messages to one person (a group decision, say): email, plus SMS for those who chose it."""
from flask import current_app

from watch.alerts.replies import is_opted_out
from watch.alerts.sending import send_system_sms
from watch.messaging.services import email_user, render_for
from watch.models import AlertChannel, User


def notify(user: User, template: str, link: str, **context) -> None:
    """Email the rendered template; text its subject line and the link to people who get alerts by SMS.

    Both are in the person's language. Call after the commit: the jobs may run at once.
    """
    email_user(user, template, **context)
    if user.alert_channel == AlertChannel.SMS and user.has_verified_phone and not is_opted_out(user.phone):
        subject, _ = render_for(user, template, **context)
        send_system_sms(user.phone, f"{subject}. {current_app.config['PUBLIC_URL']}{link}", user.id)

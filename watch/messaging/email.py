"""Email to people, rendered in their language, sent by a background job.

The "outbox" backend (development and tests) stores each message for the dev outbox page;
"smtp" sends through the configured server.
"""
import smtplib
from email.message import EmailMessage

from flask import current_app, render_template
from flask_babel import force_locale

from watch.extensions import db
from watch.jobs import app_task
from watch.messaging.outbox import record_in_outbox
from watch.models import Channel, User


def render_for(user: User, template: str, **context) -> tuple[str, str]:
    """Render a text template in the recipient's language: first line is the subject, the rest the body."""
    with force_locale(user.locale):
        text = render_template(template, recipient=user, **context)
    subject, _, body = text.strip().partition("\n")
    return subject.strip(), body.strip() + "\n"


def email_user(user: User, template: str, **context) -> None:
    """Queue an email to this person; it leaves when the transaction commits (watch.core.transaction)."""
    subject, body = render_for(user, template, **context)
    deliver_email(user.email, subject, body, user.id)


@app_task(retries=5, retry_delay=60)
def deliver_email(to: str, subject: str, body: str, user_id: int | None = None) -> None:
    config = current_app.config
    if config["MAIL_BACKEND"] == "outbox":
        record_in_outbox(Channel.EMAIL, to, body, subject=subject, user_id=user_id)
        db.session.commit()
        return
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = config["MAIL_FROM"], to, subject
    message.set_content(body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT_SECONDS"]) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)

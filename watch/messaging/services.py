"""Email to people, rendered in their language, sent by a background job.

The "outbox" backend (development and tests) stores each message for the dev outbox page;
"smtp" sends through the configured server. SMS backends live beside this (alerts).
"""
import smtplib
from email.message import EmailMessage

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select

from watch.extensions import db
from watch.jobs import app_task
from watch.models import Channel, OutboxMessage, User


def render_for(user: User, template: str, **context) -> tuple[str, str]:
    """Render a text template in the recipient's language: first line is the subject, the rest the body."""
    with force_locale(user.locale):
        text = render_template(template, recipient=user, **context)
    subject, _, body = text.strip().partition("\n")
    return subject.strip(), body.strip() + "\n"


def email_user(user: User, template: str, **context) -> None:
    """Queue an email to this person. Call after the request's commit: the job may run at once."""
    subject, body = render_for(user, template, **context)
    deliver_email(user.email, subject, body, user.id)


def record_in_outbox(channel: Channel, recipient: str, body: str, *, subject: str | None = None,
                     user_id: int | None = None) -> OutboxMessage:
    message = OutboxMessage(channel=channel, recipient=recipient, subject=subject, body=body, user_id=user_id)
    db.session.add(message)
    return message


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


def outbox_messages(limit: int = 200) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)))

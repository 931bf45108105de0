"""Email to people, rendered in their language, sent by a background job.

The "outbox" backend (development and tests) stores each message for the dev outbox page;
"smtp" sends through the configured server.
"""
import smtplib
import unicodedata
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale

from watch.extensions import db
from watch.jobs import app_task
from watch.messaging.outbox import record_in_outbox
from watch.models import Channel, User


def one_line(text: str) -> str:
    """A mail header's value: every run of whitespace, line breaks included, becomes one space; control
    characters go. A name typed with a line break can then never start a header of its own."""
    return " ".join("".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in text).split())


def render_for(user: User, template: str, **context) -> tuple[str, str]:
    """Render an email template in the recipient's language; returns (subject, body).

    The template has `{% block subject %}` and `{% block body %}`; the subject is rendered on its own
    and collapsed to one line, whatever the names and titles in it hold.
    """
    with force_locale(user.locale):
        return render_email(template, recipient=user, **context)


def render_email(template: str, **context) -> tuple[str, str]:
    """Both blocks of an email template in the current locale (render_for picks the recipient's)."""
    app = current_app._get_current_object()
    compiled = app.jinja_env.get_or_select_template(template)
    missing = {"subject", "body"} - set(compiled.blocks)
    if missing:
        raise LookupError(f"email template {template} needs {{% block subject %}} and {{% block body %}}")
    app.update_template_context(context)
    rendered = compiled.new_context(context)
    subject = "".join(compiled.blocks["subject"](rendered))
    body = "".join(compiled.blocks["body"](rendered))
    return one_line(subject), body.strip() + "\n"


def email_user(user: User, template: str, **context) -> None:
    """Queue an email to this person; it leaves when the transaction commits (watch.core.transaction)."""
    subject, body = render_for(user, template, **context)
    deliver_email(user.email, subject, body, user.id)


def email_address(address: str, locale: str, template: str, **context) -> None:
    """Queue an email to an address with no account yet (a registration to confirm), in the language chosen."""
    with force_locale(locale):
        subject, body = render_email(template, **context)
    deliver_email(address, subject, body, None)


@app_task(retries=5, retry_delay=60)
def deliver_email(to: str, subject: str, body: str, user_id: int | None = None) -> None:
    config = current_app.config
    if config["MAIL_BACKEND"] == "outbox":
        record_in_outbox(Channel.EMAIL, to, body, subject=subject, user_id=user_id)
        db.session.commit()
        return
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = config["MAIL_FROM"], to, one_line(subject)
    message.set_content(body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT_SECONDS"]) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)

from sqlalchemy import select

from watch.messaging.email import email_user
from watch.models import Channel, OutboxMessage


def test_email_is_rendered_in_the_recipients_language_and_lands_in_the_outbox(app, db, factory, client):
    swede = factory.user(name="Eva Sjöberg", locale="sv")
    english = factory.user(name="Tom Wilson", locale="en")
    link = "https://grannsamverkan.example/password/reset/abc"
    email_user(swede, "messaging/email/password_reset.txt", link=link)
    email_user(english, "messaging/email/password_reset.txt", link=link)
    messages = {m.recipient: m for m in db.session.scalars(select(OutboxMessage))}
    assert messages[swede.email].channel == Channel.EMAIL
    assert messages[swede.email].subject == "Välj ett nytt lösenord till Grannsamverkan"
    assert messages[swede.email].body.startswith("Hej Eva Sjöberg,")
    assert link in messages[swede.email].body
    assert messages[english.email].subject == "Choose a new password for Grannsamverkan"

    page = client.get("/dev/outbox").get_data(as_text=True)
    assert "ENDAST UTVECKLING" in page and "Välj ett nytt lösenord till Grannsamverkan" in page and swede.email in page


def test_outbox_page_does_not_exist_in_production(tmp_path):
    from watch import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db", "SHOW_DEMO_OUTBOX": False})
    assert app.test_client().get("/dev/outbox").status_code == 404

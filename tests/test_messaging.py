from sqlalchemy import func, select

from watch.messaging.email import email_user
from watch.models import Channel, OptOutSource, OutboxMessage, SmsOptOut, SmsReply


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
    assert app.test_client().post("/dev/outbox/inbound", data={"phone": "+46701234505", "body": "STOPP"}
                                  ).status_code == 404


def test_the_dev_outbox_receives_an_sms_as_if_a_demo_phone_sent_it(app, db, factory, client):
    eva = factory.user(name="Eva Sjöberg", phone="+46701234505")
    eva.verified_phone = eva.phone
    db.session.commit()
    page = client.get("/dev/outbox").get_data(as_text=True)
    assert "Eva Sjöberg, 070-123 45 05" in page and "Ta emot detta sms" in page
    response = client.post("/dev/outbox/inbound", data={"phone": "+46701234505", "body": "Såg en vit skåpbil."})
    assert response.status_code == 302
    reply = db.session.scalar(select(SmsReply))
    assert reply.phone == "+46701234505" and reply.body == "Såg en vit skåpbil." and reply.user_id == eva.id
    client.post("/dev/outbox/inbound", data={"phone": "+46701234505", "body": "STOPP"})
    assert db.session.get(SmsOptOut, "+46701234505").source == OptOutSource.SMS
    empty = client.post("/dev/outbox/inbound", data={"phone": "+46701234505", "body": ""})
    assert empty.status_code == 200 and "Skriv sms:et." in empty.get_data(as_text=True)
    forged = client.post("/dev/outbox/inbound", data={"phone": "+46700000000", "body": "Hej"})
    assert forged.status_code == 200 and db.session.scalar(select(func.count()).select_from(SmsReply)) == 2

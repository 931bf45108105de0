"""Two-way SMS on a phone: police send an alert → a contact person replies by SMS → the municipality's
coordinator reads it in the SMS inbox and answers → the answer reaches her phone; a member texts what he
saw → it is an observation in the triage inbox and he is thanked by SMS; another municipality's staff see
neither."""
import re

from playwright.sync_api import expect

from tests.alerts.helpers import build_town
from tests.e2e.conftest import log_in, log_out
from tests.e2e.test_alerts_flow import compose_and_send
from tests.fake_twilio import sign
from watch.models import Role

REPLY = "Tack! Vi såg en vit skåpbil vid förråden på Västra vägen i natt."
ANSWER = "Tack Eva, vi har fått det. Hör av dig igen om bilen kommer tillbaka. /Karin, kommunen"
REPORT = "Two people are trying car doors on Tallvägen right now."


def text_the_portal(page, app, live_server, phone: str, body: str, sid: str) -> None:
    """What Twilio posts, signed, when a phone texts the portal's number."""
    params = {"MessageSid": sid, "From": phone, "To": app.config["TWILIO_FROM"], "Body": body,
              "AccountSid": app.config["TWILIO_ACCOUNT_SID"]}
    signature = sign(app.config["TWILIO_AUTH_TOKEN"], app.config["PUBLIC_URL"] + "/sms/inbound", params)
    response = page.request.post(f"{live_server}/sms/inbound", form=params, headers={"X-Twilio-Signature": signature})
    assert response.status == 200


def test_a_reply_is_answered_from_the_inbox_and_a_texted_report_is_triaged(page, audit, db, factory, app,
                                                                              live_server):
    town = build_town(db, factory)
    other_coordinator = factory.user(Role.COORDINATOR, town.other, name="Sara Nordin")

    log_in(page, audit, db, town.police)
    compose_and_send(page, audit, "Inbrott i förråd på Västra vägen i natt. Lås in trimmers. Tips: 114 14.")
    page.get_by_role("button", name="Granska innan du skickar").click()
    audit(page)
    page.get_by_role("button", name="Skicka nu").click()
    expect(page.get_by_text("100 % hanterade")).to_be_visible()
    audit(page)
    log_out(page)

    # Eva answers the warning from her phone; Tom texts what he sees (in English, his language).
    text_the_portal(page, app, live_server, town.eva.phone, REPLY, "SM" + "1" * 32)
    text_the_portal(page, app, live_server, town.tom.phone, REPORT, "SM" + "2" * 32)

    # Oxelösund's coordinator sees one new SMS in the menu, reads the reply and answers it.
    log_in(page, audit, db, town.coordinator)
    sms_link = page.get_by_role("navigation").get_by_role("link", name=re.compile(r"^Sms"))
    expect(sms_link).to_contain_text("1")
    sms_link.click()
    expect(page.get_by_role("heading", name="Sms-inkorg")).to_be_visible()
    audit(page)
    page.get_by_role("link", name=re.compile("Eva Sjöberg")).first.click()
    expect(page.get_by_text(REPLY)).to_be_visible()
    audit(page)
    page.get_by_label("Ditt svar").fill(ANSWER)
    expect(page.locator("#answer-form")).to_contain_text("GSM-7")
    page.get_by_role("button", name="Skicka svaret").click()
    expect(page.get_by_text("Ditt svar är på väg till avsändaren.")).to_be_visible()
    expect(page.locator(".sms--out")).to_contain_text(ANSWER)
    audit(page)

    # Tom's SMS is an observation in the triage inbox, waiting for its category.
    page.get_by_role("navigation").get_by_role("link", name=re.compile("^Iakttagelser")).click()
    report = page.locator(".observation-card").filter(has_text="Skickad via sms")
    expect(report).to_contain_text("Inte kategoriserad än")
    audit(page)
    report.get_by_role("link").click()
    expect(page.get_by_text(REPORT)).to_be_visible()
    audit(page)

    # The answer reached Eva's phone, and Tom was thanked in English, with 112 and 114 14.
    page.goto("/dev/outbox")
    expect(page.locator(".outbox li").filter(has_text="070-123 45 05").filter(has_text=ANSWER)).to_have_count(1)
    thanks = page.locator(".outbox li").filter(has_text="070-123 45 08").filter(has_text="112")
    expect(thanks).to_contain_text("114 14")
    expect(thanks).to_contain_text("Thank you")
    audit(page)
    log_out(page)

    # Nyköping's coordinator and police see neither the reply nor the report.
    for stranger in (other_coordinator, town.other_police):
        log_in(page, audit, db, stranger)
        page.goto("/inbox")
        expect(page.get_by_role("heading", name="Sms-inkorg")).to_be_visible()
        expect(page.get_by_text("vit skåpbil")).to_have_count(0)
        expect(page.get_by_text("Eva Sjöberg")).to_have_count(0)
        audit(page)
        log_out(page)

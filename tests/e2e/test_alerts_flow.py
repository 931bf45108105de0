"""The alert path on a phone: police composes → 100 % delivered → the contact person reads it in the feed and
the outbox → a STOP reply opts them out → the next alert skips them."""
import re

from playwright.sync_api import expect

from tests.alerts.helpers import build_town, resident
from tests.e2e.conftest import log_in, log_out
from tests.fake_twilio import sign
from watch.models import Membership, MembershipRole, MembershipStatus

BODY = "“Tre inbrott i förråd på Västra vägen i veckan” – lås in trimmers och motorer. Tips: 114 14."



def compose_and_send(page, audit, body):
    page.get_by_role("link", name="Utskick").click()
    audit(page)
    page.get_by_role("link", name="Nytt utskick").click()
    expect(page.get_by_role("heading", name="Nytt utskick")).to_be_visible()
    audit(page)
    page.get_by_label("Meddelande").fill(body)
    summary = page.locator(".sms-counter")
    expect(summary).to_contain_text("Mottagare via sms")
    return summary


def test_police_alert_reaches_contact_person_who_then_stops_sms(page, audit, db, factory, app, live_server):
    town = build_town(db, factory)

    # Police writes the alert; the live counter notices the curly quotes and dash and offers to replace them.
    log_in(page, audit, db, town.police)
    summary = compose_and_send(page, audit, BODY)
    expect(summary).to_contain_text("UCS-2")
    expect(summary.locator("dd").nth(2)).to_have_text(re.compile(r"^\s*2\b"))  # 2 parts of 67
    page.get_by_role("button", name="Byt ut tecknen").click()
    expect(page.get_by_text("Tecken som kräver UCS-2 har bytts ut.")).to_be_visible()
    expect(page.get_by_label("Meddelande")).to_have_value(re.compile(r'^"Tre inbrott .* - lås in'))
    expect(page.locator(".sms-counter")).to_contain_text("GSM-7")
    audit(page)

    page.get_by_role("button", name="Granska innan du skickar").click()
    expect(page.get_by_role("heading", name="Kontrollera innan du skickar")).to_be_visible()
    expect(page.get_by_text("3 personer")).to_be_visible()
    expect(page.get_by_text("1 saknar verifierat mobilnummer")).to_be_visible()
    audit(page)
    page.get_by_role("button", name="Skicka nu").click()
    expect(page.get_by_text("Utskicket är på väg.")).to_be_visible()
    progress = page.locator("progress.progress-bar")
    expect(progress).to_have_attribute("value", "4")
    expect(progress).to_have_attribute("max", "4")
    expect(page.get_by_text("100 % hanterade: 4 av 4")).to_be_visible()
    expect(page.get_by_role("cell", name="+46 70 *** ** 05")).to_be_visible()
    audit(page)
    log_out(page)

    # The contact person reads it in the portal, and the SMS is in the development outbox.
    log_in(page, audit, db, town.eva)
    page.get_by_role("link", name="Varningar").click()
    expect(page.get_by_role("heading", name="Varningar för dina grupper")).to_be_visible()
    expect(page.get_by_text("Tre inbrott i förråd på Västra vägen")).to_be_visible()
    audit(page)
    page.get_by_role("link", name=re.compile("Utvecklarens utkorg")).click()
    sms = page.locator(".outbox li").filter(has_text="070-123 45 05")
    expect(sms).to_contain_text("Tre inbrott i förråd på Västra vägen")
    audit(page)

    # She replies STOP; Twilio posts it, signed, to the public webhook.
    params = {"MessageSid": "SM" + "f" * 32, "From": town.eva.phone, "To": app.config["TWILIO_FROM"],
              "Body": "STOPP", "AccountSid": app.config["TWILIO_ACCOUNT_SID"]}
    signature = sign(app.config["TWILIO_AUTH_TOKEN"], app.config["PUBLIC_URL"] + "/sms/inbound", params)
    reply = page.request.post(f"{live_server}/sms/inbound", form=params, headers={"X-Twilio-Signature": signature})
    assert reply.status == 200
    page.goto("/alerts/preferences")
    expect(page.get_by_text("Inga sms skickas till 070-123 45 05.")).to_be_visible()
    audit(page)
    log_out(page)

    # The next alert skips her, and says why.
    log_in(page, audit, db, town.police)
    compose_and_send(page, audit, "Stöldförsök vid Jogersö båtklubb i natt. Lås motorerna. Tips: 114 14.")
    page.get_by_role("button", name="Granska innan du skickar").click()
    expect(page.get_by_text("1 har stoppat sms (STOP)")).to_be_visible()
    audit(page)
    page.get_by_role("button", name="Skicka nu").click()
    row = page.get_by_role("row").filter(has_text="Eva Sjöberg")
    expect(row).to_contain_text("Hoppades över")
    expect(row).to_contain_text("Har stoppat sms (STOP)")
    expect(page.get_by_text("100 % hanterade")).to_be_visible()
    audit(page)


ARABIC = "ثلاث سرقات من المخازن في شارع فيسترا هذا الأسبوع. أغلقوا المخازن بالقفل. معلومات: 114 14."


def test_police_adds_an_arabic_version_for_the_arabic_reading_contact_person(page, audit, db, factory, live_server):
    """Issue 17: the confirm step counts each language's readers; the version's live counter shows UCS-2."""
    town = build_town(db, factory)
    layla = resident(factory, town.municipality, "Layla Hassan", "+46701234514", locale="ar")
    db.session.add(Membership(group=town.vastra, user=layla, role=MembershipRole.CONTACT,
                              status=MembershipStatus.ACTIVE))
    db.session.commit()

    log_in(page, audit, db, town.police)
    compose_and_send(page, audit, "Tre inbrott i förråd på Västra vägen i veckan. Lås in trimmers. Tips: 114 14.")
    page.get_by_role("button", name="Granska innan du skickar").click()
    expect(page.get_by_role("heading", name="Andra språk")).to_be_visible()
    page.get_by_text("1 mottagare läser det").click()  # opens the Arabic version
    page.get_by_label("Utskicket på العربية").fill(ARABIC)
    arabic = page.locator("#language-summary tr").filter(has_text="العربية")
    expect(arabic).to_contain_text("UCS-2")
    expect(arabic).to_contain_text("delar per mottagare: 2")
    audit(page)
    page.get_by_role("button", name="Skicka nu").click()
    expect(page.get_by_text("Utskicket är på väg.")).to_be_visible()
    expect(page.get_by_role("heading", name="Per språk")).to_be_visible()
    expect(page.locator('p.message-body[lang="ar"][dir="rtl"]')).to_have_text(ARABIC)
    audit(page)

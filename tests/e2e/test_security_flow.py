import time

import pyotp
from playwright.sync_api import expect

from watch.models import Role
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in


def log_in_with_password(page, user):
    page.get_by_label("E-post").fill(user.email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()


def test_coordinators_first_login_sets_up_totp_and_later_logins_ask_for_a_code(page, audit, factory):
    coordinator = factory.user(Role.COORDINATOR, name="Karin Lindqvist", mfa=False)
    page.goto("/login")
    audit(page)
    log_in_with_password(page, coordinator)

    expect(page.get_by_role("heading", name="Ställ in tvåstegsinloggning")).to_be_visible()
    expect(page.get_by_role("img", name="QR-kod som lägger till ditt Grannsamverkanskonto i en autentiseringsapp")) \
        .to_be_visible()
    audit(page)
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.get_by_label("Kod från appen").fill("000000")
    page.get_by_role("button", name="Slå på tvåstegsinloggning").click()
    expect(page.get_by_text("Koden stämmer inte").first).to_be_visible()
    audit(page)
    page.get_by_label("Kod från appen").fill(totp.now())
    page.get_by_role("button", name="Slå på tvåstegsinloggning").click()

    expect(page.get_by_role("heading", name="Dina reservkoder")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    audit(page)
    page.get_by_role("link", name="Jag har sparat koderna, fortsätt").click()
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()
    audit(page)
    page.get_by_role("link", name="Samordning").click()
    audit(page)
    page.get_by_role("link", name="Händelselogg").click()
    expect(page.locator(".audit-list").get_by_text("Tvåstegsinloggning påslagen")).to_be_visible()
    audit(page)

    page.get_by_role("button", name="Logga ut").click()
    page.get_by_role("link", name="Logga in").click()
    audit(page)
    log_in_with_password(page, coordinator)
    expect(page.get_by_role("heading", name="Tvåstegsinloggning")).to_be_visible()
    audit(page)
    # The code just used is never accepted again, so type the next one (the app allows one step of drift).
    page.get_by_label("Kod").fill(totp.at(time.time() + totp.interval))
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()
    audit(page)


def test_resident_downloads_data_and_reads_the_legal_pages(page, audit, factory, db):
    log_in(page, audit, db, factory.user(name="Maria Holm"))
    page.get_by_role("link", name="Min profil").click()
    audit(page)
    page.get_by_role("link", name="Tvåstegsinloggning: av").click()
    expect(page.get_by_role("link", name="Slå på tvåstegsinloggning")).to_be_visible()
    audit(page)
    page.get_by_role("link", name="Slå på tvåstegsinloggning").click()
    audit(page)
    page.get_by_role("link", name="Min profil").click()
    page.get_by_role("link", name="Byt lösenord").click()
    audit(page)
    page.get_by_role("link", name="Tillbaka till min profil").click()
    audit(page)
    page.get_by_role("link", name="Mina uppgifter").click()
    expect(page.get_by_role("heading", name="Mina uppgifter", exact=True)).to_be_visible()
    audit(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner som JSON").click()
    assert download.value.suggested_filename == "mina-uppgifter.json"
    page.get_by_role("link", name="Tillgänglighetsredogörelse").click()
    expect(page.get_by_text("delvis förenlig")).to_be_visible()
    audit(page)
    page.get_by_role("link", name="Integritetspolicy").click()
    audit(page)
    page.get_by_role("link", name="Kakor: bara nödvändiga").click()
    audit(page)


def test_police_log_in_with_a_code_and_have_no_audit_log(page, audit, factory, db):
    log_in(page, audit, db, factory.user(Role.POLICE))
    expect(page.get_by_role("link", name="Händelselogg")).to_have_count(0)


def test_forgotten_password_by_email(page, audit, factory, db):
    from sqlalchemy import select

    from watch.models import OutboxMessage

    resident = factory.user(name="Per Nyström")
    page.goto("/login")
    audit(page)
    page.get_by_role("link", name="Glömt lösenordet?").click()
    audit(page)
    page.get_by_label("E-post").fill(resident.email)
    page.get_by_role("button", name="Skicka länk").click()
    expect(page.get_by_text("Om det finns ett konto med den adressen")).to_be_visible()
    audit(page)
    body = db.session.scalar(select(OutboxMessage.body).where(OutboxMessage.recipient == resident.email))
    link = next(line for line in body.splitlines() if "/password/reset/" in line)
    page.goto("/password/reset/" + link.rsplit("/", 1)[1])
    audit(page)
    page.get_by_label("Nytt lösenord").fill("Brandholmsvägen-5-grind")
    page.get_by_role("button", name="Spara nytt lösenord").click()
    expect(page.get_by_text("Ditt lösenord är bytt. Logga in med det nu.")).to_be_visible()
    audit(page)
    page.get_by_label("E-post").fill(resident.email)
    page.get_by_label("Lösenord").fill("Brandholmsvägen-5-grind")
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()
    audit(page)


def test_resident_sees_where_they_are_logged_in_and_ends_another_login(page, audit, factory, db, login):
    resident = factory.user(name="Maria Holm")
    other_device = login(resident)  # e.g. the computer at the library
    log_in(page, audit, db, resident)
    page.goto("/profile")
    expect(page.get_by_role("heading", name="Här är du inloggad")).to_be_visible()
    expect(page.get_by_text("Den här enheten")).to_be_visible()
    expect(page.locator(".login")).to_have_count(2)
    audit(page)
    page.get_by_role("button", name="Avsluta inloggningen").click()
    expect(page.get_by_text("Enheten är utloggad.")).to_be_visible()
    expect(page.locator(".login")).to_have_count(1)
    audit(page)
    assert other_device.get("/profile").status_code == 302

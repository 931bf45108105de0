"""Mina uppgifter: download everything, delete the account; legal pages; how features plug in."""
import csv
import io
import json

from sqlalchemy import func, select

from watch.messaging.email import email_user
from watch.models import (
    AuditEvent, Group, GroupKind, GroupStatus, Membership, MembershipRole, MembershipStatus, OutboxMessage, Role, User,
)
from watch.privacy.signals import account_deleting, personal_data_export
from tests.conftest import PASSWORD


def group_with(db, municipality, name, *people, status=GroupStatus.APPROVED):
    """people: (user, role) pairs, all active."""
    group = Group(municipality=municipality, kind=GroupKind.NEIGHBOURHOOD, status=status, name=name)
    group.memberships = [Membership(user=u, role=r, status=MembershipStatus.ACTIVE) for u, r in people]
    db.session.add(group)
    db.session.commit()
    return group


def test_download_everything_as_json(db, factory, login):
    eva = factory.user(name="Eva Sjöberg", phone="+46701234567")
    group_with(db, eva.municipality, "Västra vägen", (eva, MembershipRole.CONTACT))
    email_user(eva, "messaging/email/password_reset.txt", link="https://exempel.se/x")
    client = login(eva)
    response = client.get("/my-data/export.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    (account,) = data["account"]
    assert (account["name"], account["email"], account["phone"]) == ("Eva Sjöberg", eva.email, "+46701234567")
    assert account["municipality"] == "Oxelösund" and account["created_at"].startswith("20")
    assert data["memberships"] == [
        {"group": "Västra vägen", "kind": "neighbourhood", "role": "contact", "status": "active",
         "since": data["memberships"][0]["since"], "phone_shown_to_members": False},
    ]
    assert data["messages"][0]["subject"] == "Välj ett nytt lösenord till Grannsamverkan"
    assert db.session.scalar(select(AuditEvent.details).where(AuditEvent.action == "privacy.data_exported")) == {
        "format": "json"}


def test_download_as_csv_opens_safely_in_a_spreadsheet(db, factory, login):
    eva = factory.user(name="=HYPERLINK(\"x\")", phone="+46701234567")
    response = login(eva).get("/my-data/export.csv")
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["section", "row", "field", "value"]
    values = {(section, field): value for section, _, field, value in rows[1:]}
    assert values[("account", "name")] == "'=HYPERLINK(\"x\")"  # never run as a formula
    assert values[("account", "phone")] == "'+46701234567"
    assert values[("account", "two_factor_login")] == "false"


def test_other_people_see_nothing_of_my_export(db, factory, login):
    factory.user(name="Eva Sjöberg")
    data = json.loads(login(factory.user(name="Per Nyström")).get("/my-data/export.json").get_data(as_text=True))
    assert "Eva Sjöberg" not in json.dumps(data)
    assert login(factory.user()).get("/my-data/export.xml").status_code == 404


def test_delete_my_account_needs_password_and_confirmation(db, factory, login):
    eva = factory.user()
    client = login(eva)
    page = client.post("/my-data/delete", data={"password": PASSWORD}).get_data(as_text=True)
    assert "Kryssa i rutan för att bekräfta." in page
    page = client.post("/my-data/delete", data={"password": "fel-lösenord", "confirm": "y"}).get_data(as_text=True)
    assert "Det är inte ditt nuvarande lösenord." in page
    assert db.session.get(User, eva.id) is not None


def test_deleting_ends_memberships_removes_messages_and_keeps_the_audit_log_anonymous(db, factory, login):
    eva, neighbour = factory.user(), factory.user()
    eva_id = eva.id
    group = group_with(db, eva.municipality, "Västra vägen", (neighbour, MembershipRole.CONTACT),
                       (eva, MembershipRole.MEMBER))
    email_user(eva, "messaging/email/password_reset.txt", link="https://exempel.se/x")
    client = login(eva)
    client.post("/profile/password", data={"current_password": PASSWORD, "new_password": "Nytt-lösen-för-eva"})

    response = client.post("/my-data/delete", data={"password": "Nytt-lösen-för-eva", "confirm": "y"})
    assert response.status_code == 302 and response.location == "/"
    assert "Ditt konto och dina uppgifter är borttagna" in client.get("/").get_data(as_text=True)
    assert client.get("/profile").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, eva_id) is None
    assert [m.user_id for m in db.session.get(Group, group.id).memberships] == [neighbour.id]
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    events = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    assert [e.action for e in events] == ["auth.password_changed", "privacy.account_deleted"]
    assert all(e.actor_id is None and e.actor_role == "resident" for e in events)
    assert db.session.scalar(select(func.count(User.id))) == 1


def test_last_contact_person_must_hand_over_first(db, factory, login):
    eva, other_contact, member = factory.user(), factory.user(), factory.user()
    group_with(db, eva.municipality, "Västra vägen", (eva, MembershipRole.CONTACT), (member, MembershipRole.MEMBER))
    group_with(db, eva.municipality, "Jogersö båtklubb", (eva, MembershipRole.CONTACT),
               (other_contact, MembershipRole.CONTACT))
    group_with(db, eva.municipality, "Gamla gruppen", (eva, MembershipRole.CONTACT), status=GroupStatus.ARCHIVED)
    client = login(eva)
    page = client.get("/my-data").get_data(as_text=True)
    assert "Ditt konto kan inte tas bort ännu" in page
    assert "Du är enda kontaktombud för Västra vägen" in page
    assert "Jogersö båtklubb" not in page and "Gamla gruppen" not in page
    refused = client.post("/my-data/delete", data={"password": PASSWORD, "confirm": "y"})
    assert refused.status_code == 200 and "Du är enda kontaktombud för Västra vägen" in refused.get_data(as_text=True)
    assert db.session.get(User, eva.id) is not None


def test_staff_accounts_are_closed_by_the_administrator(db, factory, login):
    coordinator = factory.user(Role.COORDINATOR)
    client = login(coordinator)
    assert "avslutas av systemförvaltaren" in client.get("/my-data").get_data(as_text=True)
    client.post("/my-data/delete", data={"password": PASSWORD, "confirm": "y"})
    assert db.session.get(User, coordinator.id) is not None


def test_a_feature_plugs_into_export_and_deletion_through_signals(db, factory, login):
    eva = factory.user()
    anonymised = []

    def export_observations(user, **extra):
        return {"observations": [{"text": "Okänd bil på Tallvägen", "filed_by": user.id}]}

    def anonymise_observations(user, **extra):
        anonymised.append(user.id)

    with personal_data_export.connected_to(export_observations), account_deleting.connected_to(anonymise_observations):
        client = login(eva)
        data = json.loads(client.get("/my-data/export.json").get_data(as_text=True))
        assert data["observations"] == [{"text": "Okänd bil på Tallvägen", "filed_by": eva.id}]
        eva_id = eva.id
        client.post("/my-data/delete", data={"password": PASSWORD, "confirm": "y"})
    assert anonymised == [eva_id]


def test_my_data_needs_login(client, db):
    assert client.get("/my-data").status_code == 302
    assert client.get("/my-data/export.json").status_code == 302
    assert client.post("/my-data/delete").status_code == 302


def test_legal_pages_are_linked_from_every_footer_in_both_languages(client, factory):
    factory.municipality("Nyköping", "0480")
    front = client.get("/").get_data(as_text=True)
    for path, heading in [("/privacy", "Så hanterar vi dina personuppgifter"),
                          ("/accessibility", "Tillgänglighetsredogörelse för Grannsamverkan"),
                          ("/cookies", "Kakor (cookies)")]:
        assert f'href="{path}"' in front
        assert heading in client.get(path).get_data(as_text=True)
    notice = client.get("/privacy").get_data(as_text=True)
    assert "Personuppgiftsansvarig" in notice and "Nyköping" in notice and "Integritetsskyddsmyndigheten" in notice
    statement = client.get("/accessibility").get_data(as_text=True)
    assert "delvis förenlig" in statement and "Myndigheten för digital förvaltning (DIGG)" in statement
    assert "bara kakor som behövs" in client.get("/cookies").get_data(as_text=True)
    client.post("/language", data={"lang": "en"})
    assert "Accessibility statement for Grannsamverkan" in client.get("/accessibility").get_data(as_text=True)
    assert "The controller is the municipality" in client.get("/privacy").get_data(as_text=True)


def test_privacy_notice_names_the_logged_in_persons_own_municipality(db, factory, login):
    factory.municipality("Nyköping", "0480")
    page = login(factory.user()).get("/privacy").get_data(as_text=True)
    assert "<strong>Oxelösund</strong>" in page


# ---- each municipality is the controller of its data (issue 15, item 10) ------------------------------

def flat(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def test_each_municipality_shows_its_own_contacts_with_the_supervisory_authorities(client, db, factory, login, app):
    fallback = app.config["CONTACT_EMAIL"]
    oxelosund, nykoping = factory.municipality("Oxelösund", "0481"), factory.municipality("Nyköping", "0480")
    oxelosund.contact_email, oxelosund.dpo_email = "grannsamverkan@oxelosund.se", "dataskyddsombud@oxelosund.se"
    oxelosund.accessibility_email = "tillganglighet@oxelosund.se"
    db.session.commit()

    notice = flat(client.get("/m/oxelosund/privacy"))
    assert "<strong>Oxelösund</strong>" in notice
    assert 'href="mailto:grannsamverkan@oxelosund.se"' in notice
    assert "Kommunens dataskyddsombud: <a href=\"mailto:dataskyddsombud@oxelosund.se\">" in notice
    assert 'Integritetsskyddsmyndigheten (IMY), som är tillsynsmyndighet: <a href="https://www.imy.se/"' in notice
    assert fallback not in notice and "Nyköping" not in notice.split("<article")[1]
    statement = flat(client.get("/m/oxelosund/accessibility"))
    assert "Oxelösund använder portalen och står bakom den." in statement
    assert statement.count('href="mailto:tillganglighet@oxelosund.se"') == 2 and fallback not in statement
    assert 'Anmäl bristande tillgänglighet på <a href="https://www.digg.se/"' in statement

    # A municipality with no addresses of its own falls back to CONTACT_EMAIL, its DPO included.
    other = flat(client.get("/m/nykoping/privacy"))
    assert "<strong>Nyköping</strong>" in other and f'Kommunens dataskyddsombud: <a href="mailto:{fallback}">' in other
    assert "oxelosund.se" not in other
    assert f'href="mailto:{fallback}"' in flat(client.get("/m/nykoping/accessibility"))
    assert client.get("/m/atlantis/privacy").status_code == 404
    assert client.get("/m/atlantis/accessibility").status_code == 404

    # /privacy and /accessibility are the logged-in person's own municipality's.
    resident = login(factory.user(Role.RESIDENT, oxelosund))
    assert 'mailto:dataskyddsombud@oxelosund.se' in flat(resident.get("/privacy"))
    assert 'mailto:tillganglighet@oxelosund.se' in flat(resident.get("/accessibility"))
    neighbour = login(factory.user(Role.RESIDENT, nykoping))
    assert "oxelosund.se" not in flat(neighbour.get("/privacy")) and "<strong>Nyköping</strong>" in flat(
        neighbour.get("/privacy"))
    # Visitors get every municipality, each linked to its own page, and the service's address.
    general = flat(client.get("/privacy"))
    assert '<a href="/m/nykoping/privacy">Nyköping</a>, <a href="/m/oxelosund/privacy">Oxelösund</a>' in general
    assert f'href="mailto:{fallback}"' in general and "oxelosund.se" not in general
    assert '<a href="/m/oxelosund/accessibility">Oxelösund</a>' in flat(client.get("/accessibility"))
    # The municipality's own page links to both.
    front = flat(client.get("/m/oxelosund"))
    assert 'href="/m/oxelosund/privacy"' in front and 'href="/m/oxelosund/accessibility"' in front

    client.post("/language", data={"lang": "en"})
    english = flat(client.get("/m/oxelosund/privacy"))
    assert "The municipality's data protection officer: <a href=\"mailto:dataskyddsombud@oxelosund.se\">" in english
    assert 'Swedish Authority for Privacy Protection (IMY): <a href="https://www.imy.se/"' in english
    english_statement = flat(client.get("/m/oxelosund/accessibility"))
    assert "Oxelösund uses the portal and stands behind it." in english_statement
    assert 'href="mailto:tillganglighet@oxelosund.se"' in english_statement
    assert '"Anmäl bristande tillgänglighet" (report lacking accessibility) at <a href="https://www.digg.se/"' in (
        english_statement)

"""Demo data that looks like a real Swedish municipality. Idempotent: seeding twice changes nothing."""
from collections.abc import Iterator

import click
from flask import current_app
from flask.cli import AppGroup

from sqlalchemy import select

from watch.admin.services import CONTACT_FIELDS, create_municipality, create_staff, set_contacts
from watch.alerts import demo as alerts_demo
from watch.boats import demo as boats_demo
from watch.auth.services import create_user
from watch.core.municipalities import find_municipality
from watch.extensions import db
from watch.groups.demo import seed as seed_groups
from watch.inbox import demo as inbox_demo
from watch.lagesbild import demo as lagesbild_demo
from watch.auth.mfa import enrol_with_known_secret, grouped_secret
from watch.messaging.push import make_demo_keys
from watch.models import Role, User
from watch.observations import demo as observations_demo
from watch.partners import demo as partners_demo

DEMO_PASSWORD = "Demo-losen-2026"
# Staff log in with a code from an authenticator app. In the demo they all share this published
# secret, so anyone can add it to their app and try; real accounts each get a random one.
DEMO_TOTP_SECRET = "GRANNSAMVERKANDEMOTOTP23"

MUNICIPALITIES = [("Oxelösund", "0481"), ("Nyköping", "0480")]
# Each municipality's own addresses as controller (privacy notice, accessibility statement).
CONTACTS = {
    "0481": {"contact_email": "grannsamverkan@oxelosund.demo", "dpo_email": "dataskyddsombud@oxelosund.demo",
             "accessibility_email": "tillganglighet@oxelosund.demo"},
    "0480": {"contact_email": "trygghet@nykoping.demo", "dpo_email": "dataskyddsombud@nykoping.demo",
             "accessibility_email": "tillganglighet@nykoping.demo"},
}

# (email, name, role, municipality, phone, locale)
PEOPLE = [
    ("admin@oxelosund.demo", "Siv Förvaltare", Role.ADMIN, None, None, "sv"),
    ("samordnare@oxelosund.demo", "Karin Lindqvist", Role.COORDINATOR, "oxelosund", "+46701234501", "sv"),
    ("polis@oxelosund.demo", "Johan Berg", Role.POLICE, "oxelosund", "+46701234502", "sv"),
    ("samordnare@nykoping.demo", "Amir Haddad", Role.COORDINATOR, "nykoping", "+46701234503", "sv"),
    ("polis@nykoping.demo", "Lena Ek", Role.POLICE, "nykoping", "+46701234504", "sv"),
    ("kontakt@oxelosund.demo", "Eva Sjöberg", Role.RESIDENT, "oxelosund", "+46701234505", "sv"),
    ("hamn@oxelosund.demo", "Per Nyström", Role.RESIDENT, "oxelosund", "+46701234506", "sv"),
    ("boende@oxelosund.demo", "Maria Holm", Role.RESIDENT, "oxelosund", "+46701234507", "sv"),
    ("resident@oxelosund.demo", "Tom Wilson", Role.RESIDENT, "oxelosund", "+46701234508", "en"),
    ("kontakt@nykoping.demo", "Gunnar Åberg", Role.RESIDENT, "nykoping", "+46701234509", "sv"),
]


def seed_demo() -> Iterator[str]:
    yield from _seed_municipalities()
    yield from _seed_people()
    yield from seed_groups()
    yield from alerts_demo.seed()
    yield from observations_demo.seed()
    yield from boats_demo.seed()
    yield from partners_demo.seed(DEMO_PASSWORD)  # after the groups' observations, which seed only where none are
    yield from inbox_demo.seed()  # after the alert it answers and the groups its report belongs to
    yield from lagesbild_demo.seed()  # after the observations: the published lägesbild counts them
    if make_demo_keys():
        yield "made VAPID keys for push messages (instance/vapid-demo.json)"
    yield f"Demo logins (password {DEMO_PASSWORD}):"
    for email, name, role, municipality, *_ in PEOPLE:
        yield f"  {role:<11} {email:<28} {name} ({municipality or 'all'})"
    yield from partners_demo.logins()
    yield f"Staff also type a code from an authenticator app set up with the key {grouped_secret(DEMO_TOTP_SECRET)}"


def _seed_municipalities() -> Iterator[str]:
    for name, code in MUNICIPALITIES:
        municipality = find_municipality(code)
        if municipality is None:
            municipality = create_municipality(name, code)
            yield f"created municipality {name}"
        if not any(getattr(municipality, field) for field in CONTACT_FIELDS):
            set_contacts(municipality, **CONTACTS[code])
            yield f"contacts for {name}: {municipality.contact_email}"


def _seed_people() -> Iterator[str]:
    for email, name, role, municipality_key, phone, locale in PEOPLE:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            municipality = find_municipality(municipality_key) if municipality_key else None
            if role == Role.RESIDENT:
                user = create_user(name=name, email=email, password=DEMO_PASSWORD, municipality=municipality,
                                   phone=phone, locale=locale)
            else:
                user = create_staff(name=name, email=email, password=DEMO_PASSWORD, role=role,
                                    municipality=municipality, phone=phone, locale=locale)
            yield f"created {role} {email}"
        if user.mfa_required and not user.mfa_enabled:
            enrol_with_known_secret(user, DEMO_TOTP_SECRET)
            yield f"two-factor login with the demo key for {email}"


demo_cli = AppGroup("demo", help="Demo data for trying the portal.")


@demo_cli.command("seed")
def seed() -> None:
    """Create the demo municipalities, people and data. Running it again changes nothing."""
    if current_app.config["ENV_NAME"] == "production":
        # Demo accounts share one published password and one published two-factor key.
        raise click.ClickException(
            "the demo is not for production: its accounts share a published password and two-factor key. "
            "To try the demo, run it with WATCH_ENV=development (make demo does)."
        )
    for line in seed_demo():
        click.echo(line)
    db.session.commit()

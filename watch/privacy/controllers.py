"""Who is the controller of a person's data, and how to reach them.

Each municipality is the controller of its own data: its privacy notice and accessibility statement show
its own addresses (`flask municipalities set-contacts`), and the deployment's CONTACT_EMAIL where it has
none set.
"""
from dataclasses import dataclass

from flask import current_app
from flask_login import current_user

from watch.models import Municipality


@dataclass(frozen=True)
class Contacts:
    municipality: Municipality | None  # None: the page speaks for every municipality using the portal
    email: str  # questions about the service and one's data
    dpo_email: str  # the data protection officer (dataskyddsombud)
    accessibility_email: str  # accessibility problems, other formats


def contacts_for(municipality: Municipality | None) -> Contacts:
    fallback = current_app.config["CONTACT_EMAIL"]
    if municipality is None:
        return Contacts(None, fallback, fallback, fallback)
    return Contacts(municipality, municipality.contact_email or fallback, municipality.dpo_email or fallback,
                    municipality.accessibility_email or fallback)


def own_municipality() -> Municipality | None:
    """The logged-in person's municipality: the controller of their data. None for visitors and administrators."""
    return current_user.municipality if current_user.is_authenticated else None

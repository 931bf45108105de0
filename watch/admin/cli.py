"""Command-line administration: `flask municipalities ...`, `flask users ...`."""
import click
from flask.cli import AppGroup
from sqlalchemy import select

from watch.admin import services
from watch.auth.services import EmailTakenError
from watch.extensions import db
from watch.auth import mfa as mfa_services
from watch.models import Municipality, Role
from watch.core.languages import LANGUAGE_NAMES
from watch.core.phone import PhoneNumberError, normalise_phone

municipalities_cli = AppGroup("municipalities", help="Set up municipalities (kommuner).")
users_cli = AppGroup("users", help="Create staff and other accounts.")


@municipalities_cli.command("create")
@click.option("--name", required=True, help="e.g. Oxelösund")
@click.option("--code", required=True, help="four-digit kommunkod, e.g. 0481")
@click.option("--slug", help="URL name; derived from the name when left out")
def create_municipality(name: str, code: str, slug: str | None) -> None:
    try:
        municipality = services.create_municipality(name, code, slug)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    db.session.commit()
    click.echo(f"created {municipality.name} ({municipality.code}) at /m/{municipality.slug}")


@municipalities_cli.command("list")
def list_municipalities() -> None:
    for m in db.session.scalars(select(Municipality).order_by(Municipality.name)):
        click.echo(f"{m.code}  {m.slug:20}  {m.name}")


@municipalities_cli.command("set-contacts")
@click.option("--municipality", "key", required=True, help="slug, kommunkod or name")
@click.option("--contact-email", help="where people write about the service and their data")
@click.option("--dpo-email", help="the municipality's data protection officer (dataskyddsombud)")
@click.option("--accessibility-email", help="where people report accessibility problems")
def set_contacts(key: str, contact_email: str | None, dpo_email: str | None, accessibility_email: str | None) -> None:
    """The municipality's addresses as controller, shown on its privacy notice and accessibility statement.

    An option left out stays as it is; an empty one ("") falls back to CONTACT_EMAIL.
    """
    municipality = _municipality(key)
    try:
        services.set_contacts(municipality, contact_email=contact_email, dpo_email=dpo_email,
                              accessibility_email=accessibility_email)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    db.session.commit()
    for name in services.CONTACT_FIELDS:
        click.echo(f"{name:20} {getattr(municipality, name) or '(CONTACT_EMAIL)'}")


@municipalities_cli.command("set-language")
@click.option("--municipality", "key", required=True, help="slug, kommunkod or name")
@click.option("--language", required=True, type=click.Choice(list(LANGUAGE_NAMES)),
              help="the language of its lägesbild and CSV exports (sv unless set)")
def set_language(key: str, language: str) -> None:
    """The language the municipality's lägesbild is written in for the EST meeting, whatever each reader chose."""
    municipality = _municipality(key)
    municipality.language = language
    db.session.commit()
    click.echo(f"{municipality.name}: lägesbild in {LANGUAGE_NAMES[language]} ({language})")


def _municipality(key: str | None) -> Municipality | None:
    if key is None:
        return None
    found = services.find_municipality(key)
    if found is None:
        raise click.BadParameter(f"no municipality {key!r} (use slug, kommunkod or name)")
    return found


@users_cli.command("create")
@click.option("--role", type=click.Choice([r.value for r in Role if r != Role.REPORTER]), required=True)
@click.option("--municipality", help="slug, kommunkod or name; required for coordinator and police")
@click.option("--covers", multiple=True, help="police only: further municipalities in the police area")
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option("--phone")
@click.option("--locale", type=click.Choice(list(LANGUAGE_NAMES)), default="sv")
@click.password_option(help="prompted for when left out")
def create_user(role, municipality, covers, name, email, phone, locale, password) -> None:
    try:
        phone = normalise_phone(phone) if phone else None
        user = services.create_staff(
            name=name, email=email, password=password, role=Role(role), municipality=_municipality(municipality),
            covers=[_municipality(key) for key in covers], phone=phone, locale=locale,
        )
    except PhoneNumberError as error:
        raise click.BadParameter(str(error.message), param_hint="--phone") from None
    except EmailTakenError:
        raise click.BadParameter(f"{email} has an account already", param_hint="--email") from None
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    db.session.commit()
    click.echo(f"created {user.role} {user.email}")


def _user(email: str):
    user = services.find_user(email)
    if user is None:
        raise click.BadParameter(f"no account with {email}", param_hint="--email")
    return user


@users_cli.command("set-role")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role if r != Role.REPORTER]), required=True)
@click.option("--municipality", help="slug, kommunkod or name; required when the person has none")
def set_role(email: str, role: str, municipality: str | None) -> None:
    """Change a person's role; they are logged out everywhere and staff set up two-factor login next time."""
    user = _user(email)
    try:
        services.change_role(user, Role(role), _municipality(municipality))
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    db.session.commit()
    click.echo(f"{user.email} is now {user.role}")


@users_cli.command("reset-mfa")
@click.option("--email", required=True)
def reset_mfa(email: str) -> None:
    """For a lost phone or a lock after wrong codes: removes the authenticator, recovery codes and the lock;
    the person sets it up again at login."""
    user = _user(email)
    mfa_services.reset(user)
    db.session.commit()
    click.echo(f"two-factor login reset for {user.email}; they set it up again at their next login")


@users_cli.command("reencrypt-totp")
def reencrypt_totp() -> None:
    """After putting a new key first in TOTP_ENCRYPTION_KEYS: encrypt every TOTP secret with it.

    The old key can then be removed from the setting."""
    count = mfa_services.reencrypt_secrets()
    db.session.commit()
    click.echo(f"{count} two-factor secrets encrypted with the first key of TOTP_ENCRYPTION_KEYS; "
               "older keys can now be removed")

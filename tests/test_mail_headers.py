"""Text people type never becomes a mail header: one-line fields refuse line breaks and control
characters, and email subjects are rendered on their own, collapsed to one line (issue 15, item 5)."""
import importlib
import pkgutil
from pathlib import Path

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import HiddenField, PasswordField, StringField, TextAreaField
from wtforms.fields.core import UnboundField

import watch
from tests.group_helpers import emails_to, make_group, neighbourhood_form
from watch.core.validators import SingleLine
from watch.messaging.email import render_for
from watch.models import Group, Role, User

ROOT = Path(__file__).resolve().parents[1]
INJECTED = "Eva Sjöberg\r\nBcc: alla@exempel.se"
REFUSED = "Skriv detta på en rad, utan radbrytningar, tabbar eller andra styrtecken."


def _form_classes():
    for module in pkgutil.walk_packages(watch.__path__, "watch."):
        importlib.import_module(module.name)
    found, todo = set(), [FlaskForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def test_every_single_line_field_refuses_line_breaks_and_control_characters(app):
    missing = []
    for form in _form_classes():
        for name in dir(form):
            unbound = getattr(form, name)
            if not isinstance(unbound, UnboundField) or not issubclass(unbound.field_class, StringField):
                continue
            if issubclass(unbound.field_class, (TextAreaField, PasswordField, HiddenField)):
                continue  # many lines on purpose; a password is never shown; hidden fields are set by scripts
            if not any(isinstance(v, SingleLine) for v in unbound.kwargs.get("validators") or ()):
                missing.append(f"{form.__module__}.{form.__qualname__}.{name}")
    assert missing == [], f"one-line fields without SingleLine(): {missing}"


@pytest.mark.parametrize("name", [INJECTED, "Eva\nSjöberg", "Eva\u2028Sjöberg", "Eva\x85Sjöberg", "Eva\tSjöberg",
                                  "Eva\x1b[31mSjöberg"])
def test_a_name_with_a_line_break_or_control_character_is_refused_at_registration(client, db, factory, name):
    municipality = factory.municipality()
    response = client.post("/register", data={
        "name": name, "email": "eva.sjoberg@exempel.se", "password": "Hamnvägen-12-brygga",
        "municipality": municipality.id, "locale": "sv", "phone": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and REFUSED in page and 'aria-invalid="true"' in page
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_surrounding_whitespace_is_dropped_rather_than_refused(db, factory, login):
    eva = factory.user(name="Eva Sjöberg")
    response = login(eva).post("/profile", data={"name": "\tEva Holm\r\n", "phone": "", "locale": "sv"})
    assert response.status_code == 302
    db.session.refresh(eva)
    assert eva.name == "Eva Holm"


def test_profile_and_group_forms_refuse_a_line_break_in_a_name(db, factory, login):
    eva = factory.user(name="Eva Sjöberg")
    client = login(eva)
    page = client.post("/profile", data={"name": INJECTED, "phone": "", "locale": "sv"}).get_data(as_text=True)
    assert REFUSED in page
    db.session.refresh(eva)
    assert eva.name == "Eva Sjöberg"

    page = client.post("/groups/register/neighbourhood", data=neighbourhood_form(name="Ramdalen\r\nBcc: x@exempel.se"))
    assert REFUSED in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Group.id))) == 0


def test_a_name_stored_with_a_line_break_before_the_fix_still_gives_a_one_line_subject(db, factory, login):
    eva = factory.user(name="Eva Sjöberg")
    maria = factory.user(name="Maria Holm")
    group = make_group(eva, name="Västra vägen\nnorra")
    maria.name = "Maria Holm\r\nBcc: alla@exempel.se\r\n\r\nFalsk text"  # typed before line breaks were refused
    db.session.commit()
    assert login(maria).post(f"/groups/{group.id}/join").status_code == 302
    [email] = emails_to(db, eva)
    assert email.subject == "Maria Holm Bcc: alla@exempel.se Falsk text vill gå med i Västra vägen norra"
    assert "\n" not in email.subject and "\r" not in email.subject


def test_subject_and_body_are_rendered_separately_whatever_the_first_line(app, db, factory):
    coordinator = factory.user(Role.COORDINATOR, name="Anna\u2029Berg\x0b", locale="en")
    subject, body = render_for(coordinator, "messaging/email/password_reset.txt", link="https://exempel.se/x")
    assert subject == "Choose a new password for Grannsamverkan"
    assert body.startswith("Hello Anna") and "https://exempel.se/x" in body


def test_every_email_template_has_a_subject_block_and_a_body_block():
    templates = sorted(ROOT.glob("templates/**/email/*.txt"))
    assert templates
    for template in templates:
        text = template.read_text()
        assert text.startswith("{% block subject %}") and "{% block body %}" in text, template

"""Locale choice and the `flask translate` commands around pybabel."""
import os
import subprocess
import sys
from collections.abc import Mapping

import click
from flask import Flask, current_app, request
from flask_login import current_user
from werkzeug.datastructures import LanguageAccept

from watch.core.static_files import is_static_request

LANGUAGE_COOKIE = "lang"


def select_locale() -> str:
    """The user's saved setting, then their explicit choice (cookie), then the browser, then Swedish."""
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return visitor_locale(request.cookies, request.accept_languages, current_app.config)


def visitor_locale(cookies: Mapping[str, str], accept_languages: LanguageAccept, config: Mapping) -> str:
    """A visitor who is not logged in: their explicit choice (cookie), then the browser, then Swedish."""
    languages = config["LANGUAGES"]
    if (chosen := cookies.get(LANGUAGE_COOKIE)) in languages:
        return chosen
    return browser_locale(accept_languages, languages) or config["BABEL_DEFAULT_LOCALE"]


def browser_locale(accept_languages: LanguageAccept, languages) -> str | None:
    """The browser's most wanted language the portal speaks, by its primary tag: "so-SO, ar;q=0.5" is
    Somali (werkzeug's best_match would prefer the exact "ar" to the regional "so-SO")."""
    for value, quality in accept_languages:  # best first
        if quality > 0 and (primary := value.replace("_", "-").split("-")[0].lower()) in languages:
            return primary
    return None


def language_menu_return() -> str:
    """Where a language choice returns to: this page, or the front page when this address answers no GET
    (the page shown after a refused post to /language itself)."""
    if request.url_rule is not None and "GET" not in request.url_rule.methods:
        return "/"
    return request.full_path if request.query_string else request.path


def init_app(app: Flask) -> None:
    app.jinja_env.globals["language_menu_return"] = language_menu_return

    @app.after_request
    def vary_on_language(response):
        if not is_static_request():
            response.vary.add("Accept-Language")
            response.vary.add("Cookie")
        return response


def _pybabel(*args: str) -> None:
    root = os.path.dirname(current_app.config["BABEL_TRANSLATION_DIRECTORIES"])
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", *args], cwd=root, check=True)


@click.group()
def translate() -> None:
    """Extract, update and compile the message catalogues."""


@translate.command()
def extract() -> None:
    """Write messages.pot from the code and templates."""
    _pybabel("extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "--no-location", "--sort-output",
             "-o", "messages.pot", ".")


@translate.command()
def update() -> None:
    """Extract, then merge new messages into every catalogue."""
    extract.callback()
    _pybabel("update", "-i", "messages.pot", "-d", "translations", "--no-fuzzy-matching", "--ignore-obsolete")
    os.remove(os.path.join(os.path.dirname(current_app.config["BABEL_TRANSLATION_DIRECTORIES"]), "messages.pot"))


@translate.command()
def compile() -> None:  # noqa: A001 - the pybabel verb
    """Build the .mo files the app reads."""
    _pybabel("compile", "-d", "translations", "--statistics")


@translate.command()
@click.argument("lang")
def init(lang: str) -> None:
    """Start a catalogue for a new language."""
    extract.callback()
    _pybabel("init", "-i", "messages.pot", "-d", "translations", "-l", lang)
    os.remove(os.path.join(os.path.dirname(current_app.config["BABEL_TRANSLATION_DIRECTORIES"]), "messages.pot"))

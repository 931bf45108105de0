"""Template globals and filters used across features."""
from babel import Locale
from flask import Flask
from flask_babel import force_locale, get_locale
from markupsafe import Markup

from watch.core.languages import LANGUAGE_NAMES, text_direction
from watch.core.pagination import page_url
from watch.core.phone import display_phone, mask_phone
from watch.core.postcodes import format_postcode
from watch.core.static_files import is_static_request


def input_attrs(field) -> dict[str, str]:
    """ARIA attributes that tie an input to its hint and error text; phone numbers, postcodes and
    codes are typed left to right in every language."""
    described = [f"{field.id}-hint"] if field.description else []
    attrs = {}
    if field.type == "TelField" or (field.render_kw or {}).get("inputmode") in ("tel", "numeric"):
        attrs["dir"] = "ltr"
    if field.errors:
        described.append(f"{field.id}-error")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return attrs


def in_language(language: str, render, *args, **kwargs) -> Markup:
    """A macro's output in another language than the page's: a document the page shows (the lägesbild in its
    municipality's language). Put it in an element with that `lang` and `dir`."""
    with force_locale(language):
        return Markup(render(*args, **kwargs))


def language_name(language: str, written_in: str) -> str:
    """A language's name as written in another (or the same) language: ("sv", "sv") → "svenska"."""
    return Locale.parse(language).get_display_name(written_in) or language


def left_to_right(value) -> Markup:
    """Phone numbers, postcodes and serial numbers read left to right on an Arabic page too:
    isolated, so that neither they nor the sentence around them reorder."""
    return Markup('<bdi dir="ltr">%s</bdi>') % value


def init_app(app: Flask) -> None:
    app.jinja_env.globals["input_attrs"] = input_attrs
    app.jinja_env.globals["interface_languages"] = LANGUAGE_NAMES
    app.jinja_env.globals["text_direction"] = text_direction
    app.jinja_env.filters["ltr"] = left_to_right
    app.jinja_env.globals["page_url"] = page_url
    app.jinja_env.globals["in_language"] = in_language
    app.jinja_env.globals["language_name"] = language_name
    app.jinja_env.filters["phone"] = display_phone
    app.jinja_env.filters["masked_phone"] = mask_phone
    app.jinja_env.filters["postcode"] = format_postcode

    @app.context_processor
    def locale_context():
        locale = str(get_locale())
        return {"current_locale": locale, "current_direction": text_direction(locale)}

    @app.after_request
    def vary_on_htmx(response):
        # Pages answer htmx with a fragment and browsers with the whole page: caches must keep both.
        if not is_static_request():
            response.vary.add("HX-Request")
        return response

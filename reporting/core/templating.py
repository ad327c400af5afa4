"""Helpers every template may call."""
from functools import lru_cache

from babel import Locale
from babel.numbers import format_decimal
from flask import Flask
from jinja2.ext import _make_new_gettext, _make_new_ngettext
from flask_babel import format_number, get_locale, get_translations, lazy_gettext as _l
from flask_login import current_user

from reporting.countries.services import country_name, region_name
from reporting.models import Role

ROLE_LABELS = {
    Role.ADMIN.value: _l("Administrator"),
    Role.COMPILER.value: _l("Compiler"),
    Role.FOCAL_POINT.value: _l("National focal point"),
    Role.CONTRIBUTOR.value: _l("Contributor"),
    Role.VIEWER.value: _l("Viewer"),
}

# (endpoint, label, roles that see it); None means every signed-in user.
NAV = [
    ("responses.index", _l("Reporting cycles"), None),
    ("countries.index", _l("Countries"), None),
    ("reports.index", _l("Reports"), None),
    ("admin.users", _l("Accounts"), (Role.ADMIN,)),
    ("admin.outbox", _l("Outbox"), (Role.ADMIN,)),
]


def nav_items():
    role = current_user.role_enum
    return [(endpoint, label) for endpoint, label, roles in NAV if roles is None or role in roles]


def language_choices(languages):
    """Each language named in itself (endonym), as CLDR writes it."""
    choices = []
    for code in languages:
        name = Locale.parse(code).get_display_name(code)
        choices.append((code, name[:1].upper() + name[1:]))
    return choices


def runtime_translator() -> dict:
    """``tr``: runtime text (spec wording, commitment titles) looked up in the
    request's catalog as is. Unlike ``_`` it does no %-formatting, so a literal
    "%" is safe, and it is bound once per request: a section page calls it
    hundreds of times.

    ``_`` and ``ngettext`` are bound to the same catalog here too: Flask-Babel's
    installed callables find the locale, domain and catalog again on every call
    (about eighty times on a section page). Wrapped as Jinja's i18n extension
    wraps them (new style: autoescaped, %-formatted), so they behave the same."""
    translations = get_translations()
    return {"tr": translations.gettext, "gettext": _make_new_gettext(translations.gettext),
            "ngettext": _make_new_ngettext(translations.ngettext)}


@lru_cache(maxsize=4096)
def _whole_number(number: int, locale: Locale) -> str:
    return format_decimal(number, locale=locale)


def number_text(number, locale: Locale | None = None) -> str:
    """The ``numberformat`` filter: Flask-Babel's, with a whole number's text kept per locale.
    A section page writes about fifty progress counts, and Babel formats each from scratch
    (``locale``: the request's, looked up once by a caller that writes many)."""
    if isinstance(number, int) and not isinstance(number, bool):
        return _whole_number(number, locale or get_locale())
    return format_number(number)


def init_app(app: Flask) -> None:
    app.context_processor(runtime_translator)
    app.jinja_env.filters["numberformat"] = number_text
    choices = language_choices(app.config["LANGUAGES"])
    app.jinja_env.globals.update(
        nav_items=nav_items,
        role_label=lambda role: ROLE_LABELS.get(role, role),
        country_name=country_name,
        region_name=region_name,
        language_choices=lambda: choices,
    )

"""Locale selection and locale-aware formatting shared by pages and reports.

Order: the language a public page names in its URL (``/public/ar/…``, set in
``g.page_language`` by that blueprint), then the signed-in user's saved
preference, then the language chosen with the switcher in this browser
session, then ``Accept-Language``, then English.
"""
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

from reporting.config import RTL_LANGUAGES
from reporting.extensions import babel

SESSION_KEY = "lang"
# CLDR's plain "en" follows US conventions (June 30, 2026); UN documents
# write "30 June 2026", as CLDR's world English (en_001) does.
FORMAT_LOCALES = {"en": "en_001"}


def babel_locale(language: str) -> str:
    """The CLDR locale used to translate and format for one of the six languages."""
    return FORMAT_LOCALES.get(language, language)


def select_locale() -> str:
    return babel_locale(_preferred_language())


def _preferred_language() -> str:
    if not has_request_context():  # the CLI, a build thread: messages in the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    languages = current_app.config["LANGUAGES"]
    if g.get("page_language") in languages:
        return g.page_language
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get(SESSION_KEY) in languages:
        return session[SESSION_KEY]
    return request.accept_languages.best_match(languages) or "en"


def current_language() -> str:
    return get_locale().language if get_locale() else "en"


def text_direction(language: str | None = None) -> str:
    return "rtl" if (language or current_language()) in RTL_LANGUAGES else "ltr"


def html_lang(language: str | None = None) -> str:
    """The BCP 47 tag for ``lang=``: zh is Simplified Chinese, so fonts pick SC glyphs."""
    language = language or current_language()
    return "zh-CN" if language == "zh" else language


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def inject_language():
        return {"lang": current_language(), "html_lang": html_lang(), "text_dir": text_direction()}

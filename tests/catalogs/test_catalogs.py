"""All six languages: complete catalogs, translated pages, locale formats."""
from datetime import date

import polib
import pytest
from flask_babel import format_date, format_decimal, format_percent, force_locale

from reporting.catalogs.check import TRANSLATIONS, check_catalogs
from tests.conftest import csrf_token

LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")
SIGN_IN = {"ar": "تسجيل الدخول", "zh": "登录", "en": "Sign in", "fr": "Se connecter", "ru": "Войти", "es": "Iniciar sesión"}


def test_catalogs_are_complete_and_current(app):
    problems = check_catalogs(LANGUAGES)
    assert not problems, "\n".join(map(str, problems[:30]))


def test_cli_check_passes(runner):
    result = runner.invoke(args=["translations", "check"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_forms_match_the_language(language):
    catalog = polib.pofile(str(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"))
    expected = {"ar": 6, "zh": 1, "en": 2, "fr": 2, "ru": 3, "es": 2}[language]
    assert f"nplurals={expected};" in catalog.metadata["Plural-Forms"]
    for entry in catalog:
        if entry.msgid_plural:
            assert len(entry.msgstr_plural) == expected, entry.msgid


def test_check_reports_a_missing_translation(app, tmp_path, monkeypatch):
    import reporting.catalogs.check as check

    for language in LANGUAGES:
        folder = tmp_path / language / "LC_MESSAGES"
        folder.mkdir(parents=True)
        folder.joinpath("messages.po").write_bytes((TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").read_bytes())
    catalog = polib.pofile(str(tmp_path / "fr" / "LC_MESSAGES" / "messages.po"))
    catalog.find("Sign in").msgstr = ""
    catalog.find("Sign out").flags.append("fuzzy")
    catalog.save()
    monkeypatch.setattr(check, "TRANSLATIONS", tmp_path)
    problems = [str(problem) for problem in check.check_catalogs(LANGUAGES)]
    assert "fr/messages.po: not translated: 'Sign in'" in problems
    assert "fr/messages.po: fuzzy: 'Sign out'" in problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_sign_in_page_in_each_language(client, language):
    token = csrf_token(client)
    client.post("/language", data={"lang": language, "next": "/login", "csrf_token": token})
    page = client.get("/login").get_data(as_text=True)
    assert f"<h1>{SIGN_IN[language]}</h1>" in page
    assert ('dir="rtl"' in page) == (language == "ar")


@pytest.mark.parametrize(
    ("language", "number", "percent", "day"),
    [
        ("en", "1,234,567.5", "42%", "30 June 2026"),
        ("fr", "1\u202f234\u202f567,5", "42\u00a0%", "30 juin 2026"),
        ("es", "1.234.567,5", "42\u00a0%", "30 de junio de 2026"),
        ("ru", "1\u00a0234\u00a0567,5", "42\u00a0%", "30 июня 2026\u202fг."),
        ("zh", "1,234,567.5", "42%", "2026年6月30日"),
        ("ar", "1,234,567.5", "42%", "30 يونيو 2026"),
    ],
)
def test_numbers_and_dates_follow_the_locale(app, language, number, percent, day):
    from reporting.core.i18n import babel_locale

    with app.test_request_context(), force_locale(babel_locale(language)):
        assert format_decimal(1234567.5) == number
        assert format_percent(0.42) == percent
        assert format_date(date(2026, 6, 30), "long") == day

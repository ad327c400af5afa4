"""``flask translations …``"""
import functools

import click
from flask import current_app
from flask.cli import AppGroup
import polib

from reporting.catalogs.check import ROOT, TEMPLATE, TRANSLATIONS, CatalogToolError, check_catalogs, extract, run_babel

translations_cli = AppGroup("translations", help="Extract, update, check and compile the gettext catalogs.")


def _tool_errors_as_click(command):
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except CatalogToolError as error:
            raise click.ClickException(str(error)) from None

    return wrapper


@translations_cli.command("update")
@_tool_errors_as_click
def update() -> None:
    """Extract every string into messages.pot and merge it into the six catalogs."""
    extract(TEMPLATE)
    # One line per message (no wrapping): diffs stay small and every entry is greppable.
    run_babel("update", "-i", str(TEMPLATE), "-d", str(TRANSLATIONS), "--no-fuzzy-matching", "--ignore-obsolete", "--no-wrap")
    english = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
    catalog = polib.pofile(str(english), wrapwidth=0)
    for entry in catalog:  # the source language translates to itself
        if entry.msgid_plural:
            entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
        else:
            entry.msgstr = entry.msgid
    catalog.save()
    run_babel("compile", "-d", str(TRANSLATIONS))
    click.echo(f"Updated {TEMPLATE.relative_to(ROOT)} and the catalogs in {TRANSLATIONS.relative_to(ROOT)}.")


@translations_cli.command("compile")
@_tool_errors_as_click
def compile_() -> None:
    """Compile the .po catalogs into the .mo files the app reads."""
    run_babel("compile", "-d", str(TRANSLATIONS))


@translations_cli.command("check")
@_tool_errors_as_click
def check() -> None:
    """Fail on any missing, fuzzy or obsolete entry, placeholder mismatch, or stale catalog."""
    problems = check_catalogs(tuple(current_app.config["LANGUAGES"]))
    for problem in problems[:200]:
        click.echo(str(problem), err=True)
    if problems:
        more = " (first 200 shown)" if len(problems) > 200 else ""
        raise click.ClickException(f"{len(problems)} translation problem(s){more}")
    click.echo("All six catalogs are complete and up to date.")

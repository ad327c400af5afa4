"""What every CLI command shares: database failures become one clear line, not a traceback."""
import functools
import re

import click
from flask import current_app
from sqlalchemy.exc import OperationalError, ProgrammingError


def _database_label() -> str:
    """The database URL without its password."""
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", current_app.config["SQLALCHEMY_DATABASE_URI"])


def database_errors_as_click(command):
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except (OperationalError, ProgrammingError) as error:
            reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
            hint = " (run `flask db upgrade` first?)" if "no such table" in reason or "does not exist" in reason else ""
            raise click.ClickException(f"database {_database_label()}: {reason}{hint}") from None

    return wrapper

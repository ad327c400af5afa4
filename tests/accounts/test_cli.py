"""``flask users create``: good input creates a hashed account, bad input writes nothing."""
import pytest
from sqlalchemy import func, select

from reporting.models import AuditEvent, User

GOOD = "a long enough passphrase"


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_create_focal_point(runner, db):
    result = runner.invoke(args=["users", "create", "fp@example.org", "--role", "focal_point", "--country", "mex"], input=f"{GOOD}\n{GOOD}\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "fp@example.org"))
    assert user.country.iso3 == "MEX"
    assert GOOD not in user.password_hash and user.password_hash.startswith("scrypt:")


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["x@example.org", "--role", "boss"], GOOD, "unknown role 'boss'"),
        (["x@example.org", "--role", "viewer", "--country", "ZZZ"], GOOD, "unknown country code 'ZZZ'"),
        (["x@example.org", "--role", "viewer"], GOOD, "needs a country"),
        (["x@example.org", "--role", "compiler", "--country", "FRA"], GOOD, "covers all countries"),
        (["x@example.org", "--role", "compiler"], "short", "password is too short"),
        (["not-an-email", "--role", "compiler"], GOOD, "is not valid"),
    ],
)
def test_bad_input_is_one_clear_line_and_writes_nothing(runner, db, args, password, message):
    before = count(db, User), count(db, AuditEvent)
    result = runner.invoke(args=["users", "create", *args], input=f"{password}\n{password}\n")
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert (count(db, User), count(db, AuditEvent)) == before


def test_duplicate_email_is_refused(runner, db):
    runner.invoke(args=["users", "create", "dup@example.org", "--role", "compiler"], input=f"{GOOD}\n{GOOD}\n")
    result = runner.invoke(args=["users", "create", "DUP@example.org", "--role", "compiler"], input=f"{GOOD}\n{GOOD}\n")
    assert result.exit_code != 0 and "already exists" in result.output
    assert count(db, User) == 1


def test_unreachable_database_is_a_clear_error(tmp_path):
    from reporting import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u:secret@127.0.0.1:1/none"})
    result = app.test_cli_runner().invoke(args=["users", "create", "x@example.org", "--role", "compiler"], input=f"{GOOD}\n{GOOD}\n")
    assert result.exit_code != 0
    assert "database postgresql+psycopg://u:***@127.0.0.1:1/none" in result.output
    assert "secret" not in result.output

"""People and e-mail on PostgreSQL, the deployment database: the contributor role
passes the database's role checks, a batch of messages is claimed with
UPDATE … RETURNING, and a reminder is refused twice by the unique key."""
import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

pytestmark = pytest.mark.postgres


def test_contributor_outbox_and_reminder_key_on_postgresql(postgres_app):
    from datetime import date

    from flask_migrate import upgrade

    from reporting.accounts.services import create_user, send_password_reset
    from reporting.countries.services import load_countries
    from reporting.database import write_transaction
    from reporting.extensions import db
    from reporting.models import Country, OutboxMessage, ReminderSent, User
    from reporting.notifications.delivery import _claim, deliver_pending
    from tests.conftest import SPEC, store_spec
    from reporting.responses.cycles import open_cycle

    upgrade()
    with write_transaction():
        load_countries()
        user = create_user("health@fra.example.org", "a long enough passphrase", "contributor", "FRA", name="Claire")
    with pytest.raises(IntegrityError):  # the database itself: a contributor belongs to a country
        with write_transaction():
            db.session.add(User(email="x@example.org", password_hash="", role="contributor", country_id=None))

    with write_transaction():
        send_password_reset(user)
    assert _claim() != [] and _claim() == []  # a claimed batch is nobody else's
    with write_transaction():
        db.session.execute(OutboxMessage.__table__.update().values(status="pending", attempts=0))
    assert deliver_pending() == (1, 0)  # no MAIL_SERVER here: written to the log, kept in the outbox
    assert db.session.scalar(select(OutboxMessage.status)) == "logged"

    with write_transaction():
        store_spec(SPEC)
    with write_transaction():
        cycle = open_cycle("2025", SPEC["version"], date(2030, 1, 1))
        france = db.session.scalar(select(Country.id).where(Country.iso3 == "FRA"))
        db.session.add(ReminderSent(cycle_id=cycle.id, country_id=france, days_before=7))
    with pytest.raises(IntegrityError):
        with write_transaction():
            db.session.add(ReminderSent(cycle_id=cycle.id, country_id=france, days_before=7))

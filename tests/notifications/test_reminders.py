"""``flask cycle remind``: safe to run every day, never the same reminder twice,
only to countries that have not submitted."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from reporting.database import write_transaction
from reporting.models import Country, ReminderSent, Submission
from reporting.responses.cycles import open_cycle


@pytest.fixture
def due_cycle(spec_version, db):
    """A cycle whose deadline is 6 days away: the 7-day reminder is due."""
    with write_transaction():
        cycle = open_cycle("2026", spec_version.version, date.today() + timedelta(days=6))
    return cycle


def test_reminds_countries_that_have_not_submitted_once(runner, db, due_cycle, user_factory, mailbox):
    user_factory("focal_point", "FRA", email="fp@fra.example.org")
    user_factory("focal_point", "KEN", email="fp@ken.example.org", locale="fr")
    user_factory("focal_point", "MEX", email="fp@mex.example.org")
    with write_transaction():
        db.session.execute(
            Submission.__table__.update()
            .where(Submission.cycle_id == due_cycle.id,
                   Submission.country_id == select(Country.id).where(Country.iso3 == "MEX").scalar_subquery())
            .values(state="submitted")
        )
    mailbox.clear()  # the cycle-opened messages
    result = runner.invoke(args=["cycle", "remind", "2026", "--days", "14,7,1"])
    assert result.exit_code == 0, result.output
    assert "reminded 2 countries (2 messages)" in result.output
    [message] = mailbox.to("fp@fra.example.org")
    assert message["Subject"] == "Reminder: the questionnaire of cycle 2026 is due in 6 days"
    assert "https://reporting.example.org/cycles/2026/FRA/" in message.get_content()
    assert mailbox.to("fp@ken.example.org")[0]["Content-Language"] == "fr"
    assert mailbox.to("fp@mex.example.org") == []  # submitted: no reminder

    again = runner.invoke(args=["cycle", "remind", "2026", "--days", "14,7,1"])
    assert again.exit_code == 0 and "reminded 0 countries" in again.output and "2 already reminded" in again.output
    assert len(mailbox.to("fp@fra.example.org")) == 1
    assert db.session.scalar(select(func.count()).select_from(ReminderSent)) == 2
    assert db.session.scalar(select(ReminderSent.days_before).limit(1)) == 7


def test_nothing_before_the_first_threshold(runner, db, due_cycle, user_factory, mailbox):
    user_factory("focal_point", "FRA", email="fp@fra.example.org")
    mailbox.clear()
    result = runner.invoke(args=["cycle", "remind", "2026", "--days", "3,1"])
    assert result.exit_code == 0 and "reminded 0 countries" in result.output
    assert mailbox.messages == []


@pytest.mark.parametrize(("args", "message"), [
    (["2026", "--days", "14,x"], "'x' is not a whole number of days"),
    (["2026", "--days", "0"], "between 1 and 365"),
    (["2026", "--days", "7,7"], "repeated"),
    (["2026", "--days", ""], "is not a whole number"),
    (["nope"], "unknown cycle 'nope'"),
])
def test_bad_arguments_are_one_clear_line_and_send_nothing(runner, db, due_cycle, mailbox, args, message):
    mailbox.clear()
    result = runner.invoke(args=["cycle", "remind", *args])
    assert result.exit_code != 0 and message in result.output and "Traceback" not in result.output
    assert db.session.scalar(select(func.count()).select_from(ReminderSent)) == 0 and mailbox.messages == []


def test_closed_cycle_is_refused(runner, db, due_cycle):
    runner.invoke(args=["cycle", "close", "2026"])
    result = runner.invoke(args=["cycle", "remind", "2026"])
    assert result.exit_code != 0 and "reminders are sent only while a cycle is open" in result.output

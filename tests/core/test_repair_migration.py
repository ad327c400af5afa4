"""Migration 0003 repairs text stored before the input boundary existed, in
answers, review comments and the (append-only) audit log, and leaves the
audit log append-only afterwards."""
from flask_migrate import downgrade, upgrade
import pytest
from sqlalchemy import insert, select, text

from reporting import audit
from reporting.database import write_transaction
from reporting.extensions import db
from reporting.models import Answer, AuditEvent, ReviewComment, Submission
from reporting.models.base import utcnow as audit_time
from tests.conftest import login

BAD = "Word\x0bpaste\x00 bad \ud800 Cafe\u0301\r\nend"
REPAIRED = "Wordpaste bad  Caf\u00e9\nend"
# A text column cannot hold a surrogate (the driver refuses it), only the JSON columns can.
BAD_COMMENT, REPAIRED_COMMENT = "Add\x0b measures\x1b.\r\n", "Add measures.\n"


def test_upgrade_repairs_answers_comments_and_audit_values(app, client, cycle, user_factory):
    compiler = user_factory("compiler", None, email="c@unodc.example.org")
    user_factory("focal_point", "FRA", email="fp@fra.example.org")
    downgrade(revision="0003_documents")
    with write_transaction():
        # Core statements naming only the columns of that revision (later ones add columns,
        # e.g. submissions.may_publish, that the ORM would read).
        submission_id, country_id = db.session.execute(
            select(Submission.id, Submission.country_id).join(Submission.country)
            .where(Submission.cycle_id == cycle.id).filter_by(iso3="FRA")).one()
        for key, value in (("t.1.measures", BAD), ("t.1.status", "planned")):
            db.session.execute(insert(Answer.__table__).values(
                submission_id=submission_id, key=key, value=value, carried_over=False, updated_at=audit_time()))
        db.session.execute(insert(ReviewComment.__table__).values(
            submission_id=submission_id, section_key="dr-prevention", text=BAD_COMMENT, author_id=compiler.id,
            created_at=audit_time()))
        audit.record("answer.changed", "answer", "t.1.measures", submission_id=submission_id, country_id=country_id,
                     key="t.1.measures", old=None, new={"nested": [BAD]})
    # Before the repair the section page showing the answer cannot be written out at all (or,
    # when a later migration added a column the code now reads, not even be read: a 500).
    login(client, "fp@fra.example.org")
    try:
        broken = client.get("/cycles/2025/FRA/dr-prevention")
    except UnicodeEncodeError:
        pass
    else:
        assert broken.status_code == 500

    upgrade()

    db.session.rollback()
    assert db.session.scalar(select(Answer.value).where(Answer.key == "t.1.measures")) == REPAIRED
    assert db.session.scalar(select(ReviewComment.text)) == REPAIRED_COMMENT
    repaired_event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "answer.changed"))
    assert repaired_event.new == {"nested": [REPAIRED]}
    note = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "audit.repaired"))
    assert note.actor == "system" and note.new["answers"] and note.new["review_comments"] and note.new["audit_events"] == [repaired_event.id]
    # The pages that failed now work, and the log is append-only again.
    assert client.get("/cycles/2025/FRA/history").status_code == 200
    assert client.get("/cycles/2025/FRA/dr-prevention").status_code == 200
    with pytest.raises(Exception, match="append-only"):
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE audit_events SET action = 'forged'"))


def test_upgrade_of_clean_data_changes_nothing(app, cycle, user_factory):
    user_factory("compiler", None, email="c@unodc.example.org")
    downgrade(revision="0003_documents")
    before = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    upgrade()
    db.session.rollback()
    assert db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) == before


@pytest.mark.postgres
def test_repair_on_postgresql_recreates_the_append_only_trigger(postgres_app):
    """PostgreSQL guards the log with a trigger function: dropped and recreated around the repair."""
    upgrade(revision="0003_documents")
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO audit_events (occurred_at, actor, action, object_type, new) "
            "VALUES (now(), 'system', 'answer.changed', 'answer', CAST(:new AS JSON))"), {"new": '"From Word\\u000btext"'})
    upgrade()
    db.session.rollback()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "answer.changed"))
    assert event.new == "From Wordtext"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "audit.repaired")).new["audit_events"] == [event.id]
    with pytest.raises(Exception, match="append-only"):
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE audit_events SET action = 'forged'"))

"""The audit log has no update or delete path."""
import pytest
from sqlalchemy import delete, update

from reporting import audit
from reporting.audit import AuditLogIsAppendOnly
from reporting.database import write_transaction
from reporting.models import AuditEvent


def test_orm_refuses_to_change_or_delete_an_event(db):
    with write_transaction():
        event = audit.record("test.event", "test", new="x")
    with pytest.raises(AuditLogIsAppendOnly):
        with write_transaction():
            db.session.merge(event).new = "forged"
    with pytest.raises(AuditLogIsAppendOnly):
        with write_transaction():
            db.session.delete(db.session.merge(event))
    with pytest.raises(AuditLogIsAppendOnly):
        with write_transaction():
            db.session.execute(update(AuditEvent).values(action="forged"))
    with pytest.raises(AuditLogIsAppendOnly):
        with write_transaction():
            db.session.execute(delete(AuditEvent))
    assert db.session.get(AuditEvent, event.id).new == "x"

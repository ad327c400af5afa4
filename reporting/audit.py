"""The append-only audit log: one way in (``record``, or ``record_many`` for a batch of
events of one kind), no way to change or remove.

Updates and deletes are refused here in the ORM and, independently, by
database triggers (see the first migration), so neither a bug nor a
hand-written query can rewrite history.
"""
from typing import Any, Iterable

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import Delete, Update, event, insert
from sqlalchemy.orm import Session

from reporting.extensions import db
from reporting.models import AuditEvent


class AuditLogIsAppendOnly(RuntimeError):
    pass


def _actor() -> tuple[int | None, str]:
    if has_request_context() and current_user.is_authenticated:
        return current_user.id, current_user.email
    return None, "system"


def record(
    action: str,
    object_type: str,
    object_id: Any = None,
    *,
    country_id: int | None = None,
    submission_id: int | None = None,
    key: str | None = None,
    old: Any = None,
    new: Any = None,
    actor: tuple[int | None, str] | None = None,
    session: Session | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction (it commits with the change it describes)."""
    actor_id, actor_label = actor or _actor()
    event_ = AuditEvent(
        actor_id=actor_id,
        actor=actor_label,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        country_id=country_id,
        submission_id=submission_id,
        key=key,
        old=old,
        new=new,
    )
    (session or db.session).add(event_)
    return event_


def record_many(action: str, object_type: str, events: Iterable[dict[str, Any]], *, session: Session | None = None) -> None:
    """Events of one kind, each a dict of ``record``'s keyword arguments (``object_id`` given
    as text), written at once with one statement: a save that changes 50 answers makes 50
    events, and an ORM object and an INSERT for each was a good part of its time."""
    actor_id, actor_label = _actor()
    rows = [{"actor_id": actor_id, "actor": actor_label, "action": action, "object_type": object_type,
             "object_id": None, "country_id": None, "submission_id": None, "key": None, "old": None, "new": None, **event_}
            for event_ in events]
    if rows:
        (session or db.session).execute(insert(AuditEvent), rows)


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_change(_mapper, _connection, target) -> None:
    raise AuditLogIsAppendOnly(f"audit event {target.id} cannot be changed or deleted")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_change(state) -> None:
    statement = state.statement
    if isinstance(statement, (Update, Delete)) and statement.table.name == AuditEvent.__tablename__:
        raise AuditLogIsAppendOnly("the audit log cannot be changed or deleted")

"""hardening: repair stored text, record the last use of API tokens, keep saves that outlived their session

Revision ID: 0003_hardening
Revises: 0003_documents

Before the input boundary (``reporting.core.inputs``) existed, answers,
review comments and audit values could hold control characters (a paste from
Word brings ``\\x0b``), unpaired surrogates (``"\\ud800"`` in JSON) and
non-NFC text. Such a value broke the XLSX and CSV exports, the report build,
the section page and, through the audit log, the history page for ever. This
migration rewrites each of them with ``repair_text`` (line breaks unified,
the forbidden characters dropped, NFC), so they read as the boundary would
have stored them.

The audit log is append-only, enforced by database triggers (see 0001). The
repair is the one deliberate exception: the triggers are dropped, the
affected values rewritten, and the triggers recreated, all inside the one
transaction Alembic runs this migration in (PostgreSQL and SQLite both undo
DDL on rollback), so no other writer ever sees the log unguarded and a failed
repair leaves the triggers in place. The repair itself is
recorded as an audit event ("audit.repaired") with the ids it touched.

Downgrade removes the column only: the repaired text cannot be un-repaired,
and nothing needs it to be.
"""
from datetime import datetime, timezone
import json

from alembic import op
import sqlalchemy as sa

from reporting.core.inputs import repair_json, repair_text

revision = "0003_hardening"
down_revision = "0003_documents"
branch_labels = None
depends_on = None

# Same statements as 0001 creates and drops; repeated here because a migration must not change with later code.
AUDIT_TRIGGERS = {
    "sqlite": [
        "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
        "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
    ],
    "postgresql": [
        "CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'audit log is append-only'; END $$",
        "CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
    ],
}
DROP_AUDIT_TRIGGERS = {
    "sqlite": ["DROP TRIGGER audit_events_no_update", "DROP TRIGGER audit_events_no_delete"],
    "postgresql": [
        "DROP TRIGGER audit_events_no_change ON audit_events",
        "DROP FUNCTION audit_events_append_only()",
    ],
}


def _load(raw):
    """A JSON column as read by a plain SELECT: SQLite hands back its text, PostgreSQL
    (psycopg) the decoded value, where a JSON string is already a Python ``str``."""
    if isinstance(raw, str) and op.get_bind().dialect.name == "sqlite":
        return json.loads(raw)
    return raw


def _repair_json_column(connection, table: str, columns: list[str]) -> list[int]:
    """Rewrite the JSON ``columns`` of rows whose strings need repair; returns the ids changed."""
    changed = []
    select = sa.text(f"SELECT id, {', '.join(columns)} FROM {table} ORDER BY id")  # fixed names, no input
    update = sa.text(
        f"UPDATE {table} SET {', '.join(f'{column} = :{column}' for column in columns)} WHERE id = :id"
    ).bindparams(*(sa.bindparam(column, type_=sa.JSON(none_as_null=True)) for column in columns))
    for row in connection.execute(select).all():
        values = {column: _load(getattr(row, column)) for column in columns}
        repaired = {column: repair_json(value) for column, value in values.items()}
        if repaired != values:
            connection.execute(update, {"id": row.id, **repaired})
            changed.append(row.id)
    return changed


def upgrade():
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "pending_saves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("formdata", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_pending_saves_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_saves")),
    )
    with op.batch_alter_table("pending_saves", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pending_saves_user_id"), ["user_id"], unique=False)

    connection = op.get_bind()
    dialect = connection.dialect.name
    answers = _repair_json_column(connection, "answers", ["value"])
    comments = []
    for row in connection.execute(sa.text("SELECT id, text FROM review_comments")).all():
        repaired = repair_text(row.text)
        if repaired != row.text:
            connection.execute(sa.text("UPDATE review_comments SET text = :text WHERE id = :id"), {"id": row.id, "text": repaired})
            comments.append(row.id)

    needs_repair = [
        row.id for row in connection.execute(sa.text("SELECT id, old, new FROM audit_events")).all()
        if repair_json(_load(row.old)) != _load(row.old) or repair_json(_load(row.new)) != _load(row.new)
    ]
    audit = []
    if needs_repair:
        # The deliberate exception to the append-only rule, inside this transaction (see the docstring).
        for statement in DROP_AUDIT_TRIGGERS.get(dialect, []):
            op.execute(statement)
        audit = _repair_json_column(connection, "audit_events", ["old", "new"])
        for statement in AUDIT_TRIGGERS.get(dialect, []):
            op.execute(statement)
    if answers or comments or audit:
        connection.execute(
            sa.text(
                "INSERT INTO audit_events (occurred_at, actor, action, object_type, new) "
                "VALUES (:at, 'system', 'audit.repaired', 'migration', :new)"
            ).bindparams(sa.bindparam("at", type_=sa.DateTime(timezone=True)), sa.bindparam("new", type_=sa.JSON)),
            {"at": datetime.now(timezone.utc),
             "new": {"migration": revision, "answers": answers, "review_comments": comments, "audit_events": audit}},
        )


def downgrade():
    with op.batch_alter_table("pending_saves", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_saves_user_id"))
    op.drop_table("pending_saves")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("last_used_at")

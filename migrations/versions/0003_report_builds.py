"""report builds (progress and outcome in the database) and the inputs fingerprint of each report file

Revision ID: 0003_report_builds
Revises: 0003_question_comments
"""
from alembic import op
import sqlalchemy as sa


revision = "0003_report_builds"
down_revision = "0003_question_comments"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_builds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("languages", sa.String(length=64), nullable=False),
        sa.Column("countries", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("reused", sa.Integer(), nullable=False),
        sa.Column("runner", sa.String(length=200), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed', 'cancelled')", name=op.f("ck_report_builds_state")),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycles.id"], name=op.f("fk_report_builds_cycle_id_cycles")),
        sa.ForeignKeyConstraint(["requested_by_id"], ["users.id"], name=op.f("fk_report_builds_requested_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_builds")),
    )
    with op.batch_alter_table("report_builds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_builds_cycle_id"), ["cycle_id"], unique=False)
    with op.batch_alter_table("report_files", schema=None) as batch_op:
        batch_op.add_column(sa.Column("inputs_sha256", sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table("report_files", schema=None) as batch_op:
        batch_op.drop_column("inputs_sha256")
    with op.batch_alter_table("report_builds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_builds_cycle_id"))
    op.drop_table("report_builds")

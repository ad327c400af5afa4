"""measure examples: "measures taken" answers marked by a compiler as examples for the report

Revision ID: 0003_measure_examples
Revises: 0003_hardening
"""
from alembic import op
import sqlalchemy as sa


revision = "0003_measure_examples"
down_revision = "0003_hardening"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "measure_examples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("excerpt", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("marked_by_id", sa.Integer(), nullable=True),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("excerpt IS NULL OR length(excerpt) <= 800",
                           name=op.f("ck_measure_examples_excerpt_length")),
        sa.ForeignKeyConstraint(["marked_by_id"], ["users.id"], name=op.f("fk_measure_examples_marked_by_id_users")),
        sa.ForeignKeyConstraint(["submission_id"], ["submissions.id"], ondelete="CASCADE",
                                name=op.f("fk_measure_examples_submission_id_submissions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_examples")),
        sa.UniqueConstraint("submission_id", "key", name="uq_measure_examples_submission_key"),
    )
    with op.batch_alter_table("measure_examples", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_measure_examples_submission_id"), ["submission_id"], unique=False)


def downgrade():
    with op.batch_alter_table("measure_examples", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measure_examples_submission_id"))
    op.drop_table("measure_examples")

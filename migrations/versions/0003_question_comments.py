"""review comments on single questions

A compiler can comment on one question as well as on a whole section;
``item_key`` is empty for a section comment.

Revision ID: 0003_question_comments
Revises: 0003_measure_examples
"""
from alembic import op
import sqlalchemy as sa

revision = "0003_question_comments"
down_revision = "0003_measure_examples"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("review_comments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("item_key", sa.String(length=160), nullable=True))


def downgrade():
    with op.batch_alter_table("review_comments", schema=None) as batch_op:
        batch_op.drop_column("item_key")

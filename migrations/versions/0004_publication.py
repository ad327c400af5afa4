"""publication consent: a submission's "may be published" choice, made on submit

Existing submissions get ``false``: nobody consented to anything before the
question was asked.

Revision ID: 0004_publication
Revises: 0003_report_builds
"""
from alembic import op
import sqlalchemy as sa

revision = "0004_publication"
down_revision = "0003_report_builds"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("may_publish", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_column("may_publish")

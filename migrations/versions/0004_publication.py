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
    # A plain ADD COLUMN (with its constant default) on every database: a batch operation would
    # copy and drop the submissions table on SQLite, which its answers' foreign keys refuse.
    op.add_column("submissions", sa.Column("may_publish", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    op.drop_column("submissions", "may_publish")

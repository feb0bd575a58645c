"""links an import found no match for, kept on the document

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 18:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE, also on SQLite: a batch operation would copy documents into a new table and drop the
    # old one (see 0007), and revisions, drafts, links and shares hang on it.
    op.add_column('documents', sa.Column('unmatched_links', sa.JSON(), nullable=True))


def downgrade() -> None:
    # SQLite (3.35 and later) drops a column in place too: no copy of the table, no cascade.
    op.drop_column('documents', 'unmatched_links')

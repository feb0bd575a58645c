"""gathering versions (calendar SEQUENCE and LAST-MODIFIED) and who wrote a group exam draft's texts

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 17:30:00.000000
"""
import sqlalchemy as sa
from alembic import op

import ledpro_journal.models

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE, also on SQLite: a batch operation would copy gatherings and exam_drafts into new tables
    # and drop the old ones (see 0007), and documents and exam contributions hang on them.
    op.add_column('gatherings', sa.Column('version', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('gatherings', sa.Column('updated_at', ledpro_journal.models.UTCDateTime(), nullable=True))
    # A gathering from before has no time of its own: its cohort's creation is when its dates began to exist
    # (what the calendar said until now, so a subscribed calendar sees nothing new).
    op.execute(sa.text(
        "UPDATE gatherings SET updated_at = (SELECT cohorts.created_at FROM cohorts"
        " WHERE cohorts.id = gatherings.cohort_id)"))
    # REFERENCES inside ADD COLUMN: SQLite has no ALTER TABLE ... ADD CONSTRAINT, PostgreSQL takes either.
    for column in ('title_by', 'problem_statement_by'):
        op.add_column('exam_drafts',
                      sa.Column(column, sa.Integer(), sa.ForeignKey('users.id', ondelete='SET NULL'), nullable=True),
                      inline_references=True)


def downgrade() -> None:
    # SQLite (3.35 and later) drops a column in place too: no copy of the table, no cascade. Dropping a column
    # drops its foreign key with it on both.
    for table, column in (('exam_drafts', 'problem_statement_by'), ('exam_drafts', 'title_by'),
                          ('gatherings', 'updated_at'), ('gatherings', 'version')):
        op.drop_column(table, column)

"""name replacements, and the exam draft's choice to apply them

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import ledpro_journal.models


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('name_replacements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('replacement', sa.String(length=120), nullable=False),
    sa.Column('updated_at', ledpro_journal.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('owner_id', 'name', name='uq_name_replacements_owner_name')
    )
    with op.batch_alter_table('name_replacements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_name_replacements_owner_id'), ['owner_id'], unique=False)

    # Drafts made before this release keep what they were: the journal's text as written. A plain ALTER
    # TABLE, also on SQLite: a batch operation would copy exam_drafts into a new table and drop the old
    # one, and with foreign keys on, dropping it deletes every draft's contributions (ON DELETE CASCADE).
    op.add_column('exam_drafts', sa.Column('use_name_replacements', sa.Boolean(), server_default=sa.false(),
                                           nullable=False))


def downgrade() -> None:
    # SQLite (3.35 and later) drops a column in place too: no copy of the table, no cascade.
    op.drop_column('exam_drafts', 'use_name_replacements')

    with op.batch_alter_table('name_replacements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_name_replacements_owner_id'))

    op.drop_table('name_replacements')

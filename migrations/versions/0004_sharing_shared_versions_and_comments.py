"""sharing, shared versions and comments

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 15:27:49.274465
"""
from alembic import op
import sqlalchemy as sa
import ledpro_journal.models


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('shares',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('visible_from', sa.Integer(), nullable=False),
    sa.Column('audience', sa.String(length=16), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('created_at', ledpro_journal.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', ledpro_journal.models.UTCDateTime(), nullable=False),
    sa.Column('withdrawn_at', ledpro_journal.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['group_id'], ['reflection_groups.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('document_id', 'audience', name='uq_shares_document_audience')
    )
    with op.batch_alter_table('shares', schema=None) as batch_op:
        batch_op.create_index('ix_shares_cohort', ['cohort_id', 'audience', 'withdrawn_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_shares_document_id'), ['document_id'], unique=False)
        batch_op.create_index('ix_shares_group', ['group_id', 'withdrawn_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_shares_owner_id'), ['owner_id'], unique=False)

    op.create_table('share_seen',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('share_id', sa.Integer(), nullable=False),
    sa.Column('seen_at', ledpro_journal.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['share_id'], ['shares.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'share_id')
    )
    op.create_table('shared_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('share_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('document_version', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('template', sa.String(length=4), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('logs', sa.JSON(), nullable=False),
    sa.Column('gathering_id', sa.Integer(), nullable=True),
    sa.Column('shared_at', ledpro_journal.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['gathering_id'], ['gatherings.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['share_id'], ['shares.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('share_id', 'number', name='uq_shared_versions_share_number')
    )
    with op.batch_alter_table('shared_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shared_versions_share_id'), ['share_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shared_versions_shared_at'), ['shared_at'], unique=False)

    op.create_table('comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shared_version_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.JSON(), nullable=False),
    sa.Column('created_at', ledpro_journal.models.UTCDateTime(), nullable=False),
    sa.Column('edited_at', ledpro_journal.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shared_version_id'], ['shared_versions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comments_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_comments_shared_version_id'), ['shared_version_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comments_shared_version_id'))
        batch_op.drop_index(batch_op.f('ix_comments_author_id'))

    op.drop_table('comments')
    with op.batch_alter_table('shared_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shared_versions_shared_at'))
        batch_op.drop_index(batch_op.f('ix_shared_versions_share_id'))

    op.drop_table('shared_versions')
    op.drop_table('share_seen')
    with op.batch_alter_table('shares', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shares_owner_id'))
        batch_op.drop_index('ix_shares_group')
        batch_op.drop_index(batch_op.f('ix_shares_document_id'))
        batch_op.drop_index('ix_shares_cohort')

    op.drop_table('shares')

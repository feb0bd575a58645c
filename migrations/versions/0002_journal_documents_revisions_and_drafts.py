"""journal documents, revisions and drafts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 14:57:49.349447
"""
from alembic import op
import sqlalchemy as sa
import ledpro_journal.models


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('template', sa.String(length=4), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('excerpt', sa.String(length=300), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('word_count', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('gathering_id', sa.Integer(), nullable=True),
    sa.Column('happened_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('created_at', ledpro_journal.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', ledpro_journal.models.UTCDateTime(), nullable=False),
    sa.Column('deleted_at', ledpro_journal.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['gathering_id'], ['gatherings.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_id'], ['documents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index('ix_documents_owner_kind', ['owner_id', 'kind', 'deleted_at'], unique=False)
        batch_op.create_index('ix_documents_owner_updated', ['owner_id', 'updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_parent_id'), ['parent_id'], unique=False)

    op.create_table('document_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('template', sa.String(length=4), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('word_count', sa.Integer(), nullable=False),
    sa.Column('saved_at', ledpro_journal.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('document_id', 'version', name='uq_revisions_document_version')
    )
    with op.batch_alter_table('document_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_revisions_document_id'), ['document_id'], unique=False)

    op.create_table('drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('text', sa.JSON(), nullable=False),
    sa.Column('base_version', sa.Integer(), nullable=False),
    sa.Column('saved_at', ledpro_journal.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('document_id', 'field', name='uq_drafts_document_field')
    )
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_drafts_document_id'), ['document_id'], unique=False)

    op.create_table('note_actions',
    sa.Column('note_id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['documents.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['note_id'], ['documents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('note_id', 'action_id')
    )
    with op.batch_alter_table('note_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_note_actions_action_id'), ['action_id'], unique=False)

    op.create_table('note_themes',
    sa.Column('note_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['note_id'], ['documents.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['themes.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('note_id', 'theme_id')
    )
    with op.batch_alter_table('note_themes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_note_themes_theme_id'), ['theme_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('note_themes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_note_themes_theme_id'))

    op.drop_table('note_themes')
    with op.batch_alter_table('note_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_note_actions_action_id'))

    op.drop_table('note_actions')
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_drafts_document_id'))

    op.drop_table('drafts')
    with op.batch_alter_table('document_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_revisions_document_id'))

    op.drop_table('document_revisions')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_parent_id'))
        batch_op.drop_index('ix_documents_owner_updated')
        batch_op.drop_index('ix_documents_owner_kind')
        batch_op.drop_index(batch_op.f('ix_documents_cohort_id'))

    op.drop_table('documents')

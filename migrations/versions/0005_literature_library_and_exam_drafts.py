"""literature library and exam drafts

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 16:59:29.721263
"""
from alembic import op
import sqlalchemy as sa
import ledpro_journal.models


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('exam_templates',
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_at', ledpro_journal.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('cohort_id')
    )
    op.create_table('literature_references',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('sort_key', sa.String(length=300), nullable=False),
    sa.Column('created_at', ledpro_journal.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', ledpro_journal.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('literature_references', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_literature_references_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_references_cohort_owner', ['cohort_id', 'owner_id'], unique=False)

    op.create_table('exam_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.JSON(), nullable=False),
    sa.Column('problem_statement', sa.JSON(), nullable=False),
    sa.Column('include_prompts', sa.Boolean(), nullable=False),
    sa.Column('word_limit', sa.Integer(), nullable=True),
    sa.Column('updated_at', ledpro_journal.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['reflection_groups.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('group_id'),
    sa.UniqueConstraint('owner_id')
    )
    op.create_table('exam_contributions',
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('joined_at', ledpro_journal.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['draft_id'], ['exam_drafts.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('draft_id', 'user_id')
    )
    with op.batch_alter_table('exam_contributions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exam_contributions_user_id'), ['user_id'], unique=False)

    op.create_table('note_citations',
    sa.Column('note_id', sa.Integer(), nullable=False),
    sa.Column('reference_id', sa.Integer(), nullable=False),
    sa.Column('pages', sa.String(length=40), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['note_id'], ['documents.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reference_id'], ['literature_references.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('note_id', 'reference_id')
    )
    with op.batch_alter_table('note_citations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_note_citations_reference_id'), ['reference_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('note_citations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_note_citations_reference_id'))

    op.drop_table('note_citations')
    with op.batch_alter_table('exam_contributions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exam_contributions_user_id'))

    op.drop_table('exam_contributions')
    op.drop_table('exam_drafts')
    with op.batch_alter_table('literature_references', schema=None) as batch_op:
        batch_op.drop_index('ix_references_cohort_owner')
        batch_op.drop_index(batch_op.f('ix_literature_references_owner_id'))

    op.drop_table('literature_references')
    op.drop_table('exam_templates')

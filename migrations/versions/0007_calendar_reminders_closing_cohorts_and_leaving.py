"""calendar, reminders, closing cohorts and leaving

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:43:41.884032
"""
from alembic import op
import sqlalchemy as sa
import ledpro_journal.models


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calendar_feeds',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_at', ledpro_journal.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id'),
    sa.UniqueConstraint('token')
    )
    op.create_table('reminder_preferences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('weekly', sa.Boolean(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('before_gathering', sa.Boolean(), nullable=False),
    sa.Column('days_before', sa.Integer(), nullable=False),
    sa.Column('show_titles', sa.Boolean(), nullable=False),
    sa.Column('updated_at', ledpro_journal.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id')
    )
    op.create_table('sent_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reminder_key', sa.String(length=80), nullable=False),
    sa.Column('claimed_at', ledpro_journal.models.UTCDateTime(), nullable=False),
    sa.Column('sent_at', ledpro_journal.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'reminder_key', name='uq_sent_reminders_user_key')
    )
    with op.batch_alter_table('sent_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sent_reminders_user_id'), ['user_id'], unique=False)

    # Plain ALTER TABLE, also on SQLite: a batch operation would copy users and cohorts into new tables and
    # drop the old ones, and with foreign keys on, dropping them deletes everything that hangs on them.
    op.add_column('cohorts', sa.Column('closed_at', ledpro_journal.models.UTCDateTime(), nullable=True))
    op.add_column('cohorts', sa.Column('deletion_on', sa.Date(), nullable=True))
    op.add_column('cohorts', sa.Column('purged_at', ledpro_journal.models.UTCDateTime(), nullable=True))
    op.add_column('installation', sa.Column('signing_key', sa.String(length=64), nullable=True))
    op.add_column('users', sa.Column('email', sa.String(length=254), nullable=True))
    op.add_column('users', sa.Column('deleted_at', ledpro_journal.models.UTCDateTime(), nullable=True))


def downgrade() -> None:
    # SQLite (3.35 and later) drops a column in place too: no copy of the table, no cascade.
    for table, column in (('users', 'deleted_at'), ('users', 'email'), ('installation', 'signing_key'),
                          ('cohorts', 'purged_at'), ('cohorts', 'deletion_on'), ('cohorts', 'closed_at')):
        op.drop_column(table, column)

    with op.batch_alter_table('sent_reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sent_reminders_user_id'))

    op.drop_table('sent_reminders')
    op.drop_table('reminder_preferences')
    op.drop_table('calendar_feeds')

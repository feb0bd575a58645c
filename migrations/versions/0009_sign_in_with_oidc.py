"""sign in with OpenID Connect (Feide)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 10:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

import ledpro_journal.models

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('oidc_logins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('state_hash', sa.String(length=64), nullable=False),
    sa.Column('nonce', sa.String(length=128), nullable=False),
    sa.Column('code_verifier', sa.String(length=128), nullable=False),
    sa.Column('next_path', sa.String(length=500), nullable=False),
    sa.Column('lang', sa.String(length=5), nullable=False),
    sa.Column('created_at', ledpro_journal.models.UTCDateTime(), nullable=False),
    sa.Column('finished_at', ledpro_journal.models.UTCDateTime(), nullable=True),
    sa.Column('issuer', sa.String(length=300), nullable=True),
    sa.Column('subject', sa.String(length=255), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('id_token', sa.Text(), nullable=True),
    sa.Column('link_token_hash', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('link_token_hash'),
    sa.UniqueConstraint('state_hash')
    )
    op.create_index(op.f('ix_oidc_logins_created_at'), 'oidc_logins', ['created_at'], unique=False)
    op.create_table('user_identities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=300), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('created_at', ledpro_journal.models.UTCDateTime(), nullable=False),
    sa.Column('last_used_at', ledpro_journal.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('issuer', 'subject', name='uq_user_identities_issuer_subject')
    )
    op.create_index(op.f('ix_user_identities_user_id'), 'user_identities', ['user_id'], unique=False)

    # Plain ALTER TABLE, also on SQLite: a batch operation would copy auth_sessions and invite_codes into new
    # tables and drop the old ones (see 0007).
    op.add_column('auth_sessions', sa.Column('id_token', sa.Text(), nullable=True))
    op.add_column('invite_codes', sa.Column('for_externals', sa.Boolean(), nullable=False,
                                            server_default=sa.false()))


def downgrade() -> None:
    # SQLite (3.35 and later) drops a column in place too: no copy of the table, no cascade.
    op.drop_column('invite_codes', 'for_externals')
    op.drop_column('auth_sessions', 'id_token')
    op.drop_index(op.f('ix_user_identities_user_id'), table_name='user_identities')
    op.drop_table('user_identities')
    op.drop_index(op.f('ix_oidc_logins_created_at'), table_name='oidc_logins')
    op.drop_table('oidc_logins')

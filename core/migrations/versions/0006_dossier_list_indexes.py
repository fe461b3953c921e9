"""dossier list indexes (staff back office: keyset pages and prefix search)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 10:55:00

Written by hand: autogenerate cannot compare expression indexes on SQLite.
The lead chains this migration after the other parallel ones.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_dossiers_list_submitted', 'dossiers', ['certification_code', 'submitted_at', 'id'],
                    postgresql_where=sa.text("status <> 'draft'"), sqlite_where=sa.text("status <> 'draft'"))
    op.create_index('ix_dossiers_list_status', 'dossiers', ['certification_code', 'status', 'submitted_at', 'id'])
    # prefix search (LIKE 'abc%') uses a b-tree on PostgreSQL only with a pattern operator class
    pattern = ' varchar_pattern_ops' if op.get_bind().dialect.name == 'postgresql' else ''
    op.create_index('ix_dossiers_reference_prefix', 'dossiers', [sa.text('upper(reference)' + pattern)])
    op.create_index('ix_users_last_name_prefix', 'users', [sa.text('lower(last_name)' + pattern)])
    op.create_index('ix_users_first_name_prefix', 'users', [sa.text('lower(first_name)' + pattern)])
    op.create_index('ix_users_email_prefix', 'users', [sa.text('email' + pattern)])
    op.create_index('ix_users_last_name_sort', 'users', [sa.text('lower(last_name)'), 'id'])


def downgrade():
    for name, table in (('ix_users_last_name_sort', 'users'), ('ix_users_email_prefix', 'users'),
                        ('ix_users_first_name_prefix', 'users'), ('ix_users_last_name_prefix', 'users'),
                        ('ix_dossiers_reference_prefix', 'dossiers'), ('ix_dossiers_list_status', 'dossiers'),
                        ('ix_dossiers_list_submitted', 'dossiers')):
        op.drop_index(name, table_name=table)

"""privacy: retention settings, the register of rights requests; erased accounts, purged and reminded dossiers

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 15:45:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


# Plain ADD/DROP COLUMN (SQLite >= 3.35): a batch operation would rebuild the tables on SQLite and lose
# their expression-based indexes.

def upgrade():
    op.add_column('users', sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('dossiers', sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('dossiers', sa.Column('purged_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'privacy_retention_settings',
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('certification_code', sa.String(length=40), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('months', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('organisation_id', 'certification_code', 'kind'),
    )
    op.create_table(
        'privacy_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.Enum('access', 'rectification', 'erasure', 'objection', name='requestkind',
                                  native_enum=False, length=32), nullable=False),
        sa.Column('status', sa.Enum('open', 'done', 'refused', name='requeststatus', native_enum=False,
                                    length=32), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=True),
        sa.Column('subject_label', sa.String(length=200), nullable=False),
        sa.Column('channel', sa.String(length=40), nullable=False),
        sa.Column('details', sa.Text(), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('handled_by_id', sa.Integer(), nullable=True),
        sa.Column('response', sa.Text(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['subject_id'], ['users.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['handled_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_privacy_requests_organisation_id', 'privacy_requests', ['organisation_id'])
    op.create_index('ix_privacy_requests_subject_id', 'privacy_requests', ['subject_id'])


def downgrade():
    op.drop_index('ix_privacy_requests_subject_id', table_name='privacy_requests')
    op.drop_index('ix_privacy_requests_organisation_id', table_name='privacy_requests')
    op.drop_table('privacy_requests')
    op.drop_table('privacy_retention_settings')
    op.drop_column('dossiers', 'purged_at')
    op.drop_column('dossiers', 'reminded_at')
    op.drop_column('users', 'erased_at')

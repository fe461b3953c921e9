"""fee requests: index by state then dossier, for the staff list's fee filter

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23 12:58:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('fee_requests', schema=None) as batch_op:
        batch_op.create_index('ix_fee_requests_state_dossier', ['state', 'dossier_id'], unique=False)


def downgrade():
    with op.batch_alter_table('fee_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_fee_requests_state_dossier')

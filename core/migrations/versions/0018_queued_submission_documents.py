"""dossier versions: the signed Livret 2 and the receipt issued by a job when the TSA is slow

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 19:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('dossier_versions') as batch:
        batch.add_column(sa.Column('documents_pending', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('seal_attempted_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('seal_error', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('dossier_versions') as batch:
        batch.drop_column('seal_error')
        batch.drop_column('seal_attempted_at')
        batch.drop_column('documents_pending')

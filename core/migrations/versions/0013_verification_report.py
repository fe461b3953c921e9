"""document hashes: the verification report computed when the platform issued these bytes

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 09:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('document_hashes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verification_report', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('document_hashes', schema=None) as batch_op:
        batch_op.drop_column('verification_report')

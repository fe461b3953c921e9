"""jury documents: the final seal goes through the job queue (status « sealing », last attempt, error)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 15:40:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


# the status is a non-native enum (VARCHAR): the new value « sealing » needs no DDL

def upgrade():
    op.add_column('jury_signed_documents', sa.Column('seal_attempted_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('jury_signed_documents', sa.Column('seal_error', sa.Text(), nullable=True))


def downgrade():
    op.drop_column('jury_signed_documents', 'seal_error')
    op.drop_column('jury_signed_documents', 'seal_attempted_at')

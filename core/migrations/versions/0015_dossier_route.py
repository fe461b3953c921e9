"""dossiers: the access route they were opened on, the block a candidate presents alone; annexes: the deliverable

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 12:30:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    # existing dossiers keep NULL: the certification's default route (VAE for RNCP37827), the whole title
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('route', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('target_block', sa.String(length=40), nullable=True))
    with op.batch_alter_table('annexes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deliverable', sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('annexes', schema=None) as batch_op:
        batch_op.drop_column('deliverable')
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_column('target_block')
        batch_op.drop_column('route')

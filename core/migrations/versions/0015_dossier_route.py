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


# Plain ADD/DROP COLUMN (SQLite ≥ 3.35 has both): a batch operation would rebuild the tables on SQLite and
# lose their expression-based indexes (ix_dossiers_reference_prefix...).

def upgrade():
    # existing dossiers keep NULL: the certification's default route (VAE for RNCP37827), the whole title
    op.add_column('dossiers', sa.Column('route', sa.String(length=40), nullable=True))
    op.add_column('dossiers', sa.Column('target_block', sa.String(length=40), nullable=True))
    op.add_column('annexes', sa.Column('deliverable', sa.String(length=20), nullable=True))


def downgrade():
    op.drop_column('annexes', 'deliverable')
    op.drop_column('dossiers', 'target_block')
    op.drop_column('dossiers', 'route')

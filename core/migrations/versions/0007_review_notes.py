"""admissibility review: private staff notes

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'review_staff_notes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('dossier_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], ondelete='RESTRICT'),
        sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('review_staff_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_staff_notes_dossier_id'), ['dossier_id'], unique=False)


def downgrade():
    with op.batch_alter_table('review_staff_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_staff_notes_dossier_id'))
    op.drop_table('review_staff_notes')

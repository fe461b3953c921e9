"""jury: a juror's « extérieur » status is a required answer without default (NULL: not answered);
when the règlement was sent to the jury

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 09:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jury_session_jurors', schema=None) as batch_op:
        batch_op.alter_column('external', existing_type=sa.Boolean(), nullable=True)
    with op.batch_alter_table('jury_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('regulation_sent_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('jury_sessions', schema=None) as batch_op:
        batch_op.drop_column('regulation_sent_at')
    # an unanswered status becomes « not external », the cautious reading of the 50 % rule
    op.execute(sa.text("UPDATE jury_session_jurors SET external = :no WHERE external IS NULL").bindparams(no=False))
    with op.batch_alter_table('jury_session_jurors', schema=None) as batch_op:
        batch_op.alter_column('external', existing_type=sa.Boolean(), nullable=False)

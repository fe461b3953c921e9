"""tenancy: dossiers belong to an organisation; certifications are granted by a platform admin

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 06:30:00

Existing links between organisations and certifications were created by
their admins or by the demo: they are kept as grants (as certifier). Every
existing dossier is given the organisation that delivered its certification
(the first one by id when several did); a dossier whose certification no
organisation delivers keeps no organisation, and no staff sees it.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisation_certifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.Enum('certifier', 'centre', name='deliveryrole',
                                                      native_enum=False, length=16),
                                      nullable=False, server_default='certifier'))
        batch_op.add_column(sa.Column('granted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('granted_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('requested_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('requested_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_organisation_certifications_granted_by_id_users'),
                                    'users', ['granted_by_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_organisation_certifications_requested_by_id_users'),
                                    'users', ['requested_by_id'], ['id'], ondelete='SET NULL')
    op.execute("UPDATE organisation_certifications SET granted_at = created_at")
    with op.batch_alter_table('organisation_certifications', schema=None) as batch_op:
        batch_op.alter_column('role', server_default=None)

    # On SQLite the batch rebuilds the table, which would lose its expression index: it is made again after.
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        op.drop_index('ix_dossiers_reference_prefix', table_name='dossiers')
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_dossiers_organisation_id_organisations'),
                                    'organisations', ['organisation_id'], ['id'], ondelete='RESTRICT')
        batch_op.create_index(batch_op.f('ix_dossiers_organisation_id'), ['organisation_id'], unique=False)
        # staff lists are scoped by organisation first (core/backoffice)
        batch_op.drop_index('ix_dossiers_list_submitted')
        batch_op.drop_index('ix_dossiers_list_status')
        batch_op.create_index('ix_dossiers_list_submitted',
                              ['organisation_id', 'certification_code', 'submitted_at', 'id'], unique=False,
                              postgresql_where=sa.text("status <> 'draft'"), sqlite_where=sa.text("status <> 'draft'"))
        batch_op.create_index('ix_dossiers_list_status',
                              ['organisation_id', 'certification_code', 'status', 'submitted_at', 'id'], unique=False)
    if sqlite:
        op.create_index('ix_dossiers_reference_prefix', 'dossiers', [sa.text('upper(reference)')])
    op.execute("""
        UPDATE dossiers SET organisation_id = (
            SELECT MIN(oc.organisation_id) FROM organisation_certifications oc
            WHERE oc.certification_code = dossiers.certification_code)
    """)


def downgrade():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        op.drop_index('ix_dossiers_reference_prefix', table_name='dossiers')
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_index('ix_dossiers_list_status')
        batch_op.drop_index('ix_dossiers_list_submitted')
        batch_op.create_index('ix_dossiers_list_submitted', ['certification_code', 'submitted_at', 'id'],
                              unique=False, postgresql_where=sa.text("status <> 'draft'"),
                              sqlite_where=sa.text("status <> 'draft'"))
        batch_op.create_index('ix_dossiers_list_status', ['certification_code', 'status', 'submitted_at', 'id'],
                              unique=False)
        batch_op.drop_index(batch_op.f('ix_dossiers_organisation_id'))
        batch_op.drop_constraint(batch_op.f('fk_dossiers_organisation_id_organisations'), type_='foreignkey')
        batch_op.drop_column('organisation_id')
    if sqlite:
        op.create_index('ix_dossiers_reference_prefix', 'dossiers', [sa.text('upper(reference)')])
    with op.batch_alter_table('organisation_certifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_organisation_certifications_requested_by_id_users'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_organisation_certifications_granted_by_id_users'),
                                 type_='foreignkey')
        batch_op.drop_column('requested_by_id')
        batch_op.drop_column('requested_at')
        batch_op.drop_column('granted_by_id')
        batch_op.drop_column('granted_at')
        batch_op.drop_column('role')

"""where each case fact came from (the message that said it) and coordinators'
adjustments of estimate items (the estimate's history)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 09:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sources', sa.JSON(), nullable=True))
    op.create_table('estimate_adjustments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('old_low', sa.Numeric(12, 2), nullable=True),
    sa.Column('old_high', sa.Numeric(12, 2), nullable=True),
    sa.Column('low', sa.Numeric(12, 2), nullable=False),
    sa.Column('high', sa.Numeric(12, 2), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('author', sa.String(length=320), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('estimate_adjustments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_estimate_adjustments_case_id'), ['case_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('estimate_adjustments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_estimate_adjustments_case_id'))
    op.drop_table('estimate_adjustments')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('sources')

"""the days whose coordinator digest was queued (once per day across workers and restarts)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 21:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('digest_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tickets', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day')
    )


def downgrade() -> None:
    op.drop_table('digest_days')

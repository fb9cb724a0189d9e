"""conversation owner `waiting`: a handed-over conversation waits for a coordinator

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 15:15:00
"""
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Before the console no coordinator could take a conversation: every
    # `coordinator` owner was a handoff still waiting for one.
    op.execute("UPDATE conversations SET owner = 'waiting' WHERE owner = 'coordinator'")


def downgrade() -> None:
    op.execute("UPDATE conversations SET owner = 'coordinator' WHERE owner = 'waiting'")

"""conversation owner `waiting` (a handed-over conversation waits for a coordinator); ticket notes

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 15:15:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Before the console no coordinator could take a conversation: every
    # `coordinator` owner was a handoff still waiting for one.
    op.execute("UPDATE conversations SET owner = 'waiting' WHERE owner = 'coordinator'")
    op.create_table('notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('author', sa.String(length=320), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notes_ticket_id'), ['ticket_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notes_ticket_id'))
    op.drop_table('notes')
    op.execute("UPDATE conversations SET owner = 'coordinator' WHERE owner = 'waiting'")

"""messages.language (the language of each message, for the console's transcript) and
an index on audit_log.ticket_id (the dashboard and the case page look entries up by ticket)

Both are plain ADD COLUMN / CREATE INDEX: no table copy on SQLite.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 18:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('messages', sa.Column('language', sa.String(length=16), nullable=True))
    op.create_index('ix_audit_log_ticket_id', 'audit_log', ['ticket_id'])


def downgrade() -> None:
    op.drop_index('ix_audit_log_ticket_id', table_name='audit_log')
    with op.batch_alter_table('messages', recreate='never') as batch:
        batch.drop_column('language')

"""leases, poison counters, reply links, notices, outbox parts and early status callbacks

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 14:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

OUTBOX_OLD = ('pending', 'sent', 'failed')
OUTBOX_NEW = ('pending', 'sending', 'sent', 'failed')


def _outbox_status(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name='outboxstatus', native_enum=False, length=24)


def upgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lease_owner', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('retry_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('queued_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('last_error', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('reply_to_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('notices', sa.JSON(), nullable=True))
        batch_op.create_foreign_key('fk_messages_reply_to', 'messages', ['reply_to_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('queued_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column('status', existing_type=_outbox_status(OUTBOX_OLD), type_=_outbox_status(OUTBOX_NEW),
                              existing_nullable=False)

    op.create_table('outbox_parts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outbox_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('provider_id', sa.String(length=998), nullable=True),
    sa.Column('error_code', sa.String(length=32), nullable=True),
    sa.Column('attempted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('outbox_id', 'position', name='uq_outbox_parts_position'),
    sa.UniqueConstraint('provider_id')
    )
    with op.batch_alter_table('outbox_parts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_parts_outbox_id'), ['outbox_id'], unique=False)

    op.create_table('status_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.String(length=998), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('error_code', sa.String(length=32), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('status_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_status_events_provider_id'), ['provider_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('status_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_status_events_provider_id'))
    op.drop_table('status_events')
    with op.batch_alter_table('outbox_parts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_parts_outbox_id'))
    op.drop_table('outbox_parts')

    # An item caught mid-send goes back to pending: the old schema retries it.
    op.execute("UPDATE outbox SET status = 'pending' WHERE status = 'sending'")
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=_outbox_status(OUTBOX_NEW), type_=_outbox_status(OUTBOX_OLD),
                              existing_nullable=False)
        batch_op.drop_column('queued_at')
        batch_op.drop_column('lease_until')

    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_constraint('fk_messages_reply_to', type_='foreignkey')
        batch_op.drop_column('notices')
        batch_op.drop_column('reply_to_id')
        batch_op.drop_column('last_error')
        batch_op.drop_column('attempts')

    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_column('reminded_at')
        batch_op.drop_column('queued_at')
        batch_op.drop_column('retry_at')
        batch_op.drop_column('lease_until')
        batch_op.drop_column('lease_owner')

"""split messages.status by direction: inbound_status (what became of the patient's
message) and delivery_status (how far our reply got), tied to direction by a CHECK

SQLite gets no table copy ("move and copy" batch mode): with foreign keys on, dropping
the old table cascades to outbox rows and nulls reply links. It gets native ALTERs
(SQLite 3.35+) and triggers that enforce the same rule as PostgreSQL's CHECK; its
downgraded `status` column stays nullable (NOT NULL would need the copy).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

INBOUND = ('received', 'processed', 'routed_to_ticket', 'ignored', 'failed')
DELIVERY = ('queued', 'sending', 'sent', 'delivered', 'read', 'undelivered', 'failed')
OLD = ('received', 'processed', 'routed_to_ticket', 'ignored',
       'queued', 'sending', 'sent', 'delivered', 'read', 'undelivered', 'failed')
CHECK_NAME = 'ck_messages_status_direction'
CHECK = ("(direction = 'inbound' AND inbound_status IS NOT NULL AND delivery_status IS NULL)"
         " OR (direction = 'outbound' AND delivery_status IS NOT NULL AND inbound_status IS NULL)")
_ROW_CHECK = CHECK.replace('direction', 'NEW.direction').replace('inbound_status', 'NEW.inbound_status') \
    .replace('delivery_status', 'NEW.delivery_status')
TRIGGERS = {
    f'{CHECK_NAME}_insert': 'BEFORE INSERT ON messages',
    f'{CHECK_NAME}_update': 'BEFORE UPDATE OF direction, inbound_status, delivery_status ON messages',
}


def _enum(name: str, values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=24)


def _sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def upgrade() -> None:
    sqlite = _sqlite()
    with op.batch_alter_table('messages', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('inbound_status', _enum('inboundstatus', INBOUND), nullable=True))
        batch_op.add_column(sa.Column('delivery_status', _enum('deliverystatus', DELIVERY), nullable=True))
    op.execute("UPDATE messages SET inbound_status = status WHERE direction = 'inbound'")
    op.execute("UPDATE messages SET delivery_status = status WHERE direction = 'outbound'")
    with op.batch_alter_table('messages', schema=None, recreate='never') as batch_op:
        batch_op.drop_index(batch_op.f('ix_messages_status'))
        batch_op.drop_column('status')
        # The worker's queries look for inbound messages still `received`.
        batch_op.create_index(batch_op.f('ix_messages_inbound_status'), ['inbound_status'], unique=False)
        if not sqlite:
            batch_op.create_check_constraint(CHECK_NAME, CHECK)
    if sqlite:
        for name, when in TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {when} WHEN NOT ({_ROW_CHECK}) "
                       f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {CHECK_NAME}'); END")


def downgrade() -> None:
    sqlite = _sqlite()
    if sqlite:
        for name in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table('messages', schema=None, recreate='never') as batch_op:
        if not sqlite:
            batch_op.drop_constraint(CHECK_NAME, type_='check')
        batch_op.drop_index(batch_op.f('ix_messages_inbound_status'))
        batch_op.add_column(sa.Column('status', _enum('messagestatus', OLD), nullable=True))
    op.execute("UPDATE messages SET status = COALESCE(inbound_status, delivery_status)")
    with op.batch_alter_table('messages', schema=None, recreate='never') as batch_op:
        if not sqlite:
            batch_op.alter_column('status', existing_type=_enum('messagestatus', OLD), nullable=False)
        batch_op.drop_column('delivery_status')
        batch_op.drop_column('inbound_status')
        batch_op.create_index(batch_op.f('ix_messages_status'), ['status'], unique=False)

"""Roles: each user is an organisation's `admin` (manages its destinations) or a `member`. The first
user of each organisation becomes its admin.

Revision ID: 0009_roles
Revises: 0006_hub_outbox
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_roles"
down_revision = "0006_hub_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("role", sa.String(16), nullable=False, server_default="member"))
    users = sa.table(
        "users",
        sa.column("id", sa.Uuid()),
        sa.column("organisation_id", sa.Uuid()),
        sa.column("created", sa.DateTime()),
        sa.column("role", sa.String(16)),
    )
    connection = op.get_bind()
    earliest: dict[object, tuple[object, object]] = {}
    for user_id, organisation_id, created in connection.execute(
        sa.select(users.c.id, users.c.organisation_id, users.c.created)
    ):
        known = earliest.get(organisation_id)
        if known is None or (created, str(user_id)) < (known[1], str(known[0])):
            earliest[organisation_id] = (user_id, created)
    for user_id, _ in earliest.values():
        connection.execute(sa.update(users).where(users.c.id == user_id).values(role="admin"))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("role")

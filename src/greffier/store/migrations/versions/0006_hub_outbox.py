"""SAMU-Hub: the outbox of the messages sent to the regulation software, with their state.

Revision ID: 0006_hub_outbox
Revises: 0005_delivery
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_hub_outbox"
down_revision = "0005_delivery"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hub_outbox",
        sa.Column("distribution_id", sa.String(200), primary_key=True),
        sa.Column(
            "organisation_id",
            sa.Uuid(),
            sa.ForeignKey("organisations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("meeting_id", sa.Uuid(), sa.ForeignKey("meetings.id", ondelete="CASCADE")),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("recipient", sa.String(200), nullable=False),
        sa.Column("envelope", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_try", sa.DateTime(), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime()),
        sa.Column("acknowledged_at", sa.DateTime()),
        sa.Column("error", sa.Text()),
        sa.Column("fix", sa.Text()),
    )
    op.create_index("ix_hub_outbox_organisation_id", "hub_outbox", ["organisation_id"])
    op.create_index("ix_hub_outbox_meeting_id", "hub_outbox", ["meeting_id"])
    op.create_index("ix_hub_outbox_state", "hub_outbox", ["state"])


def downgrade() -> None:
    op.drop_table("hub_outbox")

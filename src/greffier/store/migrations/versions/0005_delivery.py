"""Delivery: an organisation's destinations (Matrix, WebDAV, e-mail, webhook), each meeting's
deliveries to them, and the health-data mark of a meeting.

Revision ID: 0005_delivery
Revises: 0004_export_withdrawal
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_delivery"
down_revision = "0004_export_withdrawal"
branch_labels = None
depends_on = None


def _organisation() -> sa.Column:
    return sa.Column(
        "organisation_id", sa.Uuid(), sa.ForeignKey("organisations.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    with op.batch_alter_table("meetings") as batch:
        batch.add_column(sa.Column("health_data", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "destinations",
        sa.Column("id", sa.Uuid(), primary_key=True),
        _organisation(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("secret", sa.Text()),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("health_data", sa.Boolean(), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("organisation_id", "name"),
    )
    op.create_index("ix_destinations_organisation_id", "destinations", ["organisation_id"])
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Uuid(), primary_key=True),
        _organisation(),
        sa.Column("meeting_id", sa.Uuid(), sa.ForeignKey("meetings.id", ondelete="CASCADE"), nullable=False),
        sa.Column(
            "destination_id", sa.Uuid(), sa.ForeignKey("destinations.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("source", sa.String(64)),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text()),
        sa.Column("fix", sa.Text()),
        sa.Column("remote", sa.JSON(), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("sent", sa.DateTime()),
    )
    for column in ("organisation_id", "meeting_id", "destination_id"):
        op.create_index(f"ix_deliveries_{column}", "deliveries", [column])


def downgrade() -> None:
    op.drop_table("deliveries")
    op.drop_table("destinations")
    with op.batch_alter_table("meetings") as batch:
        batch.drop_column("health_data")

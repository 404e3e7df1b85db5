"""Erasure: a dataset export that held an erased meeting is withdrawn (its archive deleted), and says
when and why.

Revision ID: 0004_export_withdrawal
Revises: 0003_consent
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_export_withdrawal"
down_revision = "0003_consent"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dataset_exports") as batch:
        batch.add_column(sa.Column("withdrawn", sa.DateTime()))
        batch.add_column(sa.Column("withdrawn_reason", sa.Text()))


def downgrade() -> None:
    with op.batch_alter_table("dataset_exports") as batch:
        batch.drop_column("withdrawn_reason")
        batch.drop_column("withdrawn")

"""Open-dataset consent in the service: consents per speaker, a licence per meeting, the exports made
(and jobs that belong to no single meeting, such as an export).

Revision ID: 0003_consent
Revises: 0002
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_consent"
down_revision = "0002"
branch_labels = None
depends_on = None


def _owned(name: str, *columns: sa.Column) -> None:
    """A table of an organisation's meeting (both foreign keys cascade), indexed as the models say."""
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "organisation_id",
            sa.Uuid(),
            sa.ForeignKey("organisations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("meeting_id", sa.Uuid(), sa.ForeignKey("meetings.id", ondelete="CASCADE"), nullable=False),
        *columns,
        sa.Column("recorded_by", sa.String(320), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
    )
    op.create_index(f"ix_{name}_organisation_id", name, ["organisation_id"])
    op.create_index(f"ix_{name}_meeting_id", name, ["meeting_id"])


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.alter_column("meeting_id", existing_type=sa.Uuid(), nullable=True)
    _owned(
        "consents",
        sa.Column("speaker", sa.String(200), nullable=False),
        sa.Column("person", sa.String(200)),
        sa.Column("status", sa.String(16), nullable=False),
    )
    op.create_index("ix_consents_person", "consents", ["person"])
    _owned(
        "meeting_licences",
        sa.Column("licence", sa.String(32), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
    )
    op.create_table(
        "dataset_exports",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "organisation_id",
            sa.Uuid(),
            sa.ForeignKey("organisations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("job_id", sa.Uuid(), sa.ForeignKey("jobs.id", ondelete="SET NULL")),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(320), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("digest", sa.String(64)),
        sa.Column("location", sa.String(500)),
        sa.Column("manifest", sa.Text()),
        sa.Column("records", sa.Integer()),
        sa.Column("speakers", sa.JSON(), nullable=False),
    )
    op.create_index("ix_dataset_exports_organisation_id", "dataset_exports", ["organisation_id"])


def downgrade() -> None:
    for table in ("dataset_exports", "meeting_licences", "consents"):
        op.drop_table(table)
    op.execute(sa.text("DELETE FROM jobs WHERE meeting_id IS NULL"))
    with op.batch_alter_table("jobs") as batch:
        batch.alter_column("meeting_id", existing_type=sa.Uuid(), nullable=False)

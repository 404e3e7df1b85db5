"""People known by their voice (with their consent) and their voiceprints.

Revision ID: 0010_people
Revises: 0008_search
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_people"
down_revision = "0008_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column(
            "organisation_id",
            sa.Uuid(),
            sa.ForeignKey("organisations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320)),
        sa.Column("consent_by", sa.String(320), nullable=False),
        sa.Column("consent_at", sa.DateTime(), nullable=False),
        sa.Column("consent_recorded_by", sa.String(320), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("organisation_id", "name"),
    )
    op.create_index("ix_people_organisation_id", "people", ["organisation_id"])
    op.create_table(
        "voiceprints",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("person_id", sa.Uuid(), sa.ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_voiceprints_person_id", "voiceprints", ["person_id"])


def downgrade() -> None:
    op.drop_table("voiceprints")
    op.drop_table("people")

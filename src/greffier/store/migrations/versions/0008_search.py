"""Search across meetings: the passages of each meeting with their stems and sentence vectors; on
SQLite an FTS5 table over the stems (unicode61, accents removed), on PostgreSQL a GIN index on their
`tsvector`.

Revision ID: 0008_search
Revises: 0009_roles
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_search"
down_revision = "0009_roles"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_passages",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "organisation_id",
            sa.Uuid(),
            sa.ForeignKey("organisations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("meeting_id", sa.Uuid(), sa.ForeignKey("meetings.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer()),
        sa.Column("segment_ids", sa.Text()),
        sa.Column("start", sa.Float(), nullable=False),
        sa.Column("end", sa.Float(), nullable=False),
        sa.Column("speakers", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("stems", sa.Text(), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_search_passages_organisation_id", "search_passages", ["organisation_id"])
    op.create_index("ix_search_passages_meeting_id", "search_passages", ["meeting_id"])
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5(stems, content='search_passages', "
            "content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
        )
    else:
        op.execute(
            "CREATE INDEX search_passages_words ON search_passages USING gin (to_tsvector('simple', stems))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE search_fts")
    op.drop_table("search_passages")

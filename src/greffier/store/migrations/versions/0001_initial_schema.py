"""Initial schema: organisations, users, API tokens, meetings, transcript versions, jobs.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _id() -> sa.Column:
    return sa.Column("id", sa.Uuid(), primary_key=True)


def _created() -> sa.Column:
    return sa.Column("created", sa.DateTime(), nullable=False)


def _fk(name: str, target: str, *, ondelete: str = "CASCADE", nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Uuid(), sa.ForeignKey(target, ondelete=ondelete), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "organisations",
        _id(),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        _created(),
    )
    op.create_table(
        "users",
        _id(),
        _fk("organisation_id", "organisations.id"),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column("name", sa.String(200)),
        _created(),
    )
    op.create_index("ix_users_organisation_id", "users", ["organisation_id"])
    op.create_table(
        "api_tokens",
        _id(),
        _fk("user_id", "users.id"),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        _created(),
        sa.Column("last_used", sa.DateTime()),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])
    op.create_table(
        "meetings",
        _id(),
        _fk("organisation_id", "organisations.id"),
        _fk("created_by", "users.id", ondelete="SET NULL", nullable=True),
        sa.Column("title", sa.String(500), nullable=False),
        _created(),
        sa.Column("language", sa.String(16)),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("filename", sa.String(500), nullable=False),
        sa.Column("audio_key", sa.String(500), nullable=False),
        sa.Column("audio_bytes", sa.BigInteger(), nullable=False),
        sa.Column("duration", sa.Float()),
    )
    op.create_index("ix_meetings_organisation_id", "meetings", ["organisation_id"])
    op.create_index("ix_meetings_created", "meetings", ["created"])
    op.create_table(
        "jobs",
        _id(),
        _fk("organisation_id", "organisations.id"),
        _fk("meeting_id", "meetings.id"),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("queue", sa.String(32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("stage", sa.String(64)),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("error", sa.Text()),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(200)),
        _created(),
        sa.Column("started", sa.DateTime()),
        sa.Column("finished", sa.DateTime()),
        sa.Column("heartbeat", sa.DateTime()),
        sa.Column("dispatched", sa.DateTime()),
    )
    op.create_index("ix_jobs_organisation_id", "jobs", ["organisation_id"])
    op.create_index("ix_jobs_meeting_id", "jobs", ["meeting_id"])
    op.create_index("ix_jobs_state", "jobs", ["state"])
    op.create_table(
        "transcript_versions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _fk("meeting_id", "meetings.id"),
        sa.Column("version", sa.Integer(), nullable=False),
        _created(),
        sa.Column("author", sa.String(320), nullable=False),
        sa.Column("job_id", sa.Uuid(), unique=True),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.UniqueConstraint("meeting_id", "version"),
    )
    op.create_index("ix_transcript_versions_meeting_id", "transcript_versions", ["meeting_id"])


def downgrade() -> None:
    for table in ("transcript_versions", "jobs", "meetings", "api_tokens", "users", "organisations"):
        op.drop_table(table)

"""Web app: passwords, expiring sign-in tokens, and the folded text meetings are searched in.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

from greffier.store.search import fold

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("password_hash", sa.String(200)))
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("expires", sa.DateTime()))
    with op.batch_alter_table("meetings") as batch:
        batch.add_column(sa.Column("search_text", sa.Text()))
    _fill_search_text()


def _fill_search_text() -> None:
    meetings = sa.table(
        "meetings", sa.column("id", sa.Uuid()), sa.column("title", sa.String()), sa.column("search_text")
    )
    versions = sa.table(
        "transcript_versions",
        sa.column("meeting_id", sa.Uuid()),
        sa.column("version", sa.Integer()),
        sa.column("body", sa.JSON()),
    )
    connection = op.get_bind()
    latest = (
        sa.select(versions.c.meeting_id, sa.func.max(versions.c.version).label("version"))
        .group_by(versions.c.meeting_id)
        .subquery()
    )
    bodies = {
        meeting_id: body
        for meeting_id, body in connection.execute(
            sa.select(versions.c.meeting_id, versions.c.body).join(
                latest,
                sa.and_(latest.c.meeting_id == versions.c.meeting_id, latest.c.version == versions.c.version),
            )
        )
    }
    for meeting_id, title in connection.execute(sa.select(meetings.c.id, meetings.c.title)).all():
        text = (bodies.get(meeting_id) or {}).get("text", "")
        connection.execute(
            meetings.update().where(meetings.c.id == meeting_id).values(search_text=fold(title, text))
        )


def downgrade() -> None:
    with op.batch_alter_table("meetings") as batch:
        batch.drop_column("search_text")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("expires")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("password_hash")

"""Alembic environment: the connection comes from `greffier.store.db.Database`."""

from alembic import context

from greffier.store.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection, target_metadata=Base.metadata, render_as_batch=True, compare_type=True
)
with context.begin_transaction():
    context.run_migrations()

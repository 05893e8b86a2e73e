"""Alembic environment: Poolgate always hands Alembic an open connection (see
``poolgate.store.migrate``), for SQLite and PostgreSQL alike."""

from alembic import context

from poolgate.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()

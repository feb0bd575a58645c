"""Alembic environment. ledpro_journal.db.migrate() hands us an open connection."""

from alembic import context
from sqlmodel import SQLModel

from ledpro_journal import models  # noqa: F401  (registers the tables on SQLModel.metadata)
from ledpro_journal.db import get_engine

target_metadata = SQLModel.metadata


def run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    with get_engine().connect() as connection:
        run_migrations(connection)
        connection.commit()

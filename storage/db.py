"""The async engine and session factory, with the SQLite settings a chat bot needs.

SQLite is the embedded default. Two things make it safe for us: WAL (readers do not block
the writer) and ``BEGIN IMMEDIATE`` (a transaction takes the write lock when it starts, so
two concurrent messages queue up instead of failing with "database is locked" half-way).
"""

from __future__ import annotations

import logging

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def _no_debug(record: logging.LogRecord) -> bool:
    return record.levelno > logging.DEBUG


# aiosqlite logs every statement with its parameters (names, phone numbers) at DEBUG: never
# wanted, even with OCOP_LOG_LEVEL=DEBUG. A filter, not a level: a level on this logger would
# also let its INFO lines through when the bot logs only warnings.
logging.getLogger("aiosqlite").addFilter(_no_debug)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    if is_sqlite(url):
        engine = create_async_engine(
            url, echo=echo, hide_parameters=True, connect_args={"timeout": 30}
        )
        _configure_sqlite(engine)
        return engine
    return create_async_engine(
        url,
        echo=echo,
        hide_parameters=True,  # an error or a log line never quotes what people typed
        pool_pre_ping=False,
        pool_size=10,
        max_overflow=10,
    )


def _configure_sqlite(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Let us issue BEGIN ourselves (pysqlite's own transaction handling is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)

"""The two baselines the conversation benchmark is compared with, on the same machine:

* **bare aiogram**: the same update bodies through aiogram alone (``json.loads``,
  ``Update.model_validate``, a ``Dispatcher`` routing to an echo handler), no storage: the
  cost of the Telegram library, which is the floor for any aiogram bot.
* **raw transactions**: one transaction per update, straight on the driver (asyncpg or
  sqlite3), running the statements the pipeline runs for an answer, on the same tables and
  with rows of the same size: mark the message seen, read the user and identity (locking
  the user on PostgreSQL), read the conversation, write it back, insert the reply into the
  outbox. That is the floor for a bot that commits every answer before replying.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any

import asyncpg
from aiogram import Bot, Dispatcher, Router
from aiogram.methods import SendMessage
from aiogram.types import Message, Update

from bench.conversation import ANSWERS, KINDS, Run, conversations

_message_ids = count(1)

PG_STATEMENTS = {
    "seen": "INSERT INTO seen_messages (channel, message_id, seen_at) VALUES ($1, $2, $3) "
    "ON CONFLICT DO NOTHING",
    "user": "SELECT u.id, u.role, u.status, u.language, u.province_code, u.commune_code, "
    "i.id, i.reachable, i.last_seen_at FROM users u JOIN identities i ON i.user_id = u.id "
    "WHERE i.channel = $1 AND i.external_id = $2 FOR UPDATE OF u",
    "load": "SELECT flow, step, data, updated_at FROM conversations WHERE user_id = $1",
    "save": "UPDATE conversations SET step = $1, data = $2, updated_at = $3 WHERE user_id = $4",
    "reply": "INSERT INTO outbox (user_id, channel, address, payload, status, attempts, "
    "next_attempt_at, created_at) VALUES ($1, 'telegram', $2, $3, 'pending', 0, $4, $4)",
}
SQLITE_STATEMENTS = {
    key: statement.replace(" FOR UPDATE OF u", "").replace("$1", "?").replace("$2", "?")
    .replace("$3", "?").replace("$4", "?")
    for key, statement in PG_STATEMENTS.items()
}  # fmt: skip
SQLITE_STATEMENTS["reply"] = (
    "INSERT INTO outbox (user_id, channel, address, payload, status, attempts, "
    "next_attempt_at, created_at) VALUES (?, 'telegram', ?, ?, 'pending', 0, ?, ?)"
)


async def bare_aiogram(users: int) -> Run:
    """aiogram's parsing and routing of the same updates, to an echo handler."""
    router = Router()

    @router.message()
    async def echo(message: Message) -> SendMessage:
        return message.answer(message.text or "")  # returned, not sent: no network

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    bot = Bot("123456:BENCHMARK-token")
    batches = conversations([900_000 + n for n in range(users)])
    run = Run()

    async def officer(bodies: list[bytes]) -> None:
        for kind, body in zip(KINDS, bodies, strict=True):
            started = time.perf_counter()
            update = Update.model_validate(json.loads(body), context={"bot": bot})
            result = await dispatcher.feed_update(bot, update)
            run.not_processed += not isinstance(result, SendMessage)
            run.add(kind, time.perf_counter() - started)

    run.started = time.perf_counter()
    await asyncio.gather(*(officer(b) for b in batches))
    run.finished = time.perf_counter()
    await bot.session.close()
    return run


def _now() -> datetime:
    return datetime.now(UTC)


async def raw_postgres(
    dsn: str, chats: list[int], state: dict[str, Any], payload: Any, *, pool_size: int
) -> Run:
    """One asyncpg transaction per update, one task per officer, a pool of ``pool_size``."""
    pool = await asyncpg.create_pool(dsn, min_size=pool_size, max_size=pool_size)
    assert pool is not None
    async with pool.acquire() as conn:
        await conn.executemany(
            "INSERT INTO conversations (user_id, flow, step, data, updated_at) "
            "SELECT i.user_id, 'form', 'q1', '{}', now() FROM identities i "
            "WHERE i.channel = 'telegram' AND i.external_id = $1",
            [(str(c),) for c in chats],
        )
    run = Run()

    async def officer(chat: int) -> None:
        address = str(chat)
        for kind in KINDS:
            started = time.perf_counter()
            async with pool.acquire() as conn, conn.transaction():
                now = _now()
                await conn.execute(PG_STATEMENTS["seen"], "telegram", f"r{next(_message_ids)}", now)
                user = await conn.fetchrow(PG_STATEMENTS["user"], "telegram", address)
                assert user is not None
                await conn.fetchrow(PG_STATEMENTS["load"], user[0])
                await conn.execute(PG_STATEMENTS["save"], "q2", json.dumps(state), now, user[0])
                await conn.execute(
                    PG_STATEMENTS["reply"], user[0], address, json.dumps(payload), now
                )
            run.add(kind, time.perf_counter() - started)

    run.started = time.perf_counter()
    await asyncio.gather(*(officer(c) for c in chats))
    run.finished = time.perf_counter()
    await pool.close()
    return run


def raw_sqlite(path: Path, chats: list[int], state: dict[str, Any], payload: Any) -> Run:
    """One sqlite3 transaction per update (``BEGIN IMMEDIATE``, WAL, the bot's pragmas),
    one after another: SQLite has one writer at a time."""
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in (
        "journal_mode=WAL",
        "foreign_keys=ON",
        "busy_timeout=30000",
        "synchronous=NORMAL",
    ):
        conn.execute(f"PRAGMA {pragma}")
    stamp = _now().strftime("%Y-%m-%d %H:%M:%S.%f")
    conn.executemany(
        "INSERT INTO conversations (user_id, flow, step, data, updated_at) "
        "SELECT i.user_id, 'form', 'q1', '{}', ? FROM identities i "
        "WHERE i.channel = 'telegram' AND i.external_id = ?",
        [(stamp, str(c)) for c in chats],
    )
    run = Run()
    run.started = time.perf_counter()
    for kind in KINDS:
        for chat in chats:
            address = str(chat)
            started = time.perf_counter()
            now = _now().strftime("%Y-%m-%d %H:%M:%S.%f")
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(SQLITE_STATEMENTS["seen"], ("telegram", f"r{next(_message_ids)}", now))
            user = conn.execute(SQLITE_STATEMENTS["user"], ("telegram", address)).fetchone()
            conn.execute(SQLITE_STATEMENTS["load"], (user[0],)).fetchone()
            conn.execute(SQLITE_STATEMENTS["save"], ("q2", json.dumps(state), now, user[0]))
            conn.execute(
                SQLITE_STATEMENTS["reply"], (user[0], address, json.dumps(payload), now, now)
            )
            conn.execute("COMMIT")
            run.add(kind, time.perf_counter() - started)
    run.finished = time.perf_counter()
    conn.close()
    return run


__all__ = ["ANSWERS", "bare_aiogram", "raw_postgres", "raw_sqlite"]

"""Conversation throughput: N officers file the commune report at once, through the whole
inbound path — Telegram update JSON parsed by aiogram, mapped to the core's message, handlers,
storage and outbox rows in one transaction per update — on SQLite and PostgreSQL.

Two baselines run on the same machine in the same run: a bare aiogram Dispatcher with an
echo handler and no storage, and a raw loop doing one transaction per update that writes the
same rows the pipeline writes (seen key, identity, conversation, outbox) with sqlite3/asyncpg.

    python -m bench.throughput [--users 100] [--db sqlite,postgres] [--preload 0]
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import tempfile
import time
from itertools import count
from pathlib import Path
from typing import Any

import asyncpg
from aiogram import Bot, Dispatcher, Router
from aiogram.types import Message, Update

from bench.common import (
    fresh_postgres,
    fresh_sqlite,
    percentiles,
    prepared_app,
    report,
    seed_officers,
    seed_submissions,
)
from bot.channels.telegram.updates import to_inbound

# What an officer types to file the commune report (15 questions, then "send").
ANSWERS = ["/baocao", "12", "3", "2", "1", "1", "0", "1", "2", "1", "40", "1", "2", "3",
           "Thiếu vốn làm bao bì.", "/boqua", "gui"]
STORED_ANSWERS = {f"q{n}": str(n) for n in range(25)}
_update_ids = count(1)


def message_update(user_id: int, text: str) -> dict[str, Any]:
    """A Telegram update as the Bot API sends it (what aiogram parses)."""
    update_id = next(_update_ids)
    entities = ([{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
                if text.startswith("/") else None)
    message: dict[str, Any] = {
        "message_id": update_id, "date": 1718000000, "text": text,
        "chat": {"id": user_id, "type": "private", "first_name": "Cán bộ"},
        "from": {"id": user_id, "is_bot": False, "first_name": "Cán bộ", "language_code": "vi"},
    }
    if entities:
        message["entities"] = entities
    return {"update_id": update_id, "message": message}


def conversations(user_ids: list[int]) -> list[list[dict[str, Any]]]:
    return [[message_update(uid, text) for text in ANSWERS] for uid in user_ids]


async def run_pipeline(url: str, users: int, preload: int) -> dict[str, Any]:
    app = await prepared_app(url)
    try:
        await seed_submissions(app, preload, answers=STORED_ANSWERS)
        user_ids = await seed_officers(app, users)
        bot = Bot("123456:BENCH")
        latencies: list[float] = []
        unexpected = 0

        async def officer(updates: list[dict[str, Any]]) -> None:
            nonlocal unexpected
            for raw in updates:
                started = time.perf_counter()
                update = Update.model_validate(raw, context={"bot": bot})
                inbound = to_inbound(update)
                done = await app.pipeline.process(inbound)  # type: ignore[arg-type]
                latencies.append(time.perf_counter() - started)
                unexpected += not done

        batches = conversations(user_ids)
        started = time.perf_counter()
        await asyncio.gather(*(officer(b) for b in batches))
        elapsed = time.perf_counter() - started
        async with app.session_factory() as session:
            from sqlalchemy import text

            filed = await session.scalar(text(
                "SELECT count(*) FROM submissions WHERE receipt NOT LIKE 'SEED-%'"))
        await bot.session.close()
        total = len(latencies)
        return {"updates": total, "seconds": round(elapsed, 3),
                "updates_per_s": round(total / elapsed, 1), **percentiles(latencies),
                "reports_filed": filed, "not_processed": unexpected}
    finally:
        await app.close()


async def run_bare_aiogram(users: int) -> dict[str, Any]:
    """The same updates through aiogram alone: parsing and routing to an echo handler."""
    router = Router()
    echoed = 0

    @router.message()
    async def echo(message: Message) -> None:
        nonlocal echoed
        echoed += len(message.text or "") >= 0

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    bot = Bot("123456:BENCH")
    batches = conversations(list(range(50_000, 50_000 + users)))
    latencies: list[float] = []

    async def officer(updates: list[dict[str, Any]]) -> None:
        for raw in updates:
            started = time.perf_counter()
            await dispatcher.feed_update(bot, Update.model_validate(raw, context={"bot": bot}))
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(officer(b) for b in batches))
    elapsed = time.perf_counter() - started
    await bot.session.close()
    return {"updates": len(latencies), "updates_per_s": round(len(latencies) / elapsed, 1),
            **percentiles(latencies)}


RAW_DDL = [
    "CREATE TABLE seen (channel text, message_id text, PRIMARY KEY (channel, message_id))",
    "CREATE TABLE ident (id integer PRIMARY KEY, last_seen text)",
    "CREATE TABLE conv (user_id integer PRIMARY KEY, step text, data text)",
    "CREATE TABLE outbox (id integer PRIMARY KEY, address text, payload text, status text)",
]


async def run_raw_postgres(url: str, users: int) -> dict[str, Any]:
    """One transaction per update, same rows, straight asyncpg (the floor for our path)."""
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    pool = await asyncpg.create_pool(dsn, min_size=10, max_size=20)
    async with pool.acquire() as conn:
        for ddl in ("DROP TABLE IF EXISTS seen, ident, conv, outbox", *RAW_DDL):
            await conn.execute(ddl.replace("integer PRIMARY KEY,", "bigserial PRIMARY KEY,")
                               if "outbox" in ddl and "CREATE" in ddl else ddl)
        await conn.executemany("INSERT INTO ident VALUES ($1, '') ON CONFLICT DO NOTHING",
                               [(n,) for n in range(users)])
        await conn.executemany("INSERT INTO conv VALUES ($1, '', '{}') ON CONFLICT DO NOTHING",
                               [(n,) for n in range(users)])
    latencies: list[float] = []
    ids = count(1)

    async def officer(n: int) -> None:
        for _ in ANSWERS:
            started = time.perf_counter()
            async with pool.acquire() as conn, conn.transaction():
                await conn.execute("INSERT INTO seen VALUES ('telegram', $1)", str(next(ids)))
                await conn.execute("UPDATE ident SET last_seen = 'now' WHERE id = $1", n)
                await conn.execute("UPDATE conv SET step = 'q', data = $2 WHERE user_id = $1",
                                   n, '{"answers": {"a": "1"}}')
                await conn.execute("INSERT INTO outbox (address, payload, status) "
                                   "VALUES ($1, $2, 'pending')", str(n), '{"text": "Câu 2/15"}')
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(officer(n) for n in range(users)))
    elapsed = time.perf_counter() - started
    await pool.close()
    return {"updates": len(latencies), "updates_per_s": round(len(latencies) / elapsed, 1),
            **percentiles(latencies)}


def run_raw_sqlite(folder: Path, users: int) -> dict[str, Any]:
    """The same with sqlite3 in WAL mode, one writer (as SQLite allows)."""
    path = folder / "raw.db"
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    for ddl in RAW_DDL:
        conn.execute(ddl)
    conn.executemany("INSERT INTO ident VALUES (?, '')", [(n,) for n in range(users)])
    conn.executemany("INSERT INTO conv VALUES (?, '', '{}')", [(n,) for n in range(users)])
    latencies: list[float] = []
    ids = count(1)
    started = time.perf_counter()
    for _ in ANSWERS:
        for n in range(users):
            t0 = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO seen VALUES ('telegram', ?)", (str(next(ids)),))
            conn.execute("UPDATE ident SET last_seen = 'now' WHERE id = ?", (n,))
            conn.execute("UPDATE conv SET step = 'q', data = ? WHERE user_id = ?",
                         ('{"answers": {"a": "1"}}', n))
            conn.execute("INSERT INTO outbox (address, payload, status) VALUES (?, ?, 'pending')",
                         (str(n), '{"text": "Câu 2/15"}'))
            conn.execute("COMMIT")
            latencies.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    conn.close()
    return {"updates": len(latencies), "updates_per_s": round(len(latencies) / elapsed, 1),
            **percentiles(latencies)}


async def main_async(users: int, databases: list[str], preload: int, name: str) -> None:
    figures: dict[str, Any] = {"users": users, "updates_per_user": len(ANSWERS),
                               "preloaded_submissions": preload}
    table: list[tuple[str, str]] = []
    bare = await run_bare_aiogram(users)
    figures["bare_aiogram"] = bare
    table.append(("bare aiogram (echo, no storage)",
                  f"{bare['updates_per_s']:>9,.1f} upd/s  p99 {bare['p99_ms']} ms"))
    with tempfile.TemporaryDirectory() as folder:
        for db in databases:
            url = fresh_sqlite(Path(folder)) if db == "sqlite" else await fresh_postgres()
            ours = await run_pipeline(url, users, preload)
            raw = (run_raw_sqlite(Path(folder), users) if db == "sqlite"
                   else await run_raw_postgres(url, users))
            figures[db] = {"pipeline": ours, "raw_transactions": raw,
                           "share_of_raw": round(ours["updates_per_s"] / raw["updates_per_s"], 3),
                           "share_of_bare_aiogram": round(
                               ours["updates_per_s"] / bare["updates_per_s"], 4)}
            table.append((f"{db}: bot pipeline",
                          f"{ours['updates_per_s']:>9,.1f} upd/s  p50 {ours['p50_ms']} ms  "
                          f"p95 {ours['p95_ms']} ms  p99 {ours['p99_ms']} ms  "
                          f"({ours['reports_filed']} reports filed)"))
            table.append((f"{db}: raw transactions",
                          f"{raw['updates_per_s']:>9,.1f} upd/s  p99 {raw['p99_ms']} ms"))
            table.append((f"{db}: pipeline / raw", f"{figures[db]['share_of_raw']:.2f}"))
    report(name, figures, table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--preload", type=int, default=0, help="submissions stored beforehand")
    parser.add_argument("--name", default="throughput")
    args = parser.parse_args()
    asyncio.run(main_async(args.users, args.db.split(","), args.preload, args.name))


if __name__ == "__main__":
    main()

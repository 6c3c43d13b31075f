"""Simulated officers filing the commune report through the bot's whole inbound path.

Each update starts as the bytes of a Telegram webhook body and goes the way the running bot
takes it: ``json.loads``, aiogram's ``Update.model_validate`` (``parse_update``), the
mapping to the core's message (``UpdateReceiver``/``to_inbound``), then the pipeline: the
seen-key, the user, the conversation, the form handlers, the new state and the outbox rows,
committed in one transaction. Only the network is left out (the webhook's HTTP server and
the sender are measured by the fan-out benchmark).

An officer's updates are sent one after another, as a person answers one question after
the other; many officers are in flight at once.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from aiogram import Bot
from sqlalchemy import event, text

from bot.app import App
from bot.channels.telegram.receiver import UpdateReceiver, parse_update
from bot.channels.telegram.updates import Skip

# What an officer types to file the commune report: the command, 13 numbers, a text, a
# skipped text and "send" at the review. Every question of the form is asked.
ANSWERS = ["/baocao", "12", "3", "2", "1", "1", "0", "1", "2", "1", "40", "1", "2", "3",
           "Thiếu vốn làm bao bì.", "/boqua", "gui"]  # fmt: skip
KINDS = ["start", *["answer"] * (len(ANSWERS) - 2), "submit"]
_update_ids = count(1_000_000)


def update_body(chat: int, text: str) -> bytes:
    """A Telegram update as the Bot API sends it (a webhook body)."""
    update_id = next(_update_ids)
    message: dict[str, Any] = {
        "message_id": update_id,
        "date": 1718000000,
        "text": text,
        "chat": {"id": chat, "type": "private", "first_name": "Cán bộ"},
        "from": {"id": chat, "is_bot": False, "first_name": "Cán bộ", "language_code": "vi"},
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return json.dumps({"update_id": update_id, "message": message}).encode()


def conversations(chats: list[int], answers: list[str] = ANSWERS) -> list[list[bytes]]:
    """Each officer's updates, made before the clock starts."""
    return [[update_body(chat, answer) for answer in answers] for chat in chats]


@dataclass
class Run:
    """Latencies (seconds) by kind of update, and the wall time of the run."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    started: float = 0.0
    finished: float = 0.0
    not_processed: int = 0

    @property
    def all(self) -> list[float]:
        return [s for samples in self.latencies.values() for s in samples]

    @property
    def seconds(self) -> float:
        return self.finished - self.started

    def add(self, kind: str, seconds: float) -> None:
        self.latencies.setdefault(kind, []).append(seconds)


class Driver:
    """Feeds update bodies to an App exactly as the webhook handler would."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.bot = Bot("123456:BENCHMARK-token")
        self.receiver = UpdateReceiver(self.bot, app.pipeline)

    async def feed(self, body: bytes) -> bool:
        update = parse_update(json.loads(body), self.bot)
        if isinstance(update, Skip):
            return False
        return await self.receiver.process(update)

    async def close(self) -> None:
        await self.bot.session.close()

    async def closed_loop(self, chats: list[int]) -> Run:
        """Every officer at once, each sending the next update as soon as the previous one is
        committed: the most the bot can do (its saturation throughput)."""
        batches = conversations(chats)
        run = Run()

        async def officer(bodies: list[bytes]) -> None:
            for kind, body in zip(KINDS, bodies, strict=True):
                started = time.perf_counter()
                run.not_processed += not await self.feed(body)
                run.add(kind, time.perf_counter() - started)

        run.started = time.perf_counter()
        await asyncio.gather(*(officer(b) for b in batches))
        run.finished = time.perf_counter()
        return run

    async def open_loop(
        self, chats: list[int], rate: float, *, pattern: str = "poisson", seed: int = 7
    ) -> Run:
        """Updates arrive at ``rate`` per second in total, whatever the bot's pace (as people's
        messages do), each officer's in order. Latency runs from when an update was due, so
        waiting behind the officer's previous update counts.

        ``poisson``: independent officers; arrivals form a Poisson process at ``rate``, each
        the next update of an officer picked at random among those with updates left.
        ``lockstep``: update k of officer n is due at (k * officers + n) / rate, so every
        officer starts within the same tenth of a second and submits within another: the
        worst burst of heavy updates (starting a report, sending it) there can be."""
        batches = conversations(chats)
        due = arrival_times(len(batches), len(KINDS), rate, pattern=pattern, seed=seed)
        run = Run()

        async def officer(n: int, bodies: list[bytes]) -> None:
            for k, (kind, body) in enumerate(zip(KINDS, bodies, strict=True)):
                at = run.started + due[n][k]
                delay = at - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                run.not_processed += not await self.feed(body)
                run.add(kind, time.perf_counter() - at)

        run.started = time.perf_counter() + 0.05
        await asyncio.gather(*(officer(n, b) for n, b in enumerate(batches)))
        run.finished = time.perf_counter()
        return run


def arrival_times(
    officers: int, updates: int, rate: float, *, pattern: str, seed: int = 7
) -> list[list[float]]:
    """When each officer's updates are due, in seconds from the start (see open_loop)."""
    if pattern == "lockstep":
        return [[(k * officers + n) / rate for k in range(updates)] for n in range(officers)]
    if pattern != "poisson":
        raise ValueError(f"unknown arrival pattern {pattern!r}")
    chance = random.Random(seed)
    due: list[list[float]] = [[] for _ in range(officers)]
    active = list(range(officers))
    clock = 0.0
    while active:
        clock += chance.expovariate(rate)
        pick = chance.randrange(len(active))
        n = active[pick]
        due[n].append(clock)
        if len(due[n]) == updates:
            active[pick] = active[-1]
            active.pop()
    return due


@dataclass
class StatementCounter:
    """Counts the SQL statements an engine runs, by their first words."""

    counts: Counter[str] = field(default_factory=Counter)

    def attach(self, app: App) -> Callable[[], None]:
        def count_one(_conn, _cursor, statement: str, *_: object) -> None:  # type: ignore[no-untyped-def]
            self.counts[statement_kind(statement)] += 1

        target = app.engine.sync_engine
        event.listen(target, "before_cursor_execute", count_one)
        return lambda: event.remove(target, "before_cursor_execute", count_one)

    def per_update(self, updates: int) -> dict[str, float]:
        return {k: round(v / updates, 2) for k, v in self.counts.most_common()}


def statement_kind(statement: str) -> str:
    """``SELECT conversations``, ``INSERT outbox``...: the verb and the (first) table."""
    words = statement.split()
    verb = words[0].upper() if words else "?"
    upper = [w.upper() for w in words]
    table = ""
    if verb in ("INSERT", "DELETE") and len(words) > 2:
        table = words[2]
    elif verb == "UPDATE" and len(words) > 1:
        table = words[1]
    elif verb == "SELECT" and "FROM" in upper:
        table = words[upper.index("FROM") + 1]
    return f"{verb} {table.strip('(')}".strip()


async def filed_reports(app: App, chats: list[int]) -> int:
    """How many of these officers' communes have their report stored (and not a seed)."""
    async with app.session_factory() as session:
        placeholders = ", ".join(f"'{c}'" for c in chats)
        return int(
            await session.scalar(
                text(
                    "SELECT count(*) FROM submissions s JOIN users u ON u.commune_code = "
                    "s.commune_code JOIN identities i ON i.user_id = u.id WHERE "
                    f"i.channel = 'telegram' AND i.external_id IN ({placeholders}) "
                    "AND s.receipt NOT LIKE 'SEED-%'"
                )
            )
            or 0
        )


async def sample_state(app: App, chat: int, answered: int = 9) -> tuple[dict[str, Any], Any]:
    """A real conversation state half-way through the report and a real reply payload, for
    the raw baseline to write rows of the same size."""
    driver = Driver(app)
    try:
        for body in conversations([chat], ANSWERS[: answered + 1])[0]:
            await driver.feed(body)
    finally:
        await driver.close()
    async with app.session_factory() as session:
        data = await session.scalar(
            text(
                "SELECT c.data FROM conversations c JOIN identities i ON i.user_id = c.user_id "
                "WHERE i.external_id = :chat"
            ),
            {"chat": str(chat)},
        )
        payload = await session.scalar(text("SELECT payload FROM outbox ORDER BY id DESC LIMIT 1"))
    as_dict = json.loads(data) if isinstance(data, str) else dict(data)
    return as_dict, json.loads(payload) if isinstance(payload, str) else payload

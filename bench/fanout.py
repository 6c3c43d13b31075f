"""Reminder fan-out: N due reminders (one per officer) through the outbox to the fake Bot API
on 127.0.0.1, which enforces a global limit L (a sliding one-second window, answering 429
above it) and 1 message/s per chat, like Telegram. The bot runs as an operator runs it
(``python -m bot``, Telegram polling, SQLite) with ``OCOP_TELEGRAM_RATE_GLOBAL=L``. Reported:
the rate achieved as a share of L, the 429s provoked, duplicates and losses. Then the same
with the bot killed (SIGKILL) half-way and started again.

    python -m bench.fanout [--count 5000] [--rate 100]

Above 30/s the bot must be told it talks to a server of its own: the fake is one (see
``OCOP_TELEGRAM_RATE_GLOBAL`` in docs/telegram.md). Each run stops by itself: when every
reminder has arrived, or after a deadline of three times the ideal sending time plus a
minute.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from itertools import pairwise
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench.common import Table, bench_env, bench_settings, prepared_app, report
from bench.seed import seed_officers
from bot.app import App
from bot.messages import Outbound
from storage.models import OutboxMessage, OutboxStatus
from storage.outbox import Outbox
from tests.fakes.telegram_api import FakeTelegramServer, RecordedCall

TOKEN = "123456:FANOUT-BENCH"
FIRST_CHAT = 70_000
POLL = 0.1  # seconds between looks at what the fake received


async def prepare(url: str, count: int) -> list[int]:
    """``count`` officers and one due reminder for each, as the scheduler would leave them."""
    app = await prepared_app(url)
    try:
        chats = await seed_officers(app, count, first_chat=FIRST_CHAT)
        async with app.session_factory() as session, session.begin():
            outbox = Outbox(session)
            for chat in chats:
                await outbox.enqueue(
                    channel="telegram", address=str(chat), user_id=None,
                    message=Outbound(text=f"Nhắc hạn: báo cáo quý 2/2024 (#{chat})"),
                    dedupe_key=f"remind:{chat}:commune_report:2024-Q2:3d",
                )  # fmt: skip
    finally:
        await app.close()
    return chats


async def sent_in_database(url: str) -> set[int]:
    """The chats whose reminder the outbox has marked sent."""
    app = App(bench_settings(url))
    try:
        async with app.session_factory() as session:
            rows = await session.scalars(
                select(OutboxMessage.address).where(OutboxMessage.status == OutboxStatus.SENT)
            )
            return {int(address) for address in rows}
    finally:
        await app.close()


async def statuses(url: str) -> dict[str, int]:
    """The outbox rows by status: every one should be sent."""
    app = App(bench_settings(url))
    try:
        async with app.session_factory() as session:
            result = await session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            )
            return {str(getattr(s, "value", s)): n for s, n in result.all()}
    finally:
        await app.close()


async def start_bot(
    server: FakeTelegramServer, folder: Path, url: str, rate: float, log: Path
) -> asyncio.subprocess.Process:
    env = bench_env(
        url,
        OCOP_TELEGRAM_TOKEN=TOKEN,
        OCOP_TELEGRAM_API_BASE=server.base_url,  # not Telegram's: above 30/s is allowed
        OCOP_TELEGRAM_RATE_GLOBAL=f"{rate:g}",
        OCOP_TELEGRAM_RATE_PER_CHAT="1",
    )

    def started() -> int:
        return sum(1 for r in server.requests if r.method == "getMe")

    before = started()
    with log.open("ab") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=folder, env=env, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL, stderr=stderr,
        )  # fmt: skip
    # Running once it has asked who it is (a killed bot's long poll may still look active).
    await server.wait_for(lambda: started() > before or process.returncode is not None, 60)
    if process.returncode is not None:
        raise SystemExit(f"the bot did not start (exit {process.returncode}); see {log}")
    return process


def longest_pause(calls: list[RecordedCall]) -> float:
    """The longest time between two accepted messages (the restart, in the killed run)."""
    stamps = sorted(c.timestamp for c in calls)
    return max((b - a for a, b in pairwise(stamps)), default=0.0)


def busiest_second(calls: list[RecordedCall]) -> int:
    """The most messages the fake accepted in any one-second window (its own clock)."""
    stamps = sorted(c.timestamp for c in calls)
    most, first = 0, 0
    for last, stamp in enumerate(stamps):
        while stamps[first] <= stamp - 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


async def one_run(count: int, rate: float, *, kill_at: float | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        url = f"sqlite+aiosqlite:///{folder / 'ocop.db'}"
        log = folder / "bot.log"
        chats = await prepare(url, count)
        expected = len(chats)
        async with FakeTelegramServer(token=TOKEN) as server:
            server.set_rate_limits(global_per_second=rate, per_chat_per_second=1, per_chat_burst=3)
            started = time.perf_counter()
            process = await start_bot(server, folder, url, rate, log)
            killed: dict[str, Any] | None = None
            deadline = started + expected / rate * 3 + 60
            received: set[int] = set()
            while time.perf_counter() < deadline:
                received = {int(c.chat_id or 0) for c in server.calls("sendMessage")}
                if kill_at is not None and killed is None and len(received) >= expected * kill_at:
                    process.kill()
                    await process.wait()
                    killed_at = time.monotonic()
                    accepted = {int(c.chat_id or 0) for c in server.calls("sendMessage")}
                    # Accepted by the fake but not yet marked sent: at-least-once delivery
                    # sends these again after the restart (an in-flight call at a crash).
                    in_flight = len(accepted - await sent_in_database(url))
                    process = await start_bot(server, folder, url, rate, log)
                    killed = {"received_at_kill": len(accepted), "in_flight_at_kill": in_flight,
                              "restart_seconds": round(time.monotonic() - killed_at, 2)}  # fmt: skip
                    continue
                if len(received) >= expected:
                    break
                await asyncio.sleep(POLL)
            elapsed = time.perf_counter() - started
            await asyncio.sleep(1.0)  # a straggler (a repeat) would arrive now
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()
            calls = server.calls("sendMessage")
            per_chat = Counter(int(c.chat_id or 0) for c in calls)
            # The rate while sending: first to last message (start-up is not fan-out).
            span = max(calls[-1].timestamp - calls[0].timestamp, 1e-9) if len(calls) > 1 else 0.0
            achieved = (len(calls) - 1) / span if span else 0.0
            pause = longest_pause(calls)
            # Without the restart's pause: the pace while the bot was up.
            while_up = (len(calls) - 2) / (span - pause) if kill_at and span > pause else achieved
            return {
                "reminders": expected,
                "seconds": round(elapsed, 2),
                "sending_seconds": round(span, 2),
                "achieved_per_s": round(achieved, 2),
                "share_of_limit": round(achieved / rate, 3),
                "longest_pause_seconds": round(pause, 2),
                "achieved_while_up_per_s": round(while_up, 2),
                "share_of_limit_while_up": round(while_up / rate, 3),
                "busiest_second": busiest_second(calls),
                "rate_limited_429": server.stats["rate_limited"],
                "duplicates": sum(n - 1 for n in per_chat.values() if n > 1),
                "lost": len(set(chats) - set(per_chat)),
                "outbox": await statuses(url),
                "timed_out": len(per_chat) < expected,
                "kill": killed,
            }


async def run_all(count: int, rate: float) -> tuple[dict[str, Any], list[Table]]:
    clean = await one_run(count, rate, kill_at=None)
    killed = await one_run(count, rate, kill_at=0.5)
    table = Table(
        f"Reminder fan-out: {count:,} reminders, L = {rate:g}/s overall and 1/s per chat",
        ["run", "sending time", "rate /s", "share of L", "busiest second", "429s",
         "duplicates", "lost"],
    )  # fmt: skip
    for name, r in (("uninterrupted", clean), ("SIGKILL half-way, restarted", killed)):
        table.add(name, f"{r['sending_seconds']:.1f} s", r["achieved_per_s"],
                  f"{r['share_of_limit']:.1%}", r["busiest_second"], r["rate_limited_429"],
                  r["duplicates"], r["lost"])  # fmt: skip
    table.notes.append(
        "Sending time: the fake's first to last accepted message; the killed run's includes "
        f"the restart (its longest pause, {killed['longest_pause_seconds']:.1f} s; without it "
        f"{killed['achieved_while_up_per_s']:.1f}/s, {killed['share_of_limit_while_up']:.1%} "
        "of L). Busiest second: the most messages the fake accepted in any one-second window "
        "(its limit is L)."
    )
    if (kill := killed["kill"]) is not None:
        table.notes.append(
            f"Killed after {kill['received_at_kill']:,} reminders had arrived; "
            f"{kill['in_flight_at_kill']} accepted by the fake but not yet marked sent at that "
            "instant (at-least-once: those would be sent again); the new process was up "
            f"{kill['restart_seconds']:.1f} s after the kill."
        )
    for name, r in (("uninterrupted", clean), ("killed", killed)):
        if r["timed_out"]:
            table.notes.append(f"The {name} run hit its deadline before every reminder arrived.")
    figures = {"limit_per_s": rate, "uninterrupted": clean, "killed": killed}
    return figures, [table]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--count", type=int, default=5000, help="reminders (one per officer)")
    parser.add_argument("--rate", type=float, default=100.0, help="the global limit L, per s")
    parser.add_argument("--name", default="fanout", help="the JSON file's name")
    args = parser.parse_args(argv)
    if not 1 <= args.rate <= 1000:
        raise SystemExit("--rate must be between 1 and 1000 messages/s")
    figures, tables = asyncio.run(run_all(args.count, args.rate))
    report(args.name, figures, tables)


if __name__ == "__main__":
    main()

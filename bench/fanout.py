"""Reminder fan-out: N due reminders (one per user) through the outbox to the fake Bot API
on 127.0.0.1, which enforces a global limit L and 1 message/s per chat like Telegram. The bot
runs as an operator runs it (``python -m bot``, Telegram polling, SQLite). Reported: the rate
achieved as a share of L, the 429s provoked, duplicates and losses. Then the same with the
bot killed (SIGKILL) half-way and started again.

    python -m bench.fanout [--count 1500] [--rate 30]

L is at most 30/s (Telegram's own limit, and the most OCOP_TELEGRAM_RATE_GLOBAL accepts).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.common import report
from bot.messages import Outbound
from storage.outbox import Outbox
from tests.fakes.telegram_api import FakeTelegramServer
from tests.faults.seed import seed_officers_sync

TOKEN = "123456:FANOUT-BENCH"


async def enqueue_reminders(url: str, chats: list[int]) -> None:
    from bot.app import App
    from tests.conftest import make_settings

    app = App(make_settings(url))
    async with app.session_factory() as session, session.begin():
        outbox = Outbox(session)
        for chat in chats:
            await outbox.enqueue(
                channel="telegram", address=str(chat), user_id=None,
                message=Outbound(text=f"Nhắc hạn: báo cáo quý 2/2024 (#{chat})"),
                dedupe_key=f"remind:{chat}:commune_report:2024-Q2:3d")
    await app.close()


async def start_bot(server: FakeTelegramServer, folder: Path, url: str, rate: float):  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCOP_")}
    env.update(OCOP_TELEGRAM_TOKEN=TOKEN, OCOP_TELEGRAM_API_BASE=server.base_url,
               OCOP_DATABASE_URL=url, OCOP_SCHEDULER="false",
               # A little under L: the two token buckets (ours, the fake's) start their
               # seconds at different instants.
               OCOP_TELEGRAM_RATE_GLOBAL=str(rate * 0.95), OCOP_TELEGRAM_RATE_PER_CHAT="1")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=folder, env=env, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    await server.wait_for(lambda: server.active_polls or process.returncode is not None, 60)
    return process


async def one_run(count: int, rate: float, *, kill_at: float | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        url = f"sqlite+aiosqlite:///{folder / 'ocop.db'}"
        chats = await seed_officers_sync(url, min(count, 3321))
        chats = (chats * (count // len(chats) + 1))[:count]
        async with FakeTelegramServer(token=TOKEN) as server:
            server.set_rate_limits(global_per_second=rate, per_chat_per_second=1, per_chat_burst=3)
            await enqueue_reminders(url, sorted(set(chats)))
            expected = len(set(chats))
            started = time.perf_counter()
            process = await start_bot(server, folder, url, rate)
            killed = False
            deadline = started + expected / rate * 3 + 60
            while time.perf_counter() < deadline:
                sent = len({c.chat_id for c in server.calls("sendMessage")})
                if kill_at is not None and not killed and sent >= expected * kill_at:
                    process.kill()
                    await process.wait()
                    killed = True
                    process = await start_bot(server, folder, url, rate)
                if sent >= expected:
                    break
                await asyncio.sleep(0.2)
            elapsed = time.perf_counter() - started
            process.terminate()
            await process.wait()
            calls = server.calls("sendMessage")
            per_chat = Counter(int(c.chat_id or 0) for c in calls)
            # The rate while sending: first to last message (start-up is not fan-out).
            span = max(calls[-1].timestamp - calls[0].timestamp, 1e-9) if calls else elapsed
            return {
                "reminders": expected, "seconds": round(elapsed, 2),
                "sending_seconds": round(span, 2),
                "achieved_per_s": round((len(calls) - 1) / span, 2),
                "share_of_limit": round((len(calls) - 1) / span / rate, 3),
                "rate_limited_429": server.stats["rate_limited"],
                "duplicates": sum(n - 1 for n in per_chat.values() if n > 1),
                "lost": expected - len(per_chat), "killed_half_way": killed,
            }


async def main_async(count: int, rate: float) -> None:
    clean = await one_run(count, rate, kill_at=None)
    killed = await one_run(count, rate, kill_at=0.5)
    table = []
    for name, r in (("uninterrupted", clean), ("SIGKILL half-way", killed)):
        table.append((name, f"{r['reminders']} reminders, sent in {r['sending_seconds']} s = "
                            f"{r['achieved_per_s']}/s ({r['share_of_limit']:.0%} of {rate:g}/s); "
                            f"429s {r['rate_limited_429']}, duplicates {r['duplicates']}, "
                            f"lost {r['lost']}"))
    report("fanout", {"limit_per_s": rate, "uninterrupted": clean, "killed": killed}, table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1500)
    parser.add_argument("--rate", type=float, default=30.0)
    args = parser.parse_args()
    asyncio.run(main_async(args.count, min(args.rate, 30.0)))


if __name__ == "__main__":
    main()

"""Conversation throughput: N officers file the commune report at once through the whole
inbound path (see bench/conversation.py), on SQLite and on PostgreSQL, with the two
baselines of bench/baselines.py measured in the same run.

    python -m bench.throughput [--users 100] [--db sqlite,postgres] [--workers 1,2]
                               [--offered 1000/s,0.8] [--patterns poisson,lockstep]
                               [--preload 0] [--history 17]

Figures, per database:

* saturation: every officer sends the next update as soon as the previous one is committed.
  Updates per second is what the bot can do; the latency then is mostly waiting in line
  (Little's law: with N updates in flight at X per second, each waits about N / X).
* offered load: updates arrive at a given rate (N/s, or a share of the saturation rate),
  as people's messages do, whatever the bot's pace; the latency is what a user would see at
  that load. Arrivals are a Poisson process of independent officers, and "lockstep" (every
  officer starts and sends the report within the same tenth of a second: the worst burst).
* with ``--workers 2`` (PostgreSQL) the same officers are shared by two processes, as
  ``OCOP_WEBHOOK_WORKERS=2`` shares them between two webhook workers (bot/workers.py).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench.baselines import bare_aiogram, raw_postgres, raw_sqlite
from bench.common import (
    Table,
    bench_settings,
    fresh_database,
    percentiles,
    postgres_dsn,
    prepared_app,
    ratio,
    report,
)
from bench.conversation import ANSWERS, Driver, Run, StatementCounter, filed_reports, sample_state
from bench.seed import seed_officers, seed_submissions
from bot.app import App

WARM_UP_OFFICERS = 10


def summary(run: Run) -> dict[str, Any]:
    samples = run.all
    return {
        "updates": len(samples),
        "seconds": round(run.seconds, 3),
        "updates_per_s": round(len(samples) / run.seconds, 1) if run.seconds else 0.0,
        **percentiles(samples),
        "by_kind": {kind: percentiles(s) for kind, s in run.latencies.items()},
        "not_processed": run.not_processed,
    }


class Communes:
    """Hands out disjoint groups of officers (each group in communes of its own, so that no
    group finds another's report already filed)."""

    def __init__(self, app: App, total: int) -> None:
        self.app, self.total, self.used = app, total, 0

    async def officers(self, count: int) -> list[int]:
        if self.used + count > self.total:
            raise SystemExit(
                f"not enough communes ({self.total}) for separate groups of officers: "
                "lower --users or leave out some --offered loads"
            )
        chats = await seed_officers(
            self.app, count, first_chat=10_000_000 + self.used, commune_offset=self.used
        )
        self.used += count
        return chats


async def measure(
    kind: str,
    folder: Path,
    *,
    users: int,
    offered: list[str],
    workers: list[int],
    preload: int,
    history: int,
    patterns: Sequence[str] = ("poisson",),
    with_raw: bool = True,
) -> dict[str, Any]:
    """Everything for one database: saturation, offered loads, workers, the raw baseline."""
    url = await fresh_database(kind, folder)
    app = await prepared_app(url)
    try:
        seeded = await seed_submissions(app, preload, history=history) if preload else {}
        async with app.session_factory() as session:
            total = int(await session.scalar(text("SELECT count(*) FROM communes")) or 0)
        communes = Communes(app, total)
        driver = Driver(app)
        try:
            await driver.closed_loop(await communes.officers(WARM_UP_OFFICERS))
            chats = await communes.officers(users)
            counter = StatementCounter()
            detach = counter.attach(app)
            saturation = await driver.closed_loop(chats)
            detach()
            result: dict[str, Any] = {
                "seeded": seeded,
                "engine_pool": _pool_size(app),
                "saturation": summary(saturation),
                "reports_filed": await filed_reports(app, chats),
                "statements_per_update": counter.per_update(len(saturation.all)),
                "offered": [],
            }
            for load in offered:
                rate = offered_rate(load, result["saturation"]["updates_per_s"])
                for pattern in patterns:
                    run = await driver.open_loop(
                        await communes.officers(users), rate, pattern=pattern
                    )
                    result["offered"].append(
                        {
                            "load": load,
                            "pattern": pattern,
                            "offered_per_s": round(rate, 1),
                            **summary(run),
                        }
                    )
            state, payload = await sample_state(app, (await communes.officers(1))[0])
        finally:
            await driver.close()
        for count in workers:
            if count > 1:
                chats = await communes.officers(users)
                result[f"workers_{count}"] = await in_processes(url, chats, count)
                for load in offered:
                    if not load.endswith("/s"):
                        continue
                    rate = offered_rate(load, 0.0)
                    run = await in_processes(url, await communes.officers(users), count, rate=rate)
                    result["offered"].append(
                        {
                            "load": load,
                            "pattern": f"poisson, {count} processes",
                            "offered_per_s": round(rate, 1),
                            **run,
                        }
                    )
        if not with_raw:
            return result
        raw_chats = await communes.officers(users)
        if kind == "postgres":
            raw = await raw_postgres(
                postgres_dsn(), raw_chats, state, payload, pool_size=_pool_size(app)
            )
        else:
            raw = raw_sqlite(Path(app.engine.url.database or ""), raw_chats, state, payload)
        result["raw_transactions"] = summary(raw)
        result["share_of_raw"] = ratio(
            result["saturation"]["updates_per_s"], result["raw_transactions"]["updates_per_s"]
        )
        return result
    finally:
        await app.close()


def offered_rate(load: str, saturation: float) -> float:
    """``"1000/s"``: that many updates per second; ``"0.5"``: that share of saturation."""
    if load.endswith("/s"):
        return float(load[:-2])
    return float(load) * saturation


def _pool_size(app: App) -> int:
    pool = app.engine.sync_engine.pool
    size = getattr(pool, "size", lambda: 1)()
    overflow = getattr(pool, "_max_overflow", 0)
    return int(size) + max(int(overflow), 0)


# -- several processes sharing the database (webhook workers) ------------------------------


def _worker(
    url: str,
    chats: list[int],
    start_at: float,
    results: Any,
    load: tuple[float, str, int] | None = None,
) -> None:
    """One process's share of the officers: at saturation, or (``load``) at an offered rate
    with an arrival pattern and a seed of its own."""

    async def main() -> None:
        app = App(bench_settings(url))
        await app.prepare()
        driver = Driver(app)
        await driver.closed_loop(chats[:1])  # warm this process's caches and connections
        await asyncio.sleep(max(0.0, start_at - time.time()))
        began = time.time()
        if load is None:
            run = await driver.closed_loop(chats[1:])
        else:
            rate, pattern, seed = load
            run = await driver.open_loop(chats[1:], rate, pattern=pattern, seed=seed)
        results.put((began, time.time(), run.latencies, run.not_processed))
        await driver.close()
        await app.close()

    asyncio.run(main())


async def in_processes(
    url: str, chats: list[int], count: int, *, rate: float | None = None, pattern: str = "poisson"
) -> dict[str, Any]:
    """The officers split between ``count`` processes that start at the same instant, as
    webhook workers behind one address share the people who write; with ``rate``, updates
    arrive at that rate in total (each process gets its share)."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    start_at = time.time() + 8.0  # time for each process to start, prepare and warm up
    share = len(chats) // count
    processes = [
        context.Process(
            target=_worker,
            args=(
                url,
                chats[n * share : (n + 1) * share],
                start_at,
                results,
                None if rate is None else (rate / count, pattern, 7 + n),
            ),
        )
        for n in range(count)
    ]
    for process in processes:
        process.start()
    outcomes = [await asyncio.to_thread(results.get, True, 300) for _ in processes]
    for process in processes:
        await asyncio.to_thread(process.join, 30)
    merged = Run(started=min(o[0] for o in outcomes), finished=max(o[1] for o in outcomes))
    for _, _, latencies, not_processed in outcomes:
        merged.not_processed += not_processed
        for kind, samples in latencies.items():
            merged.latencies.setdefault(kind, []).extend(samples)
    return {"processes": count, **summary(merged)}


# -- the command ---------------------------------------------------------------------------


async def run_all(args: argparse.Namespace) -> tuple[dict[str, Any], list[Table]]:
    figures: dict[str, Any] = {
        "users": args.users,
        "updates_per_user": len(ANSWERS),
        "preloaded_submissions": args.preload,
    }
    bare = summary(await bare_aiogram(args.users))
    figures["bare_aiogram"] = bare
    main = Table(
        f"Conversation throughput: {args.users} officers at once, {len(ANSWERS)} updates each",
        ["path", "updates/s", "p50", "p95", "p99", "vs raw"],
    )
    main.add("bare aiogram Dispatcher, echo handler, no storage", bare["updates_per_s"],
             *_latency(bare), "")  # fmt: skip
    loads = Table(
        "Latency at an offered load (updates arrive at a given rate, whatever the bot's pace)",
        ["database", "arrivals", "offered/s", "achieved/s", "p50", "p95", "p99"],
    )
    with tempfile.TemporaryDirectory() as folder:
        for kind in args.db:
            result = await measure(
                kind,
                Path(folder),
                users=args.users,
                offered=args.offered,
                patterns=args.patterns,
                workers=args.workers if kind == "postgres" else [],
                preload=args.preload,
                history=args.history,
            )
            figures[kind] = result
            sat, raw = result["saturation"], result["raw_transactions"]
            main.add(f"**bot on {kind}**", sat["updates_per_s"], *_latency(sat),
                     f"{result['share_of_raw']:.2f}")  # fmt: skip
            for count in args.workers:
                if (many := result.get(f"workers_{count}")) is not None:
                    main.add(f"bot on {kind}, {count} worker processes", many["updates_per_s"],
                             *_latency(many), f"{ratio(many['updates_per_s'], raw['updates_per_s']):.2f}")  # fmt: skip
            driver = "asyncpg" if kind == "postgres" else "sqlite3"
            main.add(f"raw {driver}, one transaction per update, same rows",
                     raw["updates_per_s"], *_latency(raw), "1.00")  # fmt: skip
            for load in result["offered"]:
                loads.add(kind, load["pattern"], load["offered_per_s"], load["updates_per_s"],
                          *_latency(load))  # fmt: skip
    main.notes.append(
        "vs raw: the bot's updates/s over the raw-transaction baseline's on the same database."
    )
    return figures, [main, loads, _statements(figures, args.db)]


def _latency(result: dict[str, Any]) -> list[str]:
    return [_ms(result["p50_ms"]), _ms(result["p95_ms"]), _ms(result["p99_ms"])]


def _ms(value: float) -> str:
    return f"{value:,.0f} ms" if value >= 10 else f"{value:.2f} ms"


def _statements(figures: dict[str, Any], databases: list[str]) -> Table:
    table = Table("SQL statements per update (bot, at saturation)", ["statement", *databases])
    keys: list[str] = []
    for db in databases:
        keys += [k for k in figures[db]["statements_per_update"] if k not in keys]
    for key in keys:
        table.add(key, *(figures[db]["statements_per_update"].get(key, 0.0) for db in databases))
    return table


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100, help="officers filing at once")
    parser.add_argument("--db", default="sqlite,postgres", help="sqlite, postgres or both")
    parser.add_argument("--workers", default="1,2", help="PostgreSQL: processes to compare")
    parser.add_argument(
        "--offered",
        default="1000/s,0.8",
        help="offered loads: N/s (updates per second) or a share of the saturation rate",
    )
    parser.add_argument(
        "--patterns", default="poisson,lockstep", help="arrival patterns (bench/conversation.py)"
    )
    parser.add_argument("--preload", type=int, default=0, help="submissions stored beforehand")
    parser.add_argument(
        "--history", type=int, default=17, help="seen keys and sent rows per stored submission"
    )
    parser.add_argument("--name", default="throughput", help="the JSON file's name")
    args = parser.parse_args(argv)
    args.db = [d.strip() for d in args.db.split(",") if d.strip()]
    args.workers = [int(w) for w in args.workers.split(",") if w.strip()]
    args.offered = [s.strip() for s in args.offered.split(",") if s.strip()]
    args.patterns = [s.strip() for s in args.patterns.split(",") if s.strip()]
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    figures, tables = asyncio.run(run_all(args))
    report(args.name, figures, tables)


if __name__ == "__main__":
    main()

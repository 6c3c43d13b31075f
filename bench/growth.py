"""Cost as data grows: conversation throughput with 1,000, 10,000 and 100,000 submissions
already stored. It should stay flat (indexes; no scan of a whole table on the hot path).

    python -m bench.growth [--users 100] [--db postgres] [--sizes 1000,10000,100000]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path
from typing import Any

from bench.common import fresh_postgres, fresh_sqlite, report
from bench.throughput import run_pipeline


async def main_async(users: int, db: str, sizes: list[int]) -> None:
    figures: dict[str, Any] = {"users": users, "database": db, "runs": {}}
    table: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            url = fresh_sqlite(Path(folder)) if db == "sqlite" else await fresh_postgres()
            result = await run_pipeline(url, users, size)
            figures["runs"][str(size)] = result
            table.append((f"{size:>7,} stored", f"{result['updates_per_s']:>8,.1f} upd/s  "
                          f"p50 {result['p50_ms']} ms  p99 {result['p99_ms']} ms"))
    report(f"growth_{db}", figures, table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--db", default="postgres", choices=["sqlite", "postgres"])
    parser.add_argument("--sizes", default="1000,10000,100000")
    args = parser.parse_args()
    asyncio.run(main_async(args.users, args.db, [int(s) for s in args.sizes.split(",")]))


if __name__ == "__main__":
    main()

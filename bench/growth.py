"""Cost as data grows: conversation throughput with 1,000, 10,000 and 100,000 submissions
already stored (with the seen-message keys and sent outbox rows filing them left behind).
It should stay flat: the hot path looks rows up by key and never scans a whole table.

    python -m bench.growth [--users 100] [--db postgres] [--sizes 1000,10000,100000]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path
from typing import Any

from bench.common import Table, report
from bench.throughput import measure


async def run_all(args: argparse.Namespace) -> tuple[dict[str, Any], list[Table]]:
    figures: dict[str, Any] = {"users": args.users, "database": args.db, "runs": {}}
    table = Table(
        f"Throughput as data grows: {args.users} officers at once on {args.db}",
        ["stored submissions", "history rows", "updates/s", "p50", "p99", "offered p99"],
    )
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes:
            result = await measure(
                args.db, Path(folder), users=args.users, offered=["0.5"], workers=[],
                preload=size, history=args.history, with_raw=False,
            )  # fmt: skip
            figures["runs"][str(size)] = result
            sat, load = result["saturation"], result["offered"][0]
            table.add(size, sum(result["seeded"].values()), sat["updates_per_s"],
                      f"{sat['p50_ms']:.0f} ms", f"{sat['p99_ms']:.0f} ms",
                      f"{load['p99_ms']:.0f} ms")  # fmt: skip
    table.notes.append(
        "offered p99: latency at half the saturation rate (updates arriving at a fixed pace)."
    )
    return figures, [table]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--db", default="postgres", choices=["sqlite", "postgres"])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--history", type=int, default=17, help="history rows per submission")
    args = parser.parse_args(argv)
    args.sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    figures, tables = asyncio.run(run_all(args))
    report(f"growth_{args.db}", figures, tables)


if __name__ == "__main__":
    main()

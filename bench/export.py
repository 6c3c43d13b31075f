"""Export: 100,000 commune reports of 25 stored answers to .xlsx and .csv with ``ocop-bot
export`` (each in a child process of its own, so that its peak memory is its own), and pandas
``DataFrame.to_excel`` on the same rows as a baseline, in the same run.

    python -m bench.export [--submissions 100000] [--db sqlite|postgres] [--no-pandas]

The targets: the .xlsx in under 15 s, under 200 MB peak, and faster than the baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import Table, bench_env, fresh_database, prepared_app, ratio, report
from bench.seed import STORED_ANSWERS, seed_submissions

TARGET_SECONDS = 15.0
TARGET_PEAK_MB = 200.0

# Runs a command and prints its peak RSS (KiB on Linux): a fresh wrapper per command, so that
# each figure is that command's own and not the largest of every child so far.
WRAPPER = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
    "stdout=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)

# The baseline: the same submissions read in one go, answers spread into columns, written
# by pandas (openpyxl). It writes the submissions only, no completeness sheet.
PANDAS_SCRIPT = """
import asyncio, json, sys
import pandas
from sqlalchemy import text
from storage.db import create_engine
async def rows(url):
    engine = create_engine(url)
    async with engine.connect() as conn:
        result = await conn.execute(text("SELECT province_code, commune_code, period, receipt, "
                                         "revision, submitted_at, updated_at, answers FROM submissions"))
        data = [dict(r._mapping) for r in result]
    await engine.dispose()
    return data
data = asyncio.run(rows(sys.argv[1]))
for row in data:
    answers = row.pop("answers")
    row.update(answers if isinstance(answers, dict) else json.loads(answers))
    for key in ("submitted_at", "updated_at"):
        if getattr(row[key], "tzinfo", None) is not None:
            row[key] = row[key].replace(tzinfo=None)
pandas.DataFrame(data).to_excel(sys.argv[2], index=False)
"""


@dataclass(frozen=True)
class Measured:
    """One child process: wall seconds, peak RSS and the file it wrote."""

    seconds: float
    peak_mb: float
    file_mb: float

    def figures(self) -> dict[str, float]:
        return {
            "seconds": round(self.seconds, 2),
            "peak_rss_mb": round(self.peak_mb, 1),
            "file_mb": round(self.file_mb, 1),
        }


def measured(command: list[str], env: dict[str, str], out: Path) -> Measured:
    """Run ``command`` through the wrapper; the time includes the interpreter's start-up,
    as a user running the command waits for it too."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *command],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    peak = int(done.stdout.strip().splitlines()[-1]) / 1024
    return Measured(seconds, peak, out.stat().st_size / 1024 / 1024 if out.exists() else 0.0)


async def seed(url: str, count: int) -> dict[str, int]:
    app = await prepared_app(url)
    try:
        return await seed_submissions(app, count)
    finally:
        await app.close()


def pandas_available() -> bool:
    try:
        import openpyxl  # noqa: F401
        import pandas  # noqa: F401
    except ImportError:
        return False
    return True


def run(args: argparse.Namespace, folder: Path) -> tuple[dict[str, Any], Table]:
    url = asyncio.run(fresh_database(args.db, folder))
    started = time.perf_counter()
    seeded = asyncio.run(seed(url, args.submissions))
    env = bench_env(url)
    figures: dict[str, Any] = {
        "submissions": args.submissions,
        "answers_each": len(STORED_ANSWERS),
        "database": args.db,
        "seeded": seeded,
        "seed_seconds": round(time.perf_counter() - started, 2),
    }
    results: dict[str, Measured] = {}
    for fmt in ("xlsx", "csv"):
        out = folder / f"export.{fmt}"
        command = [sys.executable, "-m", "bot", "export", "--report", "commune_report"]
        results[fmt] = measured([*command, "-f", fmt, "-o", str(out)], env, out)
    if args.pandas and pandas_available():
        out = folder / "pandas.xlsx"
        results["pandas"] = measured([sys.executable, "-c", PANDAS_SCRIPT, url, str(out)], env, out)
    for key, result in results.items():
        figures[key if key != "pandas" else "pandas_to_excel"] = result.figures()
    return figures, _table(args, results, figures)


def _table(
    args: argparse.Namespace, results: dict[str, Measured], figures: dict[str, Any]
) -> Table:
    table = Table(
        f"Export: {args.submissions:,} commune reports of {len(STORED_ANSWERS)} stored answers "
        f"({args.db})",
        ["export", "time", "peak memory", "file", "time vs pandas", "memory vs pandas"],
    )
    labels = {
        "xlsx": "`ocop-bot export` .xlsx (with the completeness sheet)",
        "csv": "`ocop-bot export` .csv",
        "pandas": "pandas `to_excel` (openpyxl), submissions only",
    }
    baseline = results.get("pandas")
    for key, result in results.items():
        vs_time = f"{ratio(result.seconds, baseline.seconds):.2f}" if baseline else ""
        vs_memory = f"{ratio(result.peak_mb, baseline.peak_mb):.2f}" if baseline else ""
        table.add(
            labels[key],
            f"{result.seconds:.1f} s",
            f"{result.peak_mb:.0f} MB",
            f"{result.file_mb:.1f} MB",
            vs_time,
            vs_memory,
        )
        if baseline and key != "pandas":
            figures[key]["time_vs_pandas"] = ratio(result.seconds, baseline.seconds)
            figures[key]["memory_vs_pandas"] = ratio(result.peak_mb, baseline.peak_mb)
    xlsx = results["xlsx"]
    met = xlsx.seconds < TARGET_SECONDS and xlsx.peak_mb < TARGET_PEAK_MB
    if baseline:
        met = met and xlsx.seconds < baseline.seconds
    figures["target_met"] = met
    table.notes.append(
        f"Target: .xlsx under {TARGET_SECONDS:.0f} s and {TARGET_PEAK_MB:.0f} MB, faster than "
        f"pandas: {'met' if met else 'missed'}. Times include the interpreter's start-up; "
        "'vs pandas' is our figure over the baseline's (below 1 is better)."
    )
    if not baseline:
        table.notes.append("pandas baseline skipped (--no-pandas, or pandas/openpyxl missing).")
    return table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=100_000)
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument(
        "--no-pandas", dest="pandas", action="store_false", help="skip the baseline"
    )
    parser.add_argument("--name", default="export", help="the JSON file's name")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        figures, table = run(args, Path(folder))
    report(args.name, figures, [table])


if __name__ == "__main__":
    main()

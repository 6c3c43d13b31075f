"""Export: 100,000 submissions of 25 answers to .xlsx and .csv with ``ocop-bot export`` (in a
child process, so its peak memory is measured alone), and pandas ``DataFrame.to_excel`` on
the same rows as a baseline.

    python -m bench.export [--submissions 100000] [--db sqlite|postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import fresh_postgres, fresh_sqlite, prepared_app, report, seed_submissions

QUESTIONS = ["products_registered", "products_proposed", "products_evaluated",
             "certified_3_stars", "certified_4_stars", "certified_5_stars",
             "certificates_expiring", "coops_new", "trainings", "people_trained", "fairs",
             "sales_points", "supermarket_products", "difficulties", "proposals"]
# 25 answers: the form's 15 and 10 more a form of another year had (stored, not exported).
ANSWERS: dict[str, Any] = {q: str(n) for n, q in enumerate(QUESTIONS[:13])}
ANSWERS.update(difficulties="Thiếu vốn làm bao bì, nhãn mác; =1+1 không phải công thức",
               proposals="Hỗ trợ xúc tiến thương mại")
ANSWERS.update({f"old_question_{n}": str(n) for n in range(10)})


WRAPPER = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
    "stdout=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def measured(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process, measured by a fresh wrapper so
    that each figure is that command's own."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", WRAPPER, *command], env=env, check=True,
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    return elapsed, int(done.stdout.strip().splitlines()[-1]) / 1024


PANDAS_SCRIPT = """
import asyncio, sys, time, resource
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
started = time.perf_counter()
data = asyncio.run(rows(sys.argv[1]))
import json
for row in data:
    answers = row.pop("answers")
    row.update(answers if isinstance(answers, dict) else json.loads(answers))
    for key in ("submitted_at", "updated_at"):
        if getattr(row[key], "tzinfo", None) is not None:
            row[key] = row[key].replace(tzinfo=None)
pandas.DataFrame(data).to_excel(sys.argv[2], index=False)
print(time.perf_counter() - started)
"""


async def seed(url: str, count: int) -> None:
    app = await prepared_app(url)
    try:
        await seed_submissions(app, count, answers=ANSWERS)
    finally:
        await app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=100_000)
    parser.add_argument("--db", default="sqlite", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = fresh_sqlite(Path(folder)) if args.db == "sqlite" else asyncio.run(fresh_postgres())
        asyncio.run(seed(url, args.submissions))
        env = {k: v for k, v in os.environ.items() if not k.startswith("OCOP_")}
        env.update(OCOP_DATABASE_URL=url, OCOP_SCHEDULER="false")
        figures: dict[str, Any] = {"submissions": args.submissions, "answers_each": len(ANSWERS),
                                   "database": args.db}
        table: list[tuple[str, str]] = []
        for fmt in ("xlsx", "csv"):
            out = Path(folder) / f"export.{fmt}"
            seconds, peak = measured(
                [sys.executable, "-m", "bot", "export", "--report", "commune_report",
                 "-f", fmt, "-o", str(out)], env)
            size = out.stat().st_size / 1024 / 1024
            figures[fmt] = {"seconds": round(seconds, 2), "peak_rss_mb": round(peak, 1),
                            "file_mb": round(size, 1)}
            table.append((f"ocop-bot export .{fmt}",
                          f"{seconds:6.1f} s  peak {peak:6.1f} MB  file {size:5.1f} MB"))
        try:
            import pandas  # noqa: F401
        except ImportError:
            table.append(("pandas.to_excel baseline", "skipped: pip install pandas openpyxl"))
        else:
            out = Path(folder) / "pandas.xlsx"
            seconds, peak = measured([sys.executable, "-c", PANDAS_SCRIPT, url, str(out)], env)
            figures["pandas_to_excel"] = {"seconds": round(seconds, 2), "peak_rss_mb": round(peak, 1)}
            table.append(("pandas.to_excel baseline", f"{seconds:6.1f} s  peak {peak:6.1f} MB"))
        report("export", figures, table)


if __name__ == "__main__":
    main()

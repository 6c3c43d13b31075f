"""What every benchmark shares: the databases it runs on, the machine it ran on, percentiles,
and the report (a table on the terminal, the same figures as JSON in bench/results/).

Benchmarks never touch the test suite's database: PostgreSQL runs use a database of their
own (``ocop_bench`` by default), dropped and created again for each run.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import sqlite3
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import asyncpg

from bot.app import App
from bot.settings import Settings

RESULTS = Path(__file__).parent / "results"
PG_ADMIN_DSN = os.environ.get(
    "OCOP_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres"
)
PG_DATABASE = os.environ.get("OCOP_BENCH_PG_DATABASE", "ocop_bench")
LIBRARIES = (
    "sqlalchemy", "asyncpg", "aiosqlite", "aiogram", "pydantic", "rustpy-xlsxwriter", "pandas"
)


def bench_settings(url: str, **overrides: Any) -> Settings:
    """Settings for a benchmark run: no .env file, no scheduler, quiet logs."""
    values: dict[str, Any] = {"database_url": url, "scheduler": False, "log_level": "ERROR"}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def bench_env(url: str, **extra: str) -> dict[str, str]:
    """The environment for a child process running the bot: this one's, minus any OCOP_
    setting of the developer, plus the benchmark's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCOP_")}
    env.update(OCOP_DATABASE_URL=url, OCOP_SCHEDULER="false", OCOP_LOG_LEVEL="ERROR")
    env.update(extra)
    return env


def postgres_dsn() -> str:
    """The benchmark database as an asyncpg DSN."""
    return PG_ADMIN_DSN.rsplit("/", 1)[0] + f"/{PG_DATABASE}"


def postgres_url() -> str:
    """The benchmark database as a SQLAlchemy URL."""
    return postgres_dsn().replace("postgresql://", "postgresql+asyncpg://", 1)


async def fresh_postgres() -> str:
    """A new, empty benchmark database (never the test suite's ``test``)."""
    if PG_DATABASE in ("test", "postgres"):
        raise SystemExit(f"refusing to drop the database {PG_DATABASE!r}: choose another name")
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{PG_DATABASE}"')
    finally:
        await conn.close()
    return postgres_url()


def fresh_sqlite(folder: Path, name: str = "bench.db") -> str:
    path = folder / name
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite+aiosqlite:///{path}"


async def fresh_database(kind: str, folder: Path) -> str:
    """An empty database of ``kind`` (``sqlite`` in ``folder``, or ``postgres``)."""
    if kind == "sqlite":
        return fresh_sqlite(folder)
    if kind == "postgres":
        return await fresh_postgres()
    raise SystemExit(f"unknown database {kind!r}: use sqlite or postgres")


async def prepared_app(url: str, **overrides: Any) -> App:
    """The bot's own App on a migrated database with the administrative units loaded."""
    from storage import migrate

    app = App(bench_settings(url, **overrides))
    await migrate.upgrade(app.engine)
    await app.prepare()
    return app


def percentiles(samples: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99 (and the maximum) of durations in seconds, as milliseconds."""
    if len(samples) < 2:
        only = samples[0] * 1000 if samples else 0.0
        return {"p50_ms": only, "p95_ms": only, "p99_ms": only, "max_ms": only}
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return {
        "p50_ms": round(q[49] * 1000, 2),
        "p95_ms": round(q[94] * 1000, 2),
        "p99_ms": round(q[98] * 1000, 2),
        "max_ms": round(max(samples) * 1000, 2),
    }


def _first_line(path: str, prefix: str) -> str | None:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


async def _postgres_version() -> str | None:
    try:
        conn = await asyncio.wait_for(asyncpg.connect(PG_ADMIN_DSN), 5)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return None
    try:
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


def machine() -> dict[str, Any]:
    """Where the figures came from: they mean little without it."""
    memory = _first_line("/proc/meminfo", "MemTotal")
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return {
        "cpus": os.cpu_count(),
        "cpu": _first_line("/proc/cpuinfo", "model name") or platform.processor() or "?",
        "memory_gb": round(int(memory.split()[0]) / 1024 / 1024, 1) if memory else None,
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": asyncio.run(_postgres_version()) if _no_running_loop() else None,
        "sqlite": sqlite3.sqlite_version,
        "libraries": versions,
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def _no_running_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return True
    return False


@dataclass
class Table:
    """A table printed as Markdown: readable on a terminal, pasted as is into BENCHMARKS.md."""

    title: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: object) -> None:
        self.rows.append([_cell(c) for c in cells])

    def render(self) -> str:
        widths = [
            max(len(h), *(len(r[i]) for r in self.rows)) if self.rows else len(h)
            for i, h in enumerate(self.headers)
        ]
        numeric = [
            bool(self.rows) and all(_looks_numeric(r[i]) for r in self.rows)
            for i in range(len(self.headers))
        ]

        def line(cells: Sequence[str]) -> str:
            padded = [
                c.rjust(w) if right else c.ljust(w)
                for c, w, right in zip(cells, widths, numeric, strict=True)
            ]
            return "| " + " | ".join(padded) + " |"

        rule = [
            ("-" * (w - 1) + ":") if right else "-" * w
            for w, right in zip(widths, numeric, strict=True)
        ]
        out = [f"### {self.title}", "", line(self.headers), "| " + " | ".join(rule) + " |"]
        out += [line(r) for r in self.rows]
        if self.notes:
            out += ["", *self.notes]
        return "\n".join(out)


def _cell(value: object) -> str:
    if isinstance(value, float):
        if value >= 100:
            return f"{value:,.0f}"
        return f"{value:,.2f}" if value >= 1 else f"{value:.3f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "" if value is None else str(value)


def _looks_numeric(text: str) -> bool:
    stripped = text.replace(",", "").replace(".", "").replace("%", "").replace(" ms", "")
    stripped = stripped.replace(" s", "").replace(" MB", "").replace("×", "").strip()
    return stripped.lstrip("-").isdigit() or text == ""


def report(name: str, figures: dict[str, Any], tables: Sequence[Table]) -> Path:
    """Print the tables and write everything as JSON to ``bench/results/<name>.json``."""
    RESULTS.mkdir(exist_ok=True)
    payload = {
        "benchmark": name,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        **figures,
    }
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")
    info = payload["machine"]
    print()
    print(
        f"{name}: {info['cpus']} CPU ({info['cpu']}), {info['memory_gb']} GB, Python "
        f"{info['python']}, PostgreSQL {info['postgresql']}, SQLite {info['sqlite']}"
    )
    for table in tables:
        print()
        print(table.render())
    print(f"\nJSON: {path}")
    return path


def ratio(numerator: float, denominator: float) -> float:
    return round(numerator / denominator, 3) if denominator else 0.0

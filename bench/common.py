"""What every benchmark shares: databases to run on, seeding, percentiles, reporting."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import statistics
import subprocess
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import insert, text

from bot.app import App
from bot.settings import Settings
from storage import migrate
from storage.models import Identity, Role, Submission, User, UserStatus

RESULTS = Path(__file__).parent / "results"
PG_ADMIN_DSN = os.environ.get("OCOP_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_DATABASE = os.environ.get("OCOP_BENCH_PG_DATABASE", "ocop_bench")


def settings(url: str) -> Settings:
    return Settings(_env_file=None, database_url=url, scheduler=False)  # type: ignore[call-arg]


async def fresh_postgres() -> str:
    """A new, empty benchmark database (never the test suite's `test`)."""
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{PG_DATABASE}"')
    finally:
        await conn.close()
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return f"{base}/{PG_DATABASE}"


def fresh_sqlite(folder: Path) -> str:
    path = folder / "bench.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite+aiosqlite:///{path}"


async def prepared_app(url: str) -> App:
    app = App(settings(url))
    await migrate.upgrade(app.engine)
    await app.prepare()
    return app


async def seed_officers(app: App, count: int, *, first_external_id: int = 10_000) -> list[int]:
    """``count`` approved officers, each of a different commune, reachable on Telegram."""
    async with app.session_factory() as session, session.begin():
        communes = (await session.execute(
            text("SELECT code, province_code FROM communes ORDER BY code LIMIT :n"),
            {"n": count})).all()
        now = datetime.now(UTC)
        ids: list[int] = []
        for n, (commune, province) in enumerate(communes):
            user = User(role=Role.OFFICER, status=UserStatus.ACTIVE, full_name=f"Cán bộ {n}",
                        phone=f"+8491{n:07d}", language="vi", province_code=province,
                        commune_code=commune, consent_at=now)
            session.add(user)
            await session.flush()
            external = first_external_id + n
            session.add(Identity(user_id=user.id, channel="telegram", external_id=str(external)))
            ids.append(external)
        return ids


async def seed_submissions(app: App, count: int, *, answers: dict[str, Any]) -> None:
    """``count`` stored commune reports (bulk insert): the data a growing database holds."""
    if count <= 0:
        return
    async with app.session_factory() as session, session.begin():
        communes = [row[0] for row in (await session.execute(
            text("SELECT code FROM communes ORDER BY code"))).all()]
        provinces = dict((await session.execute(text("SELECT code, province_code FROM communes"))).all())
        now = datetime.now(UTC)
        batch: list[dict[str, Any]] = []
        for n in range(count):
            commune = communes[n % len(communes)]
            period_index = n // len(communes)
            year, quarter = 2000 + period_index // 4, period_index % 4 + 1
            batch.append({
                "form_id": "commune_report", "period": f"{year}-Q{quarter}",
                "scope_key": f"commune:{commune}", "province_code": provinces[commune],
                "commune_code": commune, "user_id": None, "revision": 1,
                "receipt": f"SEED-{n:07d}", "answers": answers, "status": "submitted",
                "submitted_at": now, "updated_at": now,
            })
            if len(batch) == 5000:
                await session.execute(insert(Submission), batch)
                batch = []
        if batch:
            await session.execute(insert(Submission), batch)


def percentiles(samples: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99 in milliseconds."""
    ordered = sorted(samples)
    if not ordered:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0}
    q = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"p50_ms": round(q[49] * 1000, 2), "p95_ms": round(q[94] * 1000, 2),
            "p99_ms": round(q[98] * 1000, 2)}


def machine() -> dict[str, Any]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        pg = subprocess.run(["psql", "--version"], capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pg = "?"
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory_gb": round(mem_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "postgresql": pg}


def report(name: str, figures: dict[str, Any], table: list[tuple[str, str]]) -> None:
    """Print a readable table and write the JSON result."""
    RESULTS.mkdir(exist_ok=True)
    payload = {"benchmark": name, "at": datetime.now(UTC).isoformat(timespec="seconds"),
               "machine": machine(), **figures}
    (RESULTS / f"{name}.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False))
    width = max(len(k) for k, _ in table)
    print(f"\n== {name} ==")
    for key, value in table:
        print(f"  {key.ljust(width)}  {value}")
    print(f"  (JSON: {RESULTS / (name + '.json')})")


def run(coro: Any) -> Any:
    return asyncio.run(coro)

"""Databases for the tests: SQLite always; PostgreSQL when OCOP_TEST_DATABASE_URL is set.

SQLite tests copy a database migrated once per run (migrating and loading 3,321 communes
for every test would dominate the suite). PostgreSQL tests get a database of the run's own on
the server of OCOP_TEST_DATABASE_URL, migrated once and emptied between tests. With OCOP_REQUIRE_POSTGRES=1 (CI) a missing server is a
failure, not a skip.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.settings import Settings
from storage import migrate
from storage.db import create_engine
from storage.models import Base
from storage.units import load_units

PG_URL = os.environ.get("OCOP_TEST_DATABASE_URL", "")
REQUIRE_PG = os.environ.get("OCOP_REQUIRE_POSTGRES") == "1"
KEEP_TABLES = {"provinces", "communes", "alembic_version"}


async def _prepare(url: str) -> None:
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
        from storage.db import create_session_factory

        async with create_session_factory(engine)() as session, session.begin():
            await load_units(session)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    asyncio.run(_prepare(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_ready() -> Iterator[str]:
    """A database of this run's own on the server of OCOP_TEST_DATABASE_URL, migrated once
    and dropped at the end: two runs at once (a developer's and a helper's, say) never
    empty each other's tables."""
    if not PG_URL:
        if REQUIRE_PG:
            pytest.fail("OCOP_REQUIRE_POSTGRES=1 but OCOP_TEST_DATABASE_URL is not set")
        pytest.skip("PostgreSQL tests need OCOP_TEST_DATABASE_URL")
    try:
        # Requested from inside async fixtures: run on a loop of its own in another thread.
        with ThreadPoolExecutor(1) as pool:
            url = pool.submit(asyncio.run, _create_run_database(PG_URL)).result()
            pool.submit(asyncio.run, _prepare(url)).result()
    except Exception as exc:  # pragma: no cover - depends on the machine
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL at OCOP_TEST_DATABASE_URL is not usable: {exc}")
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    yield url
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _drop_database(PG_URL, make_url(url).database or "")).result()


RUN_DATABASE_SUFFIX = "_run_"


async def _create_run_database(server_url: str) -> str:
    """``<name>_run_<pid>``, after dropping those of runs whose process is gone."""
    base = make_url(server_url)
    prefix = f"{base.database}{RUN_DATABASE_SUFFIX}"
    engine = create_engine(server_url)
    try:
        async with engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            names = (
                await conn.execute(
                    text("SELECT datname FROM pg_database WHERE starts_with(datname, :prefix)"),
                    {"prefix": prefix},
                )
            ).scalars()
            for name in list(names):
                pid = name.removeprefix(prefix)
                if pid.isdigit() and not _process_alive(int(pid)):
                    await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            mine = f"{prefix}{os.getpid()}"
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{mine}" WITH (FORCE)'))
            await conn.execute(text(f'CREATE DATABASE "{mine}"'))
    finally:
        await engine.dispose()
    return base.set(database=mine).render_as_string(hide_password=False)


async def _drop_database(server_url: str, name: str) -> None:
    engine = create_engine(server_url)
    try:
        async with engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await engine.dispose()


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


async def _empty_postgres(url: str) -> None:
    engine = create_engine(url)
    tables = [t.name for t in Base.metadata.sorted_tables if t.name not in KEEP_TABLES]
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    await engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> AsyncIterator[str]:
    """A migrated database with the administrative units and nothing else, on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "ocop.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_ready")
    await _empty_postgres(url)
    yield url


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    """SQLite only: for tests about the embedded default itself."""
    path = tmp_path / "ocop.db"
    shutil.copy(sqlite_template, path)
    yield f"sqlite+aiosqlite:///{path}"


def make_settings(database_url: str, **overrides: object) -> Settings:
    """Settings for a test, ignoring any .env file or OCOP_ variables of the developer."""
    # Transcripts and load tests replay a person's answers faster than anyone types: the
    # inbound flood guard is tested on its own (tests/bot/test_flood.py).
    values: dict[str, object] = {
        "database_url": database_url,
        "log_level": "WARNING",
        "inbound_per_minute": 100_000,
        "inbound_burst": 100_000,
        # No admin dashboard on port 8080 unless a test asks for it (tests/web/, browser).
        "dashboard": "off",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


_postgres_outcomes: dict[str, int] = {"passed": 0, "skipped": 0}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "postgres" in report.keywords and report.when == "call" and report.passed:
        _postgres_outcomes["passed"] += 1
    if "postgres" in report.keywords and report.skipped:
        _postgres_outcomes["skipped"] += 1


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI (OCOP_REQUIRE_POSTGRES=1) a skipped or absent PostgreSQL run is a failure."""
    if not REQUIRE_PG or exitstatus not in (0, 5):
        return
    if _postgres_outcomes["skipped"] or not _postgres_outcomes["passed"]:
        session.exitstatus = 1
        print(
            f"\nPostgreSQL tests required: {_postgres_outcomes['passed']} passed, "
            f"{_postgres_outcomes['skipped']} skipped."
        )

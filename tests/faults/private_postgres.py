"""A PostgreSQL server of one test's own, for a test that restarts it.

Restarting the machine's shared server (``pg_ctlcluster ... restart``) would cut every other
test running beside it (the suite runs in several workers); so the restart test starts its
own cluster with the machine's PostgreSQL binaries (``initdb``, ``pg_ctl``) on a free
loopback port, in a folder of its own, and restarts that one. As root (CI) the server runs
as the ``postgres`` user, which PostgreSQL requires.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.bot.channels.test_telegram_helpers import free_port


def binaries() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl``: on PATH, or Debian's newest version."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return versions[-1].parent if versions else None


@dataclass
class PrivateServer:
    folder: Path
    port: int
    bin: Path

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 60) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=timeout)

    def pg_ctl(self, action: str) -> None:
        self._run(
            "pg_ctl", "-D", str(self.folder / "data"), "-w", "-m", "fast",
            "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1",
            "-l", str(self.folder / "log"), action,
        )  # fmt: skip

    async def restart(self) -> None:
        await asyncio.to_thread(self.pg_ctl, "restart")


def usable() -> bool:
    """The binaries are here and the server may run (root can run it as ``postgres``)."""
    if binaries() is None:
        return False
    return os.geteuid() != 0 or shutil.which("runuser") is not None


@contextmanager
def private_server() -> Iterator[PrivateServer]:
    bin_folder = binaries()
    assert bin_folder is not None
    folder = Path(tempfile.mkdtemp(prefix="ocop-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    server = PrivateServer(folder=folder, port=free_port(), bin=bin_folder)
    try:
        server._run(
            "initdb", "-D", str(folder / "data"), "-U", "postgres", "--auth=trust",
            "--no-sync", "-E", "UTF8", "--locale=C.UTF-8", timeout=120,
        )  # fmt: skip
        server.pg_ctl("start")
        yield server
    finally:
        try:
            server.pg_ctl("stop")
        except (subprocess.SubprocessError, OSError):
            pass
        shutil.rmtree(folder, ignore_errors=True)

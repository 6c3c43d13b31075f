"""The console chat as a newcomer runs it: the real command in a subprocess, on SQLite.

Ctrl-C half-way through onboarding, the same command again, and the bot picks up where it
stopped. Bounded in time; nothing leaves the machine.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

TIMEOUT = 60


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OCOP_")}
    env["OCOP_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'ocop.db'}"
    return env


def _wait_for(proc: subprocess.Popen[str], marker: str, seen: list[str]) -> None:
    """Read the bot's output until ``marker`` shows up (the bot has answered)."""
    deadline = time.monotonic() + TIMEOUT
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        if marker in line:
            return
    raise AssertionError(f"no '{marker}' in output:\n{''.join(seen)}")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_halfway_then_resume(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "bot"]
    proc = subprocess.Popen(
        command,
        cwd=tmp_path,
        env=_env(tmp_path),
        text=True,
        bufsize=1,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    seen: list[str] = []
    try:
        assert proc.stdin is not None
        _wait_for(proc, "Tiếng Việt", seen)
        for line, marker in (
            ("1", "Anh/chị tham gia với vai trò nào"),
            ("2", "tỉnh/thành phố nào"),
            ("lang son", "xã/phường nào của Lạng Sơn"),
        ):
            proc.stdin.write(line + "\n")
            proc.stdin.flush()
            _wait_for(proc, marker, seen)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "Traceback" not in out
    assert "Câu trả lời đã được lưu" in out

    again = subprocess.run(
        command,
        cwd=tmp_path,
        env=_env(tmp_path),
        text=True,
        input="xa cao loc\nLê Văn Tám\n",
        capture_output=True,
        timeout=TIMEOUT,
    )
    assert again.returncode == 0, again.stderr
    assert "Chào mừng anh/chị quay lại" in again.stdout
    assert "Xã/phường: Xã Cao Lộc" in again.stdout
    assert "Anh/chị vui lòng cho biết số điện thoại" in again.stdout
    assert "Traceback" not in again.stderr


def test_wrong_setting_is_one_sentence(tmp_path: Path) -> None:
    env = _env(tmp_path) | {"OCOP_TIMEZONE": "Mars/Olympus"}
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=env,
        text=True,
        input="",
        capture_output=True,
        timeout=TIMEOUT,
    )
    assert result.returncode == 2
    assert (
        result.stderr.strip() == "Setting OCOP_TIMEZONE is wrong: unknown time zone 'Mars/Olympus'."
    )


def test_unreachable_database_is_one_sentence(tmp_path: Path) -> None:
    env = _env(tmp_path) | {"OCOP_DATABASE_URL": "postgresql+asyncpg://nobody@127.0.0.1:9/none"}
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=env,
        text=True,
        input="",
        capture_output=True,
        timeout=TIMEOUT,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "OCOP_DATABASE_URL" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1

"""Tried as a new user would (issue 14): the README's first command's program, ``ocop-bot``,
started as a subprocess with a Telegram token and a Zalo token whose API bases point at the
fake Telegram and fake Zalo servers (both on 127.0.0.1).

An admin registers on Telegram; a commune officer registers on Zalo by typing numbers and is
approved by the admin's button; the officer files the commune report by numbered answers,
stops halfway, the process is stopped (SIGTERM, and SIGKILL in a second test) and started
again, and the officer comes back with ``/baocao``: the bot asks again the question they
had left unanswered (and nothing twice), the officer finishes, and the report is stored
complete, once, with the answers of before and after the stop.

Both backends: SQLite as the first run makes it (``ocop.db`` in an empty folder: no
``OCOP_DATABASE_URL``), and PostgreSQL through ``OCOP_DATABASE_URL`` on the test run's
database. Every wait has a deadline; nothing is asserted by sleeping.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import App
from storage.models import Identity, Submission, User
from storage.outbox import Outbox
from tests.bot.channels.test_telegram_helpers import TOKEN as TELEGRAM_TOKEN
from tests.bot.channels.test_telegram_helpers import (
    ScriptedUser,
    bounded,
    free_port,
    inline_data,
    wait_until,
)
from tests.conftest import _empty_postgres, make_settings
from tests.fakes.telegram_api import FakeTelegramServer
from tests.fakes.zalo_api import TOKEN as ZALO_TOKEN
from tests.fakes.zalo_api import FakeZaloServer, ZaloUser

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

ADMIN_CHAT = 9001
OFFICER = "7f3a9c0e51b2d4a6"  # Zalo ids are opaque hex strings
QUESTION = re.compile(r"Câu (\d+)/(\d+)")
# The commune report answered by number (no product evaluated: the star questions are not
# asked), the two optional text questions skipped. Indexed by question number.
ANSWERS = {1: "4", 2: "2", 3: "0", 4: "0", 5: "0", 6: "0", 7: "0", 8: "1", 9: "0"}
STOP_AFTER = 5  # the officer leaves with question 6 asked and not answered


def ocop_bot() -> list[str]:
    """The README's first command's program: the ``ocop-bot`` script the install made, or
    ``python -m bot`` (the same ``main``) when the tests run without the script."""
    script = Path(sys.executable).with_name("ocop-bot")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot"]


@dataclass
class Backend:
    """Where the bot keeps its data: ``env`` for the process, ``url`` for the assertions."""

    env: dict[str, str]
    url: str


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "sqlite":
        # No OCOP_DATABASE_URL: the default, ocop.db in the working folder, made at start.
        return Backend({}, f"sqlite+aiosqlite:///{tmp_path / 'ocop.db'}")
    url = request.getfixturevalue("postgres_ready")
    await _empty_postgres(url)
    return Backend({"OCOP_DATABASE_URL": url}, url)


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(token=TELEGRAM_TOKEN) as fake:
        yield fake


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZaloServer]:
    async with FakeZaloServer() as fake:
        yield fake


class BotProcess:
    """``ocop-bot`` in ``folder`` with both messengers configured; output kept in files."""

    def __init__(
        self,
        folder: Path,
        telegram: FakeTelegramServer,
        zalo: FakeZaloServer,
        backend: Backend,
        run: int,
    ) -> None:
        self.folder, self.telegram, self.zalo = folder, telegram, zalo
        self.out = folder / f"output-{run}.txt"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("OCOP_")}
        self.env.update(
            backend.env,
            OCOP_TELEGRAM_TOKEN=TELEGRAM_TOKEN,
            OCOP_TELEGRAM_API_BASE=telegram.base_url,
            OCOP_ZALO_BOT_TOKEN=ZALO_TOKEN,
            OCOP_ZALO_API_BASE=zalo.base_url,
            OCOP_ADMINS=f"telegram:{ADMIN_CHAT}",
            # Not what is tested here: reminders (they would arrive in the middle of the
            # script at 08:00) and the conservative sending pace (1 message/s per chat).
            OCOP_SCHEDULER="false",
            OCOP_ZALO_RATE_PER_CHAT="20",
            OCOP_TELEGRAM_RATE_PER_CHAT="20",
            OCOP_ZALO_POLL_TIMEOUT="1",
            OCOP_TELEGRAM_POLL_TIMEOUT="1",
            OCOP_WEBHOOK_PORT=str(free_port()),  # the bot's HTTP server (a dashboard)
            PYTHONUNBUFFERED="1",
        )
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        """Start and wait until both channels poll (the start-up lines are printed)."""
        with self.out.open("wb") as out:
            self.process = await asyncio.create_subprocess_exec(
                *ocop_bot(), cwd=self.folder, env=self.env,
                stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=asyncio.subprocess.STDOUT,
            )  # fmt: skip
        process = self.process

        def polling() -> bool:
            started = "Stop it with Ctrl-C." in self.output()
            return started and bool(self.telegram.active_polls and self.zalo.active_polls)

        try:
            await self.zalo.wait_for(lambda: polling() or process.returncode is not None, 60)
        except TimeoutError:
            await self.stop(signal.SIGKILL)
            raise AssertionError(f"the bot did not start polling\n{self.output()}") from None
        assert process.returncode is None, self.output()

    async def stop(self, sig: signal.Signals) -> int:
        """Stop the process, then wait until the fakes hold no poll of it any more: a fake
        (like Zalo) hands the next update to whichever poll is waiting, and a killed
        process's poll lasts until its time-out (at most 1 s here), on a dead connection."""
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(sig)
        try:
            code = await asyncio.wait_for(self.process.wait(), 20)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
            raise AssertionError(f"the bot did not stop on {sig.name}\n{self.output()}") from None
        await self.zalo.wait_for(lambda: not self.zalo.active_polls, 10)
        await self.telegram.wait_for(lambda: not self.telegram.active_polls, 10)
        return code

    def output(self) -> str:
        return self.out.read_text(errors="replace")


def question_number(text: str) -> int | None:
    """The number N of a "Câu N/M" question, or None for any other message."""
    found = QUESTION.search(text)
    return int(found.group(1)) if found else None


async def register_admin(admin: ScriptedUser) -> None:
    """The national admin of OCOP_ADMINS registers on Telegram with the buttons."""
    admin.command("start")
    _welcome, languages = await admin.expect("OCOP", "")
    assert "vi" in inline_data(languages)  # Telegram shows buttons
    admin.presses("vi")
    await admin.expect("")  # their name (an admin is asked no role and no place)
    admin.says("Trần Văn Quản")
    await admin.expect("")  # their phone
    admin.says("0988 000 111")
    await admin.expect("Trần Văn Quản", "")  # the summary, then the consent question
    admin.presses("yes")
    await admin.expect("Trần Văn Quản")


async def register_officer(officer: ZaloUser, admin: ScriptedUser) -> None:
    """A commune officer registers on Zalo, typing numbers, names without accents and the
    phone; the admin approves from the notification's button on Telegram."""
    officer.says("/start")
    await officer.expect("OCOP", "1. Tiếng Việt")
    officer.says("1")
    (roles,) = await officer.expect("2. ")
    officer.says("2" if "2. Cán bộ xã" in roles else "1")
    await officer.expect("")  # the province
    officer.says("lang son")
    await officer.expect("Lạng Sơn", "Lạng Sơn")
    officer.says("xa cao loc")
    await officer.expect("Xã Cao Lộc", "")  # then their name
    officer.says("Lê Thị Bình")
    await officer.expect("")  # their phone: no contact button on Zalo, they type it
    officer.says("0912 000 222")
    (summary,) = await officer.expect("Lê Thị Bình")
    assert "1. " in summary and "2. " in summary  # consent, as numbered choices
    officer.says("1")
    await officer.expect("Lê Thị Bình")  # registered, waiting for approval
    (request,) = await admin.expect("Lê Thị Bình")
    approve = next(data for data in inline_data(request) if data.startswith("@approve:"))
    admin.presses(approve)
    await admin.expect("Lê Thị Bình")
    await officer.expect("/baocao")  # approved: what an officer can do now


async def answer(officer: ZaloUser, asked: int) -> str:
    """Answer question ``asked`` by its number in :data:`ANSWERS` (or skip it); the reply."""
    officer.says(ANSWERS.get(asked, "/boqua"))
    (reply,) = await officer.expect("")
    return reply


async def resumption(officer: ZaloUser, asked: int) -> list[str]:
    """The bot's messages after the officer's return, up to the one that asks question
    ``asked`` again (a killed process's leases are freed only after a while: time)."""
    start = officer.seen
    try:
        await officer.server.wait_for(
            lambda: any(f"Câu {asked}/" in text for text in officer.messages()[start:]), 30
        )
    except TimeoutError:
        raise AssertionError(f"not resumed: {officer.messages()[start:]!r}") from None
    texts = officer.messages()[start:]
    officer.seen = len(officer.messages())
    return texts


async def answer_until(officer: ZaloUser, asked: int, last: int) -> int:
    """Answer from question ``asked`` on until question ``last`` is answered; returns the
    number of the question asked next."""
    while asked <= last:
        following = question_number(await answer(officer, asked))
        assert following is not None and following > asked, (asked, officer.messages()[-1])
        asked = following
    return asked


async def finish(officer: ZaloUser, asked: int) -> str:
    """Answer the rest, review the numbered summary and send with "1"; the receipt."""
    while (following := question_number(reply := await answer(officer, asked))) is not None:
        asked = following
    assert "1. Gửi" in reply and "2. " in reply, reply  # the review, as numbered choices
    officer.says("1")
    (receipt,) = await officer.expect("BCX-")
    match = re.search(r"BCX-\d+", receipt)
    assert match is not None
    return match.group(0)


async def delivered(url: str, within: float = 30.0) -> None:
    """Wait until the running bot has marked every reply sent. Before a SIGKILL: a reply
    the fake took but the killed process had not marked would rightly go out again after the
    restart (delivery is at least once; tests/faults/test_kill_mid_report.py covers that),
    and this test is about resuming, so it stops the bot when nothing is in flight."""
    app = App(make_settings(url))
    try:

        async def quiet() -> bool:
            async with app.session_factory() as session:
                return await Outbox(session).pending_count() == 0

        await wait_until(quiet, within, "the replies marked sent")
    finally:
        await app.close()


async def stored_report(url: str) -> tuple[list[Submission], str | None]:
    """The commune reports stored, and the name of the Zalo officer who sent them."""
    app = App(make_settings(url))
    try:
        async with app.session_factory() as session:
            reports = list(
                (
                    await session.scalars(
                        select(Submission).where(Submission.form_id == "commune_report")
                    )
                ).all()
            )
            sender = await session.scalar(
                select(User.full_name)
                .join(Identity, Identity.user_id == User.id)
                .where(Identity.channel == "zalo", Identity.external_id == OFFICER)
            )
    finally:
        await app.close()
    return reports, sender


async def scenario(
    tmp_path: Path,
    telegram: FakeTelegramServer,
    zalo: FakeZaloServer,
    backend: Backend,
    how: signal.Signals,
) -> None:
    first = BotProcess(tmp_path, telegram, zalo, backend, 1)
    await first.start()
    admin = ScriptedUser(telegram, ADMIN_CHAT)
    officer = zalo.user(OFFICER, "Bình")
    try:
        await register_admin(admin)
        await register_officer(officer, admin)
        officer.says("/baocao")
        await officer.expect("15", "Câu 1/15")  # the report's heading, then question 1
        resumes_at = await answer_until(officer, 1, STOP_AFTER)
        assert resumes_at == STOP_AFTER + 1
        await delivered(backend.url)
    finally:
        code = await first.stop(how)
    if how is signal.SIGTERM:
        assert code == 0, first.output()
    assert "Traceback" not in first.output(), first.output()
    assert "Zalo bot Bot OCOP Thử nghiệm is running (long polling)." in first.output()
    assert "is running (long polling)" in first.output().split("Zalo bot")[0]  # Telegram too

    left_at = officer.messages()[-1]  # the question the officer did not answer
    second = BotProcess(tmp_path, telegram, zalo, backend, 2)
    await second.start()
    try:
        officer.says("/baocao")
        resumed = await resumption(officer, resumes_at)
        # "Let us continue" (in messages of its own, or above the question), then the very
        # question they left, once: no other question, nothing sent twice.
        assert resumed[-1].endswith(left_at) and resumed[0] != left_at, resumed
        assert [question_number(text) for text in resumed[:-1]] == [None] * (len(resumed) - 1)
        assert sum(left_at in text for text in resumed) == 1, resumed
        receipt = await finish(officer, resumes_at)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{second.output()}") from None
    finally:
        code = await second.stop(signal.SIGTERM)
    assert code == 0, second.output()
    assert "Traceback" not in second.output(), second.output()

    reports, sender = await stored_report(backend.url)
    assert sender == "Lê Thị Bình"
    assert len(reports) == 1
    (report,) = reports
    assert report.receipt == receipt and report.revision == 1
    # The answers from before the stop and after it, all kept; the skipped ones empty.
    answered = [int(value) for value in report.answers.values() if value is not None]
    assert sorted(answered) == sorted(int(answer) for answer in ANSWERS.values()), report.answers


@bounded(150)
async def test_a_zalo_officer_reports_across_a_sigterm(
    tmp_path: Path, telegram: FakeTelegramServer, zalo: FakeZaloServer, backend: Backend
) -> None:
    await scenario(tmp_path, telegram, zalo, backend, signal.SIGTERM)


@bounded(150)
async def test_a_zalo_officer_reports_across_a_sigkill(
    tmp_path: Path, telegram: FakeTelegramServer, zalo: FakeZaloServer, backend: Backend
) -> None:
    await scenario(tmp_path, telegram, zalo, backend, signal.SIGKILL)

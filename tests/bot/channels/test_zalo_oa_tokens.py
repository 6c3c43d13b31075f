"""The OA's new refresh token is never lost to a failing database write (bot/channels/
zalo_oa/tokens.py): Zalo's refresh token is single-use, so once Zalo answered, the pair it
gave is the only one that works. Against the fake OA over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy.exc import OperationalError

from bot.app import App
from bot.channels.zalo_oa import tokens as tokens_module
from bot.channels.zalo_oa.service import ZaloOaService
from bot.channels.zalo_oa.tokens import TokenKeeper
from storage.zalo_oa import TokenRows
from tests.bot.channels.test_telegram_helpers import bounded
from tests.bot.channels.test_zalo_oa_end_to_end import make_app
from tests.fakes.zalo_oa_api import FakeOaServer


@pytest.fixture
async def oa() -> AsyncIterator[FakeOaServer]:
    async with FakeOaServer() as fake:
        yield fake


@pytest.fixture
async def keeper(database_url: str, oa: FakeOaServer) -> AsyncIterator[TokenKeeper]:
    app: App = await make_app(database_url, oa)
    keeper = TokenKeeper(app.session_factory, ZaloOaService(app).api, seed="refresh-0")
    await keeper.prepare()
    try:
        yield keeper
    finally:
        await keeper.api.close()
        await app.close()


class FailingStore:
    """TokenRows.store failing ``times`` times, as a database that went away does."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, times: int) -> None:
        self.left = times
        real = TokenRows.store

        async def store(rows: TokenRows, *args: object) -> None:
            if self.left > 0:
                self.left -= 1
                raise OperationalError("UPDATE zalo_oa_tokens", {}, Exception("server closed"))
            await real(rows, *args)  # type: ignore[arg-type]

        monkeypatch.setattr(TokenRows, "store", store)


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(tokens_module, "STORE_BACKOFF", (0.01, 0.01, 0.01, 0.01, 0.01))
    yield


async def stored_refresh(keeper: TokenKeeper) -> str | None:
    async with keeper.session_factory() as session:
        row = await TokenRows(session).read()
    return None if row is None else row.refresh_token


@bounded(40)
async def test_a_write_that_fails_a_few_times_is_tried_again(
    keeper: TokenKeeper, oa: FakeOaServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = await keeper.current()  # the seed, spent and rotated
    oa.expire()
    failing = FailingStore(monkeypatch, times=2)
    token = await keeper.refreshed(old)
    assert token == oa.access_token and failing.left == 0
    assert await stored_refresh(keeper) == oa.refresh_token
    assert oa.refused_refreshes == 0


@bounded(40)
async def test_a_write_that_keeps_failing_keeps_the_pair_in_memory_and_stores_it_later(
    keeper: TokenKeeper,
    oa: FakeOaServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    old = await keeper.current()
    spent = await stored_refresh(keeper)
    oa.expire()
    failing = FailingStore(monkeypatch, times=100)
    with caplog.at_level(logging.CRITICAL, logger=tokens_module.__name__):
        token = await keeper.refreshed(old)
    # The process goes on sending with the new token, and says what to do if it stops.
    assert token == oa.access_token
    assert any("authorised again" in r.getMessage() for r in caplog.records)
    assert await stored_refresh(keeper) == spent  # the database still has the spent one
    # The database is back: the next use stores the pair kept in memory.
    failing.left = 0
    assert await keeper.current() == oa.access_token
    assert await stored_refresh(keeper) == oa.refresh_token
    # And a later refresh uses it: Zalo never sees the spent token again.
    oa.expire()
    await keeper.refreshed(oa.access_token)
    assert oa.refused_refreshes == 0


@bounded(40)
async def test_a_refresh_while_the_database_is_still_down_uses_the_token_in_memory(
    keeper: TokenKeeper, oa: FakeOaServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = await keeper.current()
    oa.expire()
    failing = FailingStore(monkeypatch, times=1000)
    first = await keeper.refreshed(old)
    oa.expire()
    second = await keeper.refreshed(first)
    assert second == oa.access_token != first
    assert oa.refused_refreshes == 0
    failing.left = 0
    await keeper.current()
    assert await stored_refresh(keeper) == oa.refresh_token

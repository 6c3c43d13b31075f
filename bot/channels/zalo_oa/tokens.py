"""The OA's access token, shared by every worker and refreshed exactly once when it ends.

Zalo's refresh token is single-use: two workers that both refresh with it get one new pair
and one refusal, and if the winner then failed to store its new refresh token the OA would
be locked out until someone authorises the app again. So:

* the tokens live in the database (``zalo_oa_tokens``), seeded from
  ``OCOP_ZALO_OA_REFRESH_TOKEN`` (a new value there, after the app was authorised again,
  replaces what is stored);
* a worker that needs a new access token first claims the refresh with one conditional
  UPDATE (storage/zalo_oa.py): exactly one claim wins; the others wait for the new token to
  appear (a claim lasts :data:`CLAIM` at most, in case its worker dies mid-way);
* the winner stores the new pair unconditionally right after Zalo's answer, and within a
  process an asyncio lock keeps concurrent sends from even trying twice;
* a token refused by Zalo (:class:`~bot.channels.zalo_oa.api.TokenRefused`) is refreshed
  unless the stored one is already another: someone refreshed meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.zalo_oa.api import OaApi, TokenRefused
from storage.models import utcnow
from storage.zalo_oa import TokenRows

log = logging.getLogger(__name__)

CLAIM = timedelta(seconds=30)
EARLY = timedelta(minutes=5)  # an access token this close to its end is refreshed first
WAIT_STEP = 0.1  # seconds between looks while another worker refreshes
STORE_BACKOFF = (0.2, 0.5, 1.0, 2.0, 4.0)  # seconds between tries to store a new pair
T = TypeVar("T")


class NoToken(Exception):
    """No access token could be had (no refresh token stored, or Zalo refused it)."""


class TokenKeeper:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        api: OaApi,
        *,
        seed: str | None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.session_factory = session_factory
        self.api = api
        self.seed = seed
        self.clock = clock
        self.refreshes = 0  # by this process (tests count them)
        self._lock = asyncio.Lock()
        self._cached: tuple[str, datetime | None] | None = None
        # A new pair Zalo gave that the database did not take yet (access, refresh, expiry).
        self._unsaved: tuple[str, str, datetime] | None = None

    async def prepare(self) -> None:
        """Seed the stored tokens from the settings (once per start)."""
        if self.seed:
            async with self.session_factory() as session, session.begin():
                await TokenRows(session).seed(self.seed)

    async def current(self) -> str:
        """A usable access token: cached, stored, or refreshed."""
        now = self.clock()
        if self._unsaved is not None:
            async with self._lock:
                await self._store_unsaved()
        if self._cached is not None and (self._cached[1] is None or self._cached[1] - EARLY > now):
            return self._cached[0]
        async with self.session_factory() as session:
            stored = await TokenRows(session).read()
        if stored is not None and stored.usable(now + EARLY):
            assert stored.access_token is not None
            self._cached = (stored.access_token, stored.expires_at)
            return stored.access_token
        return await self.refreshed(stored.access_token if stored else None)

    async def refreshed(self, failed: str | None) -> str:
        """A new access token in place of ``failed`` (refused by Zalo, or ending)."""
        self._cached = None
        async with self._lock:
            if self._unsaved is not None and not await self._store_unsaved():
                # The stored refresh token is spent; only the one in memory still works.
                return await self._refresh(self._unsaved[1])
            deadline = self.clock() + CLAIM * 2
            while True:
                now = self.clock()
                async with self.session_factory() as session:
                    stored = await TokenRows(session).read()
                if stored is None:
                    raise NoToken("no refresh token stored: set OCOP_ZALO_OA_REFRESH_TOKEN")
                if stored.access_token and stored.access_token != failed and stored.usable(now):
                    self._cached = (stored.access_token, stored.expires_at)
                    return stored.access_token
                if not stored.claimed(now):
                    async with self.session_factory() as session, session.begin():
                        won = await TokenRows(session).claim(stored.version, now + CLAIM, now)
                    if won:
                        return await self._refresh(stored.refresh_token)
                if now > deadline:
                    raise NoToken("another worker's token refresh did not finish")
                await asyncio.sleep(WAIT_STEP)

    async def _refresh(self, refresh_token: str) -> str:
        try:
            access, new_refresh, seconds = await self.api.refresh(refresh_token)
        except Exception as exc:
            async with self.session_factory() as session, session.begin():
                await TokenRows(session).release()
            log.error("Zalo OA token refresh failed: %s", exc)
            raise NoToken(str(exc)) from None
        expires = self.clock() + timedelta(seconds=max(60, seconds))
        self.refreshes += 1
        self._cached = (access, expires)
        # The old refresh token is spent: until it is stored, this is the only copy of the
        # new one. Kept in memory, so this process goes on sending and stores it later.
        self._unsaved = (access, new_refresh, expires)
        if not await self._store_unsaved(attempts=len(STORE_BACKOFF) + 1):
            log.critical(
                "Zalo OA: the new refresh token could not be stored in the database. This "
                "process keeps it in memory and stores it again before its next refresh; if "
                "the process stops first, the OA must be authorised again and the new "
                "OCOP_ZALO_OA_REFRESH_TOKEN set (docs/zalo_oa.md)."
            )
        log.info("Zalo OA access token refreshed (valid %s s)", seconds)
        return access

    async def _store_unsaved(self, *, attempts: int = 1) -> bool:
        """Store the pair kept in memory, trying ``attempts`` times with a bounded pause
        between (a database restart takes seconds). True once nothing is left unsaved."""
        for attempt in range(attempts):
            if self._unsaved is None:
                return True
            access, refresh, expires = self._unsaved
            try:
                async with self.session_factory() as session, session.begin():
                    await TokenRows(session).store(access, refresh, expires)
            except Exception as exc:
                log.error("Zalo OA: storing the new tokens failed: %s", exc)
                if attempt + 1 < attempts:
                    await asyncio.sleep(STORE_BACKOFF[min(attempt, len(STORE_BACKOFF) - 1)])
                continue
            self._unsaved = None
            return True
        return False

    async def using(self, call: Callable[[str], Awaitable[T]]) -> T:
        """``call(access_token)``, refreshed and tried once more if Zalo refuses the token."""
        token = await self.current()
        try:
            return await call(token)
        except TokenRefused:
            token = await self.refreshed(token)
            return await call(token)

"""Forms imported or attached while the bot runs reach the chat without a restart.

``ocop-bot forms import`` and ``forms attach`` run in another process, and with
``OCOP_WEBHOOK_WORKERS`` above 1 a ``/lich ... gan`` reaches only the worker that handled
it; every process therefore looks, every ``OCOP_FORMS_RELOAD_SECONDS``, at a signature of
the imported forms (storage/installed_forms.py) and loads them again when it changed. The
look is one small query; loading happens only on a change. A failed look (the database
away for a moment) is logged and tried again next time: the forms in hand keep working.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.forms.starting import install_imported
from storage.installed_forms import InstalledForms

log = logging.getLogger(__name__)


class FormsWatch:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self.session_factory = session_factory
        self.signature: str | None = None

    async def refresh(self) -> bool:
        """Load the imported forms again if they changed since the last look; True if so."""
        async with self.session_factory() as session, session.begin():
            store = InstalledForms(session)
            signature = await store.signature()
            if signature == self.signature:
                return False
            install_imported(await store.chat_forms())
        changed = self.signature is not None
        self.signature = signature
        if changed:
            log.info("imported forms changed: loaded them again")
        return changed

    async def run_forever(self, stop: asyncio.Event, every: float) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every)
            if stop.is_set():
                return
            try:
                await self.refresh()
            except Exception:
                log.exception("could not look for changed forms; trying again later")

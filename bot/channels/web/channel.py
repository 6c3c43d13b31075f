"""The browser chat's delivery side.

Delivering a reply means making it the page's to show: the row is marked sent by the outbox
sender and kept in the outbox (with its buttons) until the retention purge, and the pages
open on that conversation are woken (:mod:`bot.channels.web.hub`). Nothing is pushed that
storage does not hold, so a page that was closed, reloaded or cut off finds every reply.

Buttons are real buttons. There is no "share my phone" button (a page cannot read the
phone's number), so the conversations ask to type it. Documents (an admin's export) are
kept as files behind a signed link on this server (``/chat/files/<token>``, bot/files/),
sent as a message of their own right after the one that carried the file: the outbox drops
a file from its row once delivered, and the link stays in the conversation.
"""

from __future__ import annotations

import hashlib

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import Capabilities, PermanentFailure, RetryLater
from bot.channels.web.hub import Hub
from bot.files.links import FileLinks
from bot.i18n import Translator
from bot.messages import Document, Outbound
from storage.outbox import Outbox
from storage.users import Users

CHANNEL = "web"


class DocumentShelf:
    """Keeps a document for the person behind a browser id and queues its link."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession], links: FileLinks) -> None:
        self.session_factory = session_factory
        self.links = links

    async def keep(self, address: str, document: Document) -> None:
        async with self.session_factory() as session:
            found = await Users(session).by_identity(CHANNEL, address)
        if found is None:  # erased meanwhile: the file is nobody's to have
            return
        user = found[0]
        # The same document again (a retried delivery) has the same link, so the same key:
        # its message is queued once.
        link = await self.links.publish_document(user.id, document)
        key = "web-file:" + hashlib.sha256(link.url.encode()).hexdigest()[:40]
        note = link.note(Translator(user.language), document.filename)
        async with self.session_factory() as session, session.begin():
            await Outbox(session).enqueue(
                channel=CHANNEL,
                address=address,
                message=Outbound(text=note, language=user.language),
                user_id=user.id,
                dedupe_key=key,
            )


class WebChannel:
    name = CHANNEL
    capabilities = Capabilities(
        buttons=True, request_contact=False, documents=True, max_text=100_000
    )

    def __init__(self, hub: Hub, shelf: DocumentShelf | None = None) -> None:
        self.hub = hub
        self.shelf = shelf

    async def send(self, address: str, message: Outbound) -> None:
        if message.document is not None:
            if self.shelf is None:
                raise PermanentFailure("the browser chat has no place to keep files")
            try:
                await self.shelf.keep(address, message.document)
            except Exception as exc:  # the database may be away: the row waits, not lost
                raise RetryLater(f"the file could not be kept ({type(exc).__name__})") from None
        self.hub.delivered(address)

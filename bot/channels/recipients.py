"""Who is behind a messenger address, for channels that must ask on their own: the language
of a note the channel writes itself, and a signed link to a document it cannot attach (the
Zalo Bot Platform and the Zalo OA for Excel files)."""

from __future__ import annotations

from bot.app import App
from bot.files.links import Link
from bot.messages import Document
from storage.users import Users


class Recipients:
    """The users behind ``channel``'s addresses, read from storage at each call."""

    def __init__(self, app: App, channel: str) -> None:
        self.app = app
        self.channel = channel

    async def language_of(self, address: str) -> str:
        """The user's language; the bot's default for an address nobody registered."""
        async with self.app.session_factory() as session:
            found = await Users(session).by_identity(self.channel, address)
        return found[0].language if found else self.app.settings.default_language

    async def document_link(self, address: str, document: Document) -> Link | None:
        """A signed link to ``document`` for that user; None without ``OCOP_PUBLIC_URL``
        (the channel then says where else to get the file) or for an unknown address."""
        links = self.app.links
        if links is None:
            return None
        async with self.app.session_factory() as session:
            found = await Users(session).by_identity(self.channel, address)
        if found is None:
            return None
        return await links.publish_document(found[0].id, document)

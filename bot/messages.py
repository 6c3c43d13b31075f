"""Channel-neutral message types: the only shapes the conversation core ever sees.

Channel adapters translate platform updates into :class:`Inbound` and render
:class:`Outbound` back; handlers and storage never see an aiogram (or Zalo) object.
Replies are stored in the outbox as JSON, so these are pydantic models.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from bot.text import clean


class InboundKind(StrEnum):
    TEXT = "text"
    BUTTON = "button"  # a button press: ``payload`` holds the choice
    CONTACT = "contact"
    LOCATION = "location"
    PHOTO = "photo"
    DOCUMENT = "document"
    UNSUPPORTED = "unsupported"  # stickers, voice, video...: answered with a polite hint
    SESSION = "session"  # the user (re)opened the chat: resume where they were
    BLOCKED = "blocked"  # the user blocked the bot: mark unreachable, answer nothing


class Contact(BaseModel):
    model_config = ConfigDict(frozen=True)

    phone: str
    is_own: bool = True  # the platform says the contact is the sender's own
    name: str | None = None


class Location(BaseModel):
    model_config = ConfigDict(frozen=True)

    latitude: float
    longitude: float


class FileRef(BaseModel):
    """A file kept on the platform (we keep its id, not its bytes)."""

    model_config = ConfigDict(frozen=True)

    file_id: str
    name: str | None = None
    mime_type: str | None = None
    size: int | None = None


class Inbound(BaseModel):
    """One thing a user did, whatever the messenger."""

    model_config = ConfigDict(frozen=True)

    channel: str
    user_id: str  # the platform's id for the user (an identity's external id)
    message_id: str  # unique per channel; a repeat is dropped
    kind: InboundKind
    text: str | None = None
    payload: str | None = None
    contact: Contact | None = None
    location: Location | None = None
    file: FileRef | None = None
    display_name: str | None = None
    language_hint: str | None = None  # the platform's language for the user, if it has one

    def cleaned(self) -> Inbound:
        """The same message with every typed string made safe to store (:func:`clean`):
        a NUL, a bidi override or a zero-width space is never part of an answer, and a
        database that refuses one must not turn one message into an outage."""
        updates: dict[str, object] = {}
        for name in ("text", "payload", "display_name"):
            value = getattr(self, name)
            if value is not None and clean(value) != value:
                updates[name] = clean(value)
        if self.contact is not None:
            contact = self.contact.model_copy(
                update={
                    "phone": clean(self.contact.phone),
                    "name": clean(self.contact.name) if self.contact.name else self.contact.name,
                }
            )
            if contact != self.contact:
                updates["contact"] = contact
        return self.model_copy(update=updates) if updates else self

    @property
    def command(self) -> tuple[str, str] | None:
        """``("start", "CODE")`` for ``/start CODE``; None when the text is not a command."""
        if self.kind is not InboundKind.TEXT or not self.text:
            return None
        text = self.text.strip()
        if not text.startswith("/") or len(text) < 2:
            return None
        head, _, rest = text[1:].partition(" ")
        name = head.split("@", 1)[0].casefold()  # Telegram adds @botname in groups
        return name, rest.strip()


class Button(BaseModel):
    model_config = ConfigDict(frozen=True)

    label: str
    payload: str


class Document(BaseModel):
    """A file to send (exports). Content is base64 in the outbox row."""

    model_config = ConfigDict(frozen=True, ser_json_bytes="base64", val_json_bytes="base64")

    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"


class Outbound(BaseModel):
    """One reply. Channels without buttons show ``buttons`` as numbered options."""

    model_config = ConfigDict(frozen=True)

    text: str
    buttons: list[list[Button]] = Field(default_factory=list)
    request_contact: str | None = None  # label of a "share my phone number" button
    remove_keyboard: bool = False
    document: Document | None = None
    # The language ``text`` is in ("vi", "en"), so that words a channel adds of its own (the
    # "Reply 1, 2 or 3" under numbered choices) are in the same one; None: the default.
    language: str | None = None

    def choices(self) -> list[Button]:
        return [button for row in self.buttons for button in row]


@dataclass(frozen=True)
class Capabilities:
    """What a channel can show; where it cannot, replies degrade to numbered text.

    Vocabulary, not channel code: the conversations read it too (``Context.display``), so a
    question never asks to press a button the user's messenger does not have."""

    buttons: bool = False
    request_contact: bool = False
    documents: bool = False
    max_text: int = 4096

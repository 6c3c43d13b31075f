"""Zalo updates → the core's :class:`~bot.messages.Inbound`: every Zalo quirk ends here.

Pure functions, no I/O, so each rule is tested without a server. The rules:

* the body is documented as ``{"ok": true, "result": {"event_name", "message"}}`` and is also
  seen unwrapped (``{"event_name", "message"}``): both are read. Anything else is
  :class:`MalformedUpdate` (the webhook answers 400, the poller logs and skips it);
* the dedupe key is Zalo's ``message_id`` (``m<id>``): how Zalo retries a webhook is not
  documented, so a repeat may come, and the pipeline drops it. Without a ``message_id``
  the key is a digest of the message, so the same body twice is still one message;
* ids are opaque strings; ``date`` is in milliseconds (unused: the pipeline stamps arrival);
* only private chats with a human are the bot's conversations (no groups, no bots); the
  user's id is the chat's id (``from.id`` if there is no chat), since that is where replies go;
* a text stays text (commands included: the core parses them for every channel); a photo is
  ``PHOTO`` with the image's URL as the file id (the receiver then downloads it and puts
  our stored copy's reference in its place: bot/files/photos.py), and its caption as text;
  stickers, voice and any newer kind of message become ``UNSUPPORTED``, for the core's
  polite hint;
* ``message.unsupported.received`` is what Zalo sends *instead of* the content when the
  sender is a protected user (a child, a person with a disability): nothing they write can
  ever be read, so the hint "please type your answer" would be wrong. It becomes a
  :class:`ProtectedSender` notice: answer that they should contact their commune.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.messages import FileRef, Inbound, InboundKind

CHANNEL = "zalo"

TEXT = "message.text.received"
IMAGE = "message.image.received"
STICKER = "message.sticker.received"
VOICE = "message.voice.received"
UNSUPPORTED = "message.unsupported.received"
MAX_ID = 90  # ids are stored in 100-character columns (identities, seen messages)


class MalformedUpdate(ValueError):
    """The body is not a Zalo update (not an object, no event name, no usable message)."""


@dataclass(frozen=True)
class Skip:
    """An update the core does not need to see, and why (for the log)."""

    reason: str


@dataclass(frozen=True)
class ProtectedSender:
    """Zalo withheld the content (a protected user): answer outside any conversation."""

    user_id: str
    message_id: str
    display_name: str | None = None


def unwrap(raw: object) -> Mapping[str, Any]:
    """The update object inside either body shape, or :class:`MalformedUpdate`."""
    if not isinstance(raw, Mapping):
        raise MalformedUpdate(f"an update is a JSON object, not {type(raw).__name__}")
    inner = raw.get("result")
    if "event_name" not in raw and isinstance(inner, Mapping):
        raw = inner
    if not isinstance(raw.get("event_name"), str) or not raw["event_name"]:
        raise MalformedUpdate("the update has no event_name")
    return raw


def to_inbound(raw: object) -> Inbound | ProtectedSender | Skip:
    """Map one update (either body shape), or say why it is skipped."""
    update = unwrap(raw)
    event = update["event_name"]
    message = update.get("message")
    if message is None and event == UNSUPPORTED:
        return Skip("unsupported content without a sender")
    if not isinstance(message, Mapping):
        if event in (TEXT, IMAGE, STICKER, VOICE):
            raise MalformedUpdate(f"{event} without a message object")
        return Skip(f"event {event!r} is not used")
    sender = message.get("from")
    chat = message.get("chat") if isinstance(message.get("chat"), Mapping) else {}
    if isinstance(sender, Mapping) and sender.get("is_bot") is True:
        return Skip("message from a bot")
    if _text(chat.get("chat_type")) not in (None, "PRIVATE"):
        return Skip(f"message in a {chat.get('chat_type')} chat")
    # Replies go to the chat id; in a private chat it is the user's own (the same value in
    # Zalo's samples), so it is the identity, and what sending needs whatever Zalo does.
    user_id = _text(chat.get("id")) or (
        _text(sender.get("id")) if isinstance(sender, Mapping) else None
    )
    if not user_id or len(user_id) > MAX_ID:
        raise MalformedUpdate(f"{event} without a usable chat.id or from.id")
    given = _text(message.get("message_id"))
    message_id = "m" + (given if given and len(given) < MAX_ID else _digest(message))
    name = _text(sender.get("display_name")) if isinstance(sender, Mapping) else None
    if event == UNSUPPORTED:
        return ProtectedSender(user_id=user_id, message_id=message_id, display_name=name)
    base: dict[str, Any] = {
        "channel": CHANNEL,
        "user_id": user_id,
        "message_id": message_id,
        "display_name": name,
    }
    if event == TEXT:
        text = message.get("text")
        if not isinstance(text, str):
            raise MalformedUpdate("message.text.received without a text")
        return Inbound(**base, kind=InboundKind.TEXT, text=text)
    if event == IMAGE:
        url = _text(message.get("photo")) or _text(message.get("url"))
        if not url:
            raise MalformedUpdate("message.image.received without a photo URL")
        caption = message.get("caption")
        return Inbound(
            **base,
            kind=InboundKind.PHOTO,
            file=FileRef(file_id=url),
            text=caption if isinstance(caption, str) and caption.strip() else None,
        )
    # Stickers, voice, and kinds of message Zalo may add later: the core's polite hint.
    return Inbound(**base, kind=InboundKind.UNSUPPORTED)


def _text(value: object) -> str | None:
    """An id or a name as a non-empty string (Zalo's ids are hex strings; a number is
    accepted as its decimal text)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | str):
        text = str(value).strip()
        return text or None
    return None


def _digest(message: Mapping[str, Any]) -> str:
    """A stable key for a message Zalo sent without a message_id."""
    body = json.dumps(message, sort_keys=True, ensure_ascii=False, default=str)
    return "h" + hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]

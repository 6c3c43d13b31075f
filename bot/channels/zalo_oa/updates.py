"""Zalo OA webhook events → the core's :class:`~bot.messages.Inbound`, or a follow change.

Pure, so each rule is tested without a server. The body is
``{app_id, event_name, timestamp, sender{id}, recipient{id}, message{msg_id, text |
attachments}}`` (``follower{id}`` for follow and unfollow):

* ``user_send_text`` is text; a tapped ``oa.query.show`` button arrives the same way, its
  payload as the text (the channel makes the payload the button's label, which the core
  maps back to the choice: handlers/router.py);
* ``user_send_image``: a photo, the first image attachment's URL as the file id (the
  receiver downloads and keeps it at once), its text as the caption;
* ``follow`` / ``unfollow``: :class:`FollowChange` (unfollow: the user is unreachable here);
* other ``user_send_*`` (location, file, sticker, audio, ...) are ``UNSUPPORTED``, for the
  core's polite hint; the OA's own echoes and receipts are skipped;
* the dedupe key is ``msg_id``; an event without one (follow) gets a digest of the body.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.messages import FileRef, Inbound, InboundKind

CHANNEL = "zalo_oa"
MAX_ID = 90


class MalformedEvent(ValueError):
    """The body is not a Zalo OA event."""


@dataclass(frozen=True)
class Skip:
    reason: str


@dataclass(frozen=True)
class FollowChange:
    user_id: str
    event_id: str
    following: bool


def event_name(raw: object) -> str:
    if not isinstance(raw, Mapping):
        raise MalformedEvent(f"an event is a JSON object, not {type(raw).__name__}")
    name = raw.get("event_name")
    if not isinstance(name, str) or not name:
        raise MalformedEvent("the event has no event_name")
    return name


def to_event(raw: object) -> Inbound | FollowChange | Skip:
    name = event_name(raw)
    assert isinstance(raw, Mapping)
    if name in ("follow", "unfollow"):
        follower = raw.get("follower") if isinstance(raw.get("follower"), Mapping) else {}
        user_id = _id(follower.get("id")) or _id(_get(raw, "sender", "id"))
        if not user_id:
            raise MalformedEvent(f"{name} without a follower id")
        return FollowChange(user_id=user_id, event_id=_digest(raw), following=name == "follow")
    if not name.startswith("user_send_"):
        return Skip(f"event {name!r} is not used")
    user_id = _id(_get(raw, "sender", "id"))
    if not user_id:
        raise MalformedEvent(f"{name} without sender.id")
    message = raw.get("message") if isinstance(raw.get("message"), Mapping) else {}
    given = _id(message.get("msg_id"))
    base: dict[str, Any] = {
        "channel": CHANNEL,
        "user_id": user_id,
        "message_id": "m" + (given if given else _digest(raw)),
    }
    text = message.get("text")
    text = text if isinstance(text, str) else None
    if name == "user_send_text":
        if text is None:
            raise MalformedEvent("user_send_text without a text")
        return Inbound(**base, kind=InboundKind.TEXT, text=text)
    if name == "user_send_image":
        url = _image_url(message.get("attachments"))
        if not url:
            raise MalformedEvent("user_send_image without an image URL")
        return Inbound(
            **base,
            kind=InboundKind.PHOTO,
            file=FileRef(file_id=url),
            text=text if text and text.strip() else None,
        )
    return Inbound(**base, kind=InboundKind.UNSUPPORTED)


def _image_url(attachments: object) -> str | None:
    if not isinstance(attachments, list):
        return None
    for item in attachments:
        if isinstance(item, Mapping) and item.get("type") in ("image", "gif", None):
            payload = item.get("payload")
            if isinstance(payload, Mapping):
                url = payload.get("url") or payload.get("thumbnail")
                if isinstance(url, str) and url.strip():
                    return url.strip()
    return None


def _get(raw: Mapping[str, Any], outer: str, inner: str) -> object:
    value = raw.get(outer)
    return value.get(inner) if isinstance(value, Mapping) else None


def _id(value: object) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | str):
        text = str(value).strip()
        return text if text and len(text) <= MAX_ID else None
    return None


def _digest(raw: Mapping[str, Any]) -> str:
    body = json.dumps(raw, sort_keys=True, ensure_ascii=False, default=str)
    return "h" + hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]

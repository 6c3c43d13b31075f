"""Telegram updates → the core's :class:`~bot.messages.Inbound`: every Telegram quirk ends here.

Pure functions, no I/O, so each mapping rule is tested without a server. The rules:

* the dedupe key is the ``update_id`` (``u<update_id>``): Telegram redelivers an update with
  the same id after a restart or a failed webhook call, and the pipeline drops the repeat;
* only private chats are the bot's conversations. In a group the bot would answer into the
  private chat of whoever wrote, and a group's ``my_chat_member`` "kicked" means the bot was
  removed from the group, not that a user blocked it;
* a contact is the sender's own only when Telegram says so (``contact.user_id == from.id``);
  a forwarded contact card is someone else's;
* commands (``/start CODE``) stay plain text: the core parses them for every channel;
* stickers, voice, video and any other content become ``UNSUPPORTED`` so the core answers
  with its polite hint in the user's language; service messages (a pin, a timer change) are
  not something the user said, so they are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.enums import ChatMemberStatus, ChatType, ContentType
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message, Update, User

from bot.messages import Contact, FileRef, Inbound, InboundKind, Location

CHANNEL = "telegram"

#: The update types the bot asks Telegram for (getUpdates and setWebhook).
ALLOWED_UPDATES: tuple[str, ...] = ("message", "callback_query", "my_chat_member")

#: Messages Telegram generates about the chat rather than from the user: not answered.
SERVICE_CONTENT: frozenset[str] = frozenset(
    {
        ContentType.PINNED_MESSAGE,
        ContentType.MESSAGE_AUTO_DELETE_TIMER_CHANGED,
        ContentType.WRITE_ACCESS_ALLOWED,
        ContentType.CHAT_BACKGROUND_SET,
        ContentType.CONNECTED_WEBSITE,
        ContentType.NEW_CHAT_MEMBERS,
        ContentType.LEFT_CHAT_MEMBER,
        ContentType.NEW_CHAT_TITLE,
        ContentType.NEW_CHAT_PHOTO,
        ContentType.DELETE_CHAT_PHOTO,
        ContentType.GROUP_CHAT_CREATED,
        ContentType.SUPERGROUP_CHAT_CREATED,
        ContentType.CHANNEL_CHAT_CREATED,
        ContentType.MIGRATE_TO_CHAT_ID,
        ContentType.MIGRATE_FROM_CHAT_ID,
        ContentType.PROXIMITY_ALERT_TRIGGERED,
        ContentType.BOOST_ADDED,
        ContentType.SUCCESSFUL_PAYMENT,
        ContentType.REFUNDED_PAYMENT,
        ContentType.USERS_SHARED,
        ContentType.CHAT_SHARED,
        ContentType.WEB_APP_DATA,
        ContentType.GIFT,
        ContentType.UNIQUE_GIFT,
    }
)


@dataclass(frozen=True)
class Skip:
    """An update the core does not need to see, and why (for the log)."""

    reason: str


def update_kind(update: Update) -> str:
    """The update's type as Telegram names it (``message``, ``callback_query``...)."""
    for name in Update.model_fields:
        if name != "update_id" and getattr(update, name, None) is not None:
            return name
    extra = [key for key in (update.model_extra or {}) if key != "update_id"]
    return extra[0] if extra else "empty"


def to_inbound(update: Update) -> Inbound | Skip:
    """Map one update, or say why it is skipped."""
    message_id = f"u{update.update_id}"
    if update.message is not None:
        return _from_message(update.message, message_id)
    if update.callback_query is not None:
        return _from_callback(update.callback_query, message_id)
    if update.my_chat_member is not None:
        return _from_membership(update.my_chat_member, message_id)
    return Skip(f"update type {update_kind(update)!r} is not used")


def language_hint(code: str | None) -> str | None:
    """Telegram gives the app's language as an IETF tag (``vi``, ``en-US``); we speak two."""
    if not code:
        return None
    base = code.split("-", 1)[0].casefold()
    return base if base in ("vi", "en") else None


def _base(user: User, message_id: str, kind: InboundKind) -> dict[str, object]:
    return {
        "channel": CHANNEL,
        "user_id": str(user.id),
        "message_id": message_id,
        "kind": kind,
        "display_name": user.full_name or None,
        "language_hint": language_hint(user.language_code),
    }


def _from_message(message: Message, message_id: str) -> Inbound | Skip:
    user = message.from_user
    if message.chat.type != ChatType.PRIVATE:
        return Skip(f"message in a {message.chat.type} chat")
    if user is None or user.is_bot:
        return Skip("message without a human sender")
    if message.text is not None:
        return Inbound(**_base(user, message_id, InboundKind.TEXT), text=message.text)
    if message.contact is not None:
        contact = message.contact
        name = " ".join(p for p in (contact.first_name, contact.last_name) if p) or None
        return Inbound(
            **_base(user, message_id, InboundKind.CONTACT),
            contact=Contact(
                phone=contact.phone_number,
                is_own=contact.user_id is not None and contact.user_id == user.id,
                name=name,
            ),
        )
    if message.location is not None:  # a venue carries its location too
        return Inbound(
            **_base(user, message_id, InboundKind.LOCATION),
            location=Location(
                latitude=message.location.latitude, longitude=message.location.longitude
            ),
        )
    if message.photo:
        largest = max(
            message.photo, key=lambda size: (size.width * size.height, size.file_size or 0)
        )
        return Inbound(
            **_base(user, message_id, InboundKind.PHOTO),
            file=FileRef(file_id=largest.file_id, mime_type="image/jpeg", size=largest.file_size),
        )
    if message.document is not None and message.animation is None:
        # A GIF arrives as an animation that also carries a document: it is not a file upload.
        document = message.document
        return Inbound(
            **_base(user, message_id, InboundKind.DOCUMENT),
            file=FileRef(
                file_id=document.file_id,
                name=document.file_name,
                mime_type=document.mime_type,
                size=document.file_size,
            ),
        )
    if message.content_type in SERVICE_CONTENT:
        return Skip(f"service message {message.content_type!r}")
    return Inbound(**_base(user, message_id, InboundKind.UNSUPPORTED))


def _from_callback(query: CallbackQuery, message_id: str) -> Inbound | Skip:
    chat = query.message.chat if query.message is not None else None
    if chat is not None and chat.type != ChatType.PRIVATE:
        return Skip(f"button pressed in a {chat.type} chat")
    if query.data is None:
        return Skip("button press without callback data")
    return Inbound(**_base(query.from_user, message_id, InboundKind.BUTTON), payload=query.data)


def _from_membership(change: ChatMemberUpdated, message_id: str) -> Inbound | Skip:
    if change.chat.type != ChatType.PRIVATE:
        return Skip(f"membership change in a {change.chat.type} chat")
    if change.new_chat_member.status == ChatMemberStatus.KICKED:
        return Inbound(**_base(change.from_user, message_id, InboundKind.BLOCKED))
    # Unblocked (or started): nothing to say; the identity is reachable again with the
    # user's next message, which is when the core has something to answer.
    return Skip(f"bot is now {change.new_chat_member.status} in a private chat")

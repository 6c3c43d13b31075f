"""Simulated users: what a person does in the chat, queued as the update Telegram sends.

The updates carry what aiogram's filters need (a ``bot_command`` entity, the message a
button was on), so the bot's own routing runs as it does in production.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from tests.fakes.telegram_api.records import ChatId, JSONDict
from tests.fakes.telegram_api.state import ServerState


class UsersMixin(ServerState):
    """Messages, commands, buttons, contacts, locations and blocks of users."""

    def _remember_user(
        self,
        user_id: int,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> JSONDict:
        user = self._users.setdefault(
            user_id,
            {
                "id": user_id,
                "is_bot": False,
                "first_name": f"User {user_id}",
                "language_code": "vi",
            },
        )
        if first_name is not None:
            user["first_name"] = first_name
        if last_name is not None:
            user["last_name"] = last_name
        if username is not None:
            user["username"] = username
        if language_code is not None:
            user["language_code"] = language_code
        self._known_chats.add(user_id)
        return dict(user)

    def _user_message(
        self,
        user_id: int,
        content: JSONDict,
        *,
        first_name: str | None,
        language_code: str | None,
        extra: Mapping[str, Any] | None,
    ) -> JSONDict:
        user = self._remember_user(user_id, first_name, language_code=language_code)
        message: JSONDict = {
            "message_id": self._next_message_id(user_id),
            "from": user,
            "chat": self._chat(user_id),
            "date": int(time.time()),
            **content,
            **(extra or {}),
        }
        self._messages[(user_id, message["message_id"])] = message
        return self._enqueue({"message": message})

    def user_sends_text(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str | None = None,
        language_code: str | None = "vi",
        extra: Mapping[str, Any] | None = None,
    ) -> JSONDict:
        """Queue a private text message from ``user_id``; returns the Update dict.

        ``first_name``/``language_code`` are remembered per user (``None`` keeps the previous
        value); ``extra`` is merged into the Message (e.g. ``reply_to_message``).
        """
        return self._user_message(
            user_id,
            {"text": text},
            first_name=first_name,
            language_code=language_code,
            extra=extra,
        )

    def user_sends_command(
        self,
        user_id: int,
        command: str = "start",
        args: str | None = None,
        *,
        first_name: str | None = None,
        language_code: str | None = "vi",
    ) -> JSONDict:
        """Queue ``/command [args]`` with the ``bot_command`` entity aiogram's filters need."""
        name = "/" + command.lstrip("/")
        text = f"{name} {args}" if args else name
        entity = {"type": "bot_command", "offset": 0, "length": len(name.encode("utf-16-le")) // 2}
        return self._user_message(
            user_id,
            {"text": text, "entities": [entity]},
            first_name=first_name,
            language_code=language_code,
            extra=None,
        )

    def user_presses_button(
        self,
        user_id: int,
        callback_data: str,
        message_id: int | None = None,
        *,
        first_name: str | None = None,
        language_code: str | None = "vi",
        strict: bool = False,
    ) -> JSONDict:
        """Queue a callback_query as if the user tapped an inline button.

        With ``message_id=None`` the newest bot message in the chat whose keyboard contains
        ``callback_data`` is used (falling back to the newest bot message with any keyboard,
        then a synthetic one) -- that is the message a real user would be tapping.
        ``strict=True`` raises ``LookupError`` if no shown button carries ``callback_data``.
        """
        user = self._remember_user(user_id, first_name, language_code=language_code)
        message = self._find_button_message(user_id, callback_data, message_id)
        if strict and (message is None or not self._has_button(message, callback_data)):
            raise LookupError(f"no bot message in chat {user_id} has a button {callback_data!r}")
        if message is None and message_id is not None:
            message = self._messages.get((user_id, message_id))
        if message is None:
            message = {
                "message_id": message_id or self._next_message_id(user_id),
                "from": dict(self.bot_user),
                "chat": self._chat(user_id),
                "date": int(time.time()),
                "text": "",
            }
            self._messages[(user_id, message["message_id"])] = message
        query_id = str(10**15 + self._next_update_id + 1)
        self._callback_queries[query_id] = user_id
        return self._enqueue(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user,
                    "message": message,
                    "chat_instance": str(user_id * 7 + 1),
                    "data": callback_data,
                }
            }
        )

    @staticmethod
    def _has_button(message: Mapping[str, Any], callback_data: str) -> bool:
        rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
        return any(b.get("callback_data") == callback_data for row in rows for b in row)

    def _find_button_message(
        self, chat_id: ChatId, callback_data: str, message_id: int | None
    ) -> JSONDict | None:
        def has_button(msg: JSONDict) -> bool:
            return self._has_button(msg, callback_data)

        if message_id is not None:
            msg = self._messages.get((chat_id, message_id))
            return msg if msg is not None and has_button(msg) else None
        bot_messages = [
            msg
            for (cid, _), msg in sorted(self._messages.items(), key=lambda kv: kv[0][1])
            if cid == chat_id and msg.get("from", {}).get("id") == self.bot_id
        ]
        for msg in reversed(bot_messages):
            if has_button(msg):
                return msg
        for msg in reversed(bot_messages):
            if msg.get("reply_markup"):
                return msg
        return None

    def user_shares_contact(
        self,
        user_id: int,
        phone: str,
        *,
        own: bool = True,
        other_user_id: int | None = None,
        first_name: str | None = None,
        language_code: str | None = "vi",
    ) -> JSONDict:
        """Queue a contact message; ``own=False`` forwards someone else's card (spoof check)."""
        user = self._remember_user(user_id, first_name, language_code=language_code)
        contact: JSONDict = {"phone_number": phone, "first_name": user["first_name"]}
        if own:
            contact["user_id"] = user_id
        else:
            contact["user_id"] = other_user_id if other_user_id is not None else user_id + 1_000_000
            contact["first_name"] = "Someone Else"
        return self._user_message(
            user_id, {"contact": contact}, first_name=None, language_code=None, extra=None
        )

    def user_sends_location(
        self,
        user_id: int,
        latitude: float,
        longitude: float,
        *,
        horizontal_accuracy: float | None = None,
        first_name: str | None = None,
        language_code: str | None = "vi",
    ) -> JSONDict:
        """Queue a location message (e.g. a farm's GPS position)."""
        location: JSONDict = {"latitude": latitude, "longitude": longitude}
        if horizontal_accuracy is not None:
            location["horizontal_accuracy"] = horizontal_accuracy
        return self._user_message(
            user_id,
            {"location": location},
            first_name=first_name,
            language_code=language_code,
            extra=None,
        )

    def _my_chat_member(self, user_id: int, old: str, new: str) -> JSONDict:
        user = self._remember_user(user_id)
        bot = dict(self.bot_user)
        new_member: JSONDict = {"status": new, "user": bot}
        if new == "kicked":
            new_member["until_date"] = 0
        old_member: JSONDict = {"status": old, "user": bot}
        if old == "kicked":
            old_member["until_date"] = 0
        return self._enqueue(
            {
                "my_chat_member": {
                    "chat": self._chat(user_id),
                    "from": user,
                    "date": int(time.time()),
                    "old_chat_member": old_member,
                    "new_chat_member": new_member,
                }
            }
        )

    def user_blocks_bot(self, user_id: int) -> JSONDict:
        """Queue my_chat_member (member -> kicked) and make later sends to the user answer 403."""
        self.blocked.add(user_id)
        return self._my_chat_member(user_id, "member", "kicked")

    def user_unblocks_bot(self, user_id: int) -> JSONDict:
        """Queue my_chat_member (kicked -> member) and allow sends again."""
        self.blocked.discard(user_id)
        return self._my_chat_member(user_id, "kicked", "member")

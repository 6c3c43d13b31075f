"""The bot's own profile, its chats and its command menus (getMe, getChat, *MyCommands)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Final

from tests.fakes.telegram_api.errors import ApiError
from tests.fakes.telegram_api.records import JSONDict, UploadedFile
from tests.fakes.telegram_api.state import ServerState
from tests.fakes.telegram_api.validation import require_chat

_COMMAND_RE: Final[re.Pattern[str]] = re.compile(r"^[a-z0-9_]{1,32}$")


def commands_key(scope: Mapping[str, Any] | None, language_code: str | None) -> tuple[str, str]:
    scope_key = json.dumps(dict(scope), sort_keys=True) if scope else '{"type": "default"}'
    return scope_key, language_code or ""


class BotInfoMixin(ServerState):
    """Who the bot is, what a chat looks like, which commands it set."""

    async def _h_get_me(self, params: JSONDict, upload: UploadedFile | None) -> Any:
        return self.bot_user | {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _h_get_chat(self, params: JSONDict, upload: UploadedFile | None) -> Any:
        chat_id = require_chat(params)
        return self._chat(chat_id) | {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        }

    def get_commands(
        self, scope: Mapping[str, Any] | None = None, language_code: str = ""
    ) -> list[JSONDict] | None:
        """Commands set with setMyCommands for ``scope`` (default scope when None)."""
        return self.my_commands.get(commands_key(scope, language_code))

    async def _h_set_my_commands(self, params: JSONDict, upload: UploadedFile | None) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_RE.fullmatch(
                str(command.get("command", ""))
            ):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        key = commands_key(params.get("scope"), params.get("language_code"))
        self.my_commands[key] = commands
        return True

    async def _h_get_my_commands(self, params: JSONDict, upload: UploadedFile | None) -> Any:
        key = commands_key(params.get("scope"), params.get("language_code"))
        return self.my_commands.get(key, [])

    async def _h_delete_my_commands(self, params: JSONDict, upload: UploadedFile | None) -> Any:
        key = commands_key(params.get("scope"), params.get("language_code"))
        self.my_commands.pop(key, None)
        return True

"""Text-format checks: the HTML and MarkdownV2 mistakes the real API refuses.

Unbalanced HTML and unescaped MarkdownV2 are bugs that otherwise only show in production,
where Telegram answers 400 and the user gets nothing.
"""

from __future__ import annotations

import re
from typing import Any, Final

from tests.fakes.telegram_api.errors import ApiError

_HTML_TAGS: Final[frozenset[str]] = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
    }
)
_MDV2_ALWAYS_RESERVED: Final[str] = ".!#+-={}"


def check_html(text: str) -> None:
    """Reject HTML the real API rejects: unknown tags, stray ``<``, unclosed/mismatched tags."""
    stack: list[str] = []
    pos = 0
    while (start := text.find("<", pos)) != -1:
        end = text.find(">", start)
        offset = len(text[:start].encode("utf-8"))
        if end == -1:
            raise ApiError(
                400,
                "Bad Request: can't parse entities: Can't find end of the tag starting at "
                f"byte offset {offset}",
            )
        inner = text[start + 1 : end]
        closing = inner.startswith("/")
        name_match = re.match(r"\s*([A-Za-z][\w-]*)", inner[1:] if closing else inner)
        name = name_match.group(1).lower() if name_match else ""
        if name not in _HTML_TAGS:
            kind = "end" if closing else "start"
            raise ApiError(
                400,
                f'Bad Request: can\'t parse entities: Unsupported {kind} tag "{name or inner}" '
                f"at byte offset {offset}",
            )
        if closing:
            if not stack or stack[-1] != name:
                raise ApiError(
                    400,
                    f"Bad Request: can't parse entities: Unmatched end tag at byte offset "
                    f'{offset}, expected "</{stack[-1] if stack else ""}>", found "</{name}>"',
                )
            stack.pop()
        else:
            stack.append(name)
        pos = end + 1
    if stack:
        raise ApiError(
            400,
            "Bad Request: can't parse entities: Can't find end tag corresponding to start tag "
            f'"{stack[-1]}"',
        )


def check_markdown_v2(text: str) -> None:
    """Reject MarkdownV2 with unescaped characters that are *always* reserved.

    Only ``. ! # + - = { }`` are checked because they never start an entity, so an unescaped
    one is always an error on the real API (outside code spans and link URLs).
    """
    i = 0
    in_code = False
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "`":
            in_code = not in_code
        elif not in_code and text.startswith("](", i):
            close = i + 2
            while close < len(text) and text[close] != ")":
                close += 2 if text[close] == "\\" else 1
            i = close + 1
            continue
        elif not in_code and ch in _MDV2_ALWAYS_RESERVED:
            raise ApiError(
                400,
                f"Bad Request: can't parse entities: Character '{ch}' is reserved and must be "
                "escaped with the preceding '\\'",
            )
        i += 1


def check_formatting(text: str, parse_mode: Any, *, strict: bool) -> None:
    """Reject an unknown parse_mode always, and bad markup when ``strict``."""
    if parse_mode is None or parse_mode == "":
        return
    if not isinstance(parse_mode, str) or parse_mode.lower() not in {
        "html",
        "markdown",
        "markdownv2",
    }:
        raise ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode!r}")
    if not strict:
        return
    if parse_mode.lower() == "html":
        check_html(text)
    elif parse_mode.lower() == "markdownv2":
        check_markdown_v2(text)

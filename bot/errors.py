"""Error texts that are safe to log and to store.

A database error quotes the statement's parameters (a typed name, a phone number) and an
HTTP error may quote a URL with the bot's token in it; neither may reach a log line or a
stored error (Decree 13/2023/NĐ-CP, and a leaked token is a hijacked bot).

Three layers, because no single one catches everything:

- the engines hide SQL parameters (``hide_parameters=True``, storage/db.py);
- :func:`describe_error` / :func:`safe_error` give the one line an error is stored as;
- :func:`install_log_redaction` passes every log record (message and traceback) through
  :func:`redact`, whichever library logged it.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Iterable

from sqlalchemy.exc import DBAPIError, StatementError

_TOKEN_IN_URL = re.compile(r"/bot[^/\s'\"]+/")
_BOT_TOKEN = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{20,}")  # Telegram's and Zalo's token shape
_PHONE = re.compile(r"(?<![\w+])(?:\+84|84|0)[ .-]?\d(?:[ .-]?\d){7,9}(?!\d)")
_INTERNATIONAL = re.compile(r"\+\d(?:[ .-]?\d){7,14}(?!\d)")
_DIGIT_RUN = re.compile(r"(?<!\d)\d{9,15}(?!\d)")
# PostgreSQL quotes the offending values: "Key (phone)=(+84...) already exists", "Failing
# row contains (...)", and pydantic quotes a rejected input.
_PG_KEY = re.compile(r"Key \(([^)]*)\)=\(.*?\)(?= already| is not|\.|$)", re.M)
_PG_ROW = re.compile(r"Failing row contains \(.*\)")
_PYDANTIC_INPUT = re.compile(r"input_value=.*?, input_type=")
# A value quoted in a database error ("invalid input syntax for type integer: \"Lê An\""):
# hidden unless it looks like an identifier (a table, a column, a constraint).
_QUOTED = re.compile(r"\"([^\"\n]*)\"|'([^'\n]*)'")
_IDENTIFIER = re.compile(r"[A-Za-z0-9_./\\:<>-]*", re.ASCII)  # names, paths, ``<hidden>``
MAX_LENGTH = 300
HIDDEN = "<hidden>"

_secrets: set[str] = set()
_installed = False


def remember_secrets(*values: str | None) -> None:
    """Tokens and webhook secrets of this process: never shown, wherever they turn up."""
    _secrets.update(v for v in values if v and len(v) >= 6)


def redact(text: str) -> str:
    """``text`` without tokens, secrets, phone numbers and the values databases quote."""
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, "<secret>")
    text = _TOKEN_IN_URL.sub("/bot<token>/", text)
    text = _BOT_TOKEN.sub("<token>", text)
    text = _PG_KEY.sub(r"Key (\1)=(" + HIDDEN + ")", text)
    text = _PG_ROW.sub("Failing row contains (" + HIDDEN + ")", text)
    text = _PYDANTIC_INPUT.sub(f"input_value={HIDDEN}, input_type=", text)
    for pattern in (_PHONE, _INTERNATIONAL, _DIGIT_RUN):
        text = pattern.sub("<number>", text)
    return text


def redact_database_text(text: str) -> str:
    """:func:`redact`, and every quoted value that is not an identifier or a path hidden
    too: a database error quotes what was typed ("Nguyễn Văn An"). A one-word name typed
    without accents passes for an identifier: the engines' hidden parameters are the
    first defence, this is the second."""

    def hide(match: re.Match[str]) -> str:
        inner = match.group(1) if match.group(1) is not None else match.group(2)
        if _IDENTIFIER.fullmatch(inner):
            return match.group(0)
        quote = match.group(0)[0]
        return f"{quote}{HIDDEN}{quote}"

    return _QUOTED.sub(hide, redact(text))


def _is_database_error(exc: BaseException | None) -> bool:
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, (StatementError, DBAPIError)) or type(exc).__module__.startswith(
            ("asyncpg", "sqlite3", "aiosqlite")
        ):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def describe_error(exc: BaseException) -> str:
    """The kind of error and its first line, without the SQL statement or its parameters."""
    if isinstance(exc, StatementError) and exc.orig is not None:
        inner = exc.orig
        message = str(inner).splitlines()[0] if str(inner) else ""
        described = f"{type(exc).__name__} ({type(inner).__name__}): {message}"
    else:
        first = str(exc).splitlines()[0] if str(exc) else ""
        described = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    clean = redact_database_text if _is_database_error(exc) else redact
    return clean(described)[:MAX_LENGTH]


def safe_error(exc: BaseException | str) -> str:
    """What to store as a delivery error (``outbox.error``): one redacted line."""
    if isinstance(exc, str):
        return redact(exc.splitlines()[0] if exc else "")[:MAX_LENGTH]
    return describe_error(exc)


def _redact_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a malformed call is logging's to report, not ours
        return
    info = record.exc_info
    database = bool(info and _is_database_error(info[1]))
    clean = redact_database_text if database else redact
    cleaned = clean(message)
    if cleaned != message:
        record.msg, record.args = cleaned, ()
    if info and info[0] is not None and not record.exc_text:
        text = "".join(traceback.format_exception(*info)).rstrip("\n")
        record.exc_text = clean(text)


def install_log_redaction(secrets: Iterable[str | None] = ()) -> None:
    """Pass every log record of this process through :func:`redact` (once; later calls
    only add secrets). A record factory, not a handler filter: it holds for every logger
    and handler, including those a test or an operator adds."""
    global _installed
    remember_secrets(*secrets)
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _redact_record(record)
        return record

    logging.setLogRecordFactory(factory)
    _installed = True

"""How one :class:`~bot.messages.Outbound` becomes Bot API calls: a list of :class:`Step`.

Pure, so every layout rule is tested without a server:

* plain text, no parse mode: whatever a user typed (a name with ``<`` or ``*``) is shown as
  typed and can never break the message, so nothing needs escaping;
* text over 4,096 characters is split (:func:`bot.render.split_text`); the keyboard goes on
  the last piece, where the question is;
* choices are an inline keyboard (callback data = the button's payload, at most 64 bytes);
  "share my phone number" is a one-time reply keyboard with ``request_contact``;
  ``remove_keyboard`` sends ``ReplyKeyboardRemove``;
* Telegram allows one keyboard per message, and a message sent with a reply keyboard (or its
  removal) can never be edited to add inline buttons. So when a reply needs both (the consent
  question removes the phone keyboard *and* offers "I agree"), the reply-keyboard change rides
  on an earlier piece: the text is cut at its last paragraph break. Without a break there is
  only one message, and the inline buttons win: they carry the choice, and a one-time phone
  keyboard left on screen is harmless;
* a document is sent with ``sendDocument``; a short text becomes its caption.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.messages import Document, Outbound
from bot.render import split_text

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64  # bytes

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


class Unrenderable(ValueError):
    """The reply cannot be shown on Telegram at all (it would be refused on every try)."""


@dataclass(frozen=True)
class Step:
    """One Bot API call: a text message, or a document with an optional caption."""

    text: str | None
    markup: Markup | None = None
    document: Document | None = None


def plan(message: Outbound) -> list[Step]:
    """The calls that show ``message``, in order."""
    inline = _inline_keyboard(message)
    reply_change = _reply_keyboard_change(message)
    texts = split_text(message.text, MAX_TEXT) if message.text.strip() else []
    document = message.document
    steps: list[Step]
    if document is not None and len(texts) == 1 and len(message.text) <= MAX_CAPTION:
        steps = [Step(text=message.text, document=document)]
    else:
        steps = [Step(text=piece) for piece in texts]
        if document is not None:
            steps.append(Step(text=None, document=document))
    if not steps:
        raise Unrenderable("empty message: no text and no document")
    if inline is not None and reply_change is not None and len(steps) == 1:
        steps = _split_last_paragraph(steps[0])
    if inline is not None and reply_change is not None and len(steps) > 1:
        steps[0] = _with_markup(steps[0], reply_change)
        steps[-1] = _with_markup(steps[-1], inline)
    elif inline is not None or reply_change is not None:
        steps[-1] = _with_markup(steps[-1], inline or reply_change)
    return steps


def _inline_keyboard(message: Outbound) -> InlineKeyboardMarkup | None:
    rows = [row for row in message.buttons if row]
    if not rows:
        return None
    for button in message.choices():
        size = len(button.payload.encode("utf-8"))
        if not 1 <= size <= MAX_CALLBACK_DATA:
            raise Unrenderable(
                f"button payload {button.payload[:20]!r}... is {size} bytes; "
                f"Telegram allows 1 to {MAX_CALLBACK_DATA}"
            )
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=b.label, callback_data=b.payload) for b in row]
            for row in rows
        ]
    )


def _reply_keyboard_change(message: Outbound) -> ReplyKeyboardMarkup | ReplyKeyboardRemove | None:
    if message.request_contact:
        return ReplyKeyboardMarkup(
            keyboard=[[KeyboardButton(text=message.request_contact, request_contact=True)]],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
    if message.remove_keyboard:
        return ReplyKeyboardRemove(remove_keyboard=True)
    return None


def _split_last_paragraph(step: Step) -> list[Step]:
    """Cut a lone text step at its last blank line, so it can carry two keyboards."""
    if step.document is not None or step.text is None:
        return [step]
    head, sep, tail = step.text.rstrip().rpartition("\n\n")
    if not sep or not head.strip() or not tail.strip():
        return [step]
    return [Step(text=head.rstrip()), Step(text=tail.strip())]


def _with_markup(step: Step, markup: Markup) -> Step:
    return Step(text=step.text, markup=markup, document=step.document)

"""The entry point of the conversation core: one inbound message in, replies and state out.

Order of precedence: bad input is answered first (nothing changes); then commands; then a
typed number or label becomes the button it names (the latest notification's first: on a
messenger without buttons that is how a notice is answered); then global ``@`` actions; then
the open conversation's current step. A user with nothing open who is not registered is onboarded.
Before all of it, and again after, the open conversation is checked against the user's
rights as storage says now (``handlers/rights.py``).
"""

from __future__ import annotations

import re

from bot.messages import Button, InboundKind
from forms.readers import Choice, Ok, read_choice
from forms.readers.results import match_key
from handlers import (  # noqa: F401  (each module registers its commands)
    admin_broadcast,
    admin_export,
    admin_progress,
    admin_review,
    admin_users,
    admin_web,
    approvals,
    calendar_admin,
    general,
    linking,
    onboarding,
    personal_data,
    products,
    profile,
)
from handlers.context import Context
from handlers.forms import flow as forms_flow  # noqa: F401  (registers the form commands)
from handlers.general import CONFIRM_CANCEL_KEY, drop_offered, resume
from handlers.registry import ACTIONS, ASKING, COMMANDS, FLOWS
from handlers.rights import close_lapsed

MAX_TEXT = 4000


async def dispatch(ctx: Context) -> None:
    """Rights first (``handlers/rights.py``): a conversation the user may no longer go on
    with is closed before this message reaches it, an answer to it is dropped (a command or
    a global button still runs); and again after, for one this message resumed from
    underneath (a draft after /toi moved the user to another commune)."""
    if close_lapsed(ctx) and not _fresh_intent(ctx):
        await _prompt_open(ctx)
        return
    await _route(ctx)
    if close_lapsed(ctx):
        await _prompt_open(ctx)


def _fresh_intent(ctx: Context) -> bool:
    """A message that means something without the conversation it arrived in."""
    inbound = ctx.inbound
    if inbound.kind is InboundKind.SESSION:
        return True
    if inbound.kind is InboundKind.TEXT:
        return inbound.command is not None
    return inbound.kind is InboundKind.BUTTON and (inbound.payload or "").startswith("@")


async def _prompt_open(ctx: Context) -> None:
    """After a conversation was closed, the one it interrupted (if any) asks again."""
    if ctx.in_conversation:
        assert ctx.state is not None
        await FLOWS[ctx.state.flow].prompt(ctx)


async def _route(ctx: Context) -> None:
    inbound = ctx.inbound
    if inbound.kind is InboundKind.SESSION:
        await resume(ctx)
        return
    if inbound.kind is InboundKind.UNSUPPORTED:
        ctx.reply(
            ctx.t(
                "Sorry, I cannot read this kind of message. Please type your answer "
                "or press a button."
            )
        )
        return
    if inbound.kind is InboundKind.TEXT:
        text = inbound.text or ""
        if not text.strip():
            ctx.reply(ctx.t("Your message is empty. Please type your answer."))
            return
        if len(text) > MAX_TEXT:
            ctx.reply(
                ctx.t(
                    "Your message is too long ({length} characters; at most {max}). "
                    "Please send a shorter one.",
                    length=len(text),
                    max=MAX_TEXT,
                )
            )
            return
        if inbound.command is not None:
            name, argument = inbound.command
            handler = COMMANDS.get(name)
            if handler is None:
                ctx.reply(
                    ctx.t(
                        "I do not know the command /{name}. Type /help to see what I can do.",
                        name=name[:30],
                    )
                )
                return
            _drop_cancel_question(ctx)
            before = _position(ctx)
            await handler(ctx, argument)
            if name not in ASKING:
                await _ask_again(ctx, before)
            return
        _typed_choice_to_button(ctx)
    if ctx.inbound.kind is InboundKind.BUTTON:
        payload = ctx.inbound.payload or ""
        if payload.startswith("@"):
            prefix, _, argument = payload[1:].partition(":")
            handler = ACTIONS.get(prefix)
            if handler is None:
                ctx.reply(ctx.t("That choice is no longer valid."))
                return
            if prefix != "cancel":
                _drop_cancel_question(ctx)
            await handler(ctx, argument)
            return
        if payload not in {b.payload for b in ctx.offered()}:
            ctx.reply(ctx.t("That choice is no longer valid."))
            if ctx.in_conversation:
                assert ctx.state is not None
                await FLOWS[ctx.state.flow].prompt(ctx)
            return
    _drop_cancel_question(ctx)
    if ctx.in_conversation:
        assert ctx.state is not None
        await FLOWS[ctx.state.flow].handle(ctx)
    elif not ctx.user.is_registered:
        await onboarding.ONBOARDING.start(ctx)
    else:
        ctx.clear_offer()
        if ctx.inbound.kind is InboundKind.TEXT and _NUMBER.fullmatch(ctx.inbound.text or ""):
            # A number answers a message that offered choices; none does any more.
            ctx.reply(ctx.t("That choice is no longer valid. Type /help to see what I can do."))
            return
        ctx.reply(ctx.t("I did not understand. Type /help to see what I can do."))


_NUMBER = re.compile(r"\s*[0-9]{1,3}\s*")


def _position(ctx: Context) -> tuple[str, str] | None:
    return (ctx.state.flow, ctx.state.step) if ctx.in_conversation and ctx.state else None


async def _ask_again(ctx: Context, before: tuple[str, str] | None) -> None:
    """A command that showed something else (/toi) and left the open conversation where it
    was: a flow that wants to (``interrupted``) says where it is and asks again, so that the
    next answer goes to a question the user has just seen."""
    if before is None or _position(ctx) != before:
        return
    interrupted = getattr(FLOWS[before[0]], "interrupted", None)
    if interrupted is not None:
        await interrupted(ctx)


def _typed_choice_to_button(ctx: Context) -> None:
    """Let people type a choice's number or its label instead of pressing its button.

    The latest notification's choices come first: it arrived after anything the conversation
    asked (``ctx.notice`` is empty once the conversation said something since). A notice
    takes only its numbers and whole labels (any accents), so an answer to an open question
    that shares a word with it stays an answer; the conversation's own choices also take
    initials and the start of a label. Text that fits no choice, or several, stays text."""
    chosen = _notice_choice(ctx) or _offered_choice(ctx)
    if chosen is not None:
        ctx.inbound = ctx.inbound.model_copy(
            update={"kind": InboundKind.BUTTON, "payload": chosen.payload}
        )


def _notice_choice(ctx: Context) -> Button | None:
    if not ctx.notice:
        return None
    text = (ctx.inbound.text or "").strip()
    if _NUMBER.fullmatch(text):
        number = int(text)
        return ctx.notice[number - 1] if 1 <= number <= len(ctx.notice) else None
    key = match_key(text)
    named = [b for b in ctx.notice if match_key(b.label.removeprefix("✓ ")) == key]
    return named[0] if len(named) == 1 else None


def _offered_choice(ctx: Context) -> Button | None:
    offered = ctx.offered()
    if not offered:
        return None
    options = [
        Choice(key=str(i), labels=(b.label.removeprefix("✓ "),)) for i, b in enumerate(offered)
    ]
    reading = read_choice(ctx.inbound.text or "", options)
    return offered[int(reading.value)] if isinstance(reading, Ok) else None


def _drop_cancel_question(ctx: Context) -> None:
    """Answering anything but the cancel question means the user chose to go on: its
    "Yes, cancel" is no longer a number to type (the conversation's question, asked again,
    may offer no choices of its own to replace it)."""
    if ctx.state is not None and ctx.state.data.pop(CONFIRM_CANCEL_KEY, None):
        drop_offered(ctx, "@cancel:")

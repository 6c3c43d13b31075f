"""The entry point of the conversation core: one inbound message in, replies and state out.

Order of precedence: bad input is answered first (nothing changes); then commands; then a
typed number or label becomes the button it names; then global ``@`` actions; then the open
conversation's current step. A user with nothing open who is not registered is onboarded.
Before all of it, and again after, the open conversation is checked against the user's
rights as storage says now (``handlers/rights.py``).
"""

from __future__ import annotations

from bot.messages import InboundKind
from forms.readers import Choice, Ok, read_choice
from handlers import (  # noqa: F401  (each module registers its commands)
    admin_broadcast,
    admin_export,
    admin_progress,
    admin_review,
    admin_users,
    approvals,
    calendar_admin,
    general,
    onboarding,
    personal_data,
    products,
    profile,
)
from handlers.context import Context
from handlers.forms import flow as forms_flow  # noqa: F401  (registers the form commands)
from handlers.general import CONFIRM_CANCEL_KEY, resume
from handlers.registry import ACTIONS, COMMANDS, FLOWS
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
            await handler(ctx, argument)
            return
        _typed_choice_to_button(ctx)
    if ctx.inbound.kind is InboundKind.BUTTON:
        payload = ctx.inbound.payload or ""
        if payload.startswith("@"):
            prefix, _, argument = payload[1:].partition(":")
            handler = ACTIONS.get(prefix)
            if handler is None:
                ctx.reply(ctx.t("That button is no longer valid."))
                return
            if prefix != "cancel":
                _drop_cancel_question(ctx)
            await handler(ctx, argument)
            return
        if payload not in {b.payload for b in ctx.offered()}:
            ctx.reply(ctx.t("That button is no longer valid."))
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
        ctx.reply(ctx.t("I did not understand. Type /help to see what I can do."))


def _typed_choice_to_button(ctx: Context) -> None:
    """Let people type a button's number or its label (any accents, initials, the start of
    it) instead of pressing it. Text that fits no button, or several, stays text."""
    offered = ctx.offered()
    if not offered:
        return
    options = [
        Choice(key=str(i), labels=(b.label.removeprefix("✓ "),)) for i, b in enumerate(offered)
    ]
    reading = read_choice(ctx.inbound.text or "", options)
    if isinstance(reading, Ok):
        chosen = offered[int(reading.value)]
        ctx.inbound = ctx.inbound.model_copy(
            update={"kind": InboundKind.BUTTON, "payload": chosen.payload}
        )


def _drop_cancel_question(ctx: Context) -> None:
    """Answering anything but the cancel question means the user chose to go on."""
    if ctx.state is not None:
        ctx.state.data.pop(CONFIRM_CANCEL_KEY, None)

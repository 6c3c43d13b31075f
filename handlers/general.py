"""The commands every user has: /start, /help, /huy (cancel), /ngonngu (language)."""

from __future__ import annotations

from bot.messages import Button
from bot.render import display_name
from handlers.context import Context
from handlers.onboarding import LANGUAGE_BUTTONS, ONBOARDING, STEPS
from handlers.registry import FLOWS, action, command
from handlers.roles import capabilities

CONFIRM_CANCEL_KEY = "_confirm_cancel"


async def resume(ctx: Context) -> None:
    """Re-ask the open conversation's question, or greet a user with nothing in progress.

    Only the question shown now is answerable: a cancel question left open (/huy, then a
    restart) is dropped with its choices, or a "1" meant for the question would cancel.
    A newcomer whose registration has not got past its first question is welcomed, not
    welcomed back (the console and the browser chat open with that question)."""
    if ctx.in_conversation:
        assert ctx.state is not None
        if ctx.data.pop(CONFIRM_CANCEL_KEY, False):
            drop_offered(ctx, "@cancel:")
        if ctx.state.flow == ONBOARDING.name and ctx.state.step == STEPS[0]:
            ctx.reply(ctx.t("Welcome to the OCOP reporting assistant (One Commune One Product)."))
        else:
            ctx.reply(ctx.t("Welcome back! Let us continue where you stopped."))
        await FLOWS[ctx.state.flow].prompt(ctx)
        return
    if ctx.notice and ctx.user.is_registered:
        # The latest notification's choices (a report sent back) stay answerable by number:
        # the greeting below offers none of its own.
        ctx.offer(ctx.notice)
    if not ctx.user.is_registered:
        await ONBOARDING.start(ctx)
    else:
        ctx.reply(
            ctx.t("Hello {name}!", name=display_name(ctx.user.full_name or ""))
            + "\n"
            + capabilities(ctx.tr, ctx.user)
        )


def drop_offered(ctx: Context, prefix: str) -> None:
    """Withdraw the offered choices whose payload starts with ``prefix`` (an answered or
    abandoned question's), keeping the others."""
    kept = [b for b in ctx.offered() if not b.payload.startswith(prefix)]
    if len(kept) == len(ctx.offered()):
        return
    ctx.clear_offer()
    if kept:
        ctx.offer(kept)


@command("start", "batdau")
async def start(ctx: Context, argument: str) -> None:
    if ctx.in_conversation:
        assert ctx.state is not None
        if ctx.state.flow == ONBOARDING.name and argument and "invite_code" not in ctx.data:
            ctx.state = None  # a fresh invite link restarts onboarding with its role and place
            await ONBOARDING.start(ctx, invite_code=argument)
            return
        await resume(ctx)
        return
    if ctx.user.is_registered and ctx.user.status != "rejected":
        if argument:
            ctx.reply(ctx.t("You are already registered; an invite code is not needed."))
        if ctx.notice:
            ctx.offer(ctx.notice)  # the greeting offers no choice: a notice's stay typeable
        ctx.reply(
            ctx.t("Hello {name}!", name=display_name(ctx.user.full_name or ""))
            + "\n"
            + capabilities(ctx.tr, ctx.user)
        )
        return
    await ONBOARDING.start(ctx, invite_code=argument or None)


@command("help", "trogiup", "giup")
async def help_(ctx: Context, _argument: str) -> None:
    if not ctx.user.is_registered:
        ctx.reply(
            ctx.t(
                "This bot collects OCOP reports from commune officers and product "
                "ideas from producers. Type /start to register."
            )
        )
    else:
        ctx.reply(capabilities(ctx.tr, ctx.user))
    if ctx.in_conversation:
        assert ctx.state is not None
        await FLOWS[ctx.state.flow].prompt(ctx)


@command("huy", "cancel", asks=True)
async def cancel(ctx: Context, _argument: str) -> None:
    if not ctx.in_conversation:
        ctx.reply(ctx.t("There is nothing to cancel."))
        return
    ctx.data[CONFIRM_CANCEL_KEY] = True
    ctx.reply(
        ctx.t("Cancel what you are doing? The answers you gave in it will be dropped."),
        buttons=[
            [
                Button(label=ctx.t("Yes, cancel"), payload="@cancel:yes"),
                Button(label=ctx.t("No, continue"), payload="@cancel:no"),
            ]
        ],
    )


@action("cancel")
async def cancel_answer(ctx: Context, argument: str) -> None:
    if not ctx.in_conversation or not ctx.data.pop(CONFIRM_CANCEL_KEY, False):
        ctx.reply(ctx.t("That choice is no longer valid."))
        return
    if argument == "yes":
        resumed = ctx.finish()
        ctx.reply(ctx.t("Cancelled."), remove_keyboard=True)
        if resumed is not None:
            await FLOWS[resumed.flow].prompt(ctx)
        elif not ctx.user.is_registered:
            ctx.reply(ctx.t("Type /start whenever you want to register."))
    else:
        assert ctx.state is not None
        await FLOWS[ctx.state.flow].prompt(ctx)


@command("ngonngu", "language", "lang", asks=True)
async def language(ctx: Context, _argument: str) -> None:
    buttons = [[Button(label=b.label, payload=f"@lang:{b.payload}") for b in LANGUAGE_BUTTONS[0]]]
    ctx.reply(ctx.t("Please choose your language."), buttons=buttons)


@action("lang")
async def set_language(ctx: Context, argument: str) -> None:
    if argument not in ("vi", "en"):
        ctx.reply(ctx.t("That choice is no longer valid."))
        return
    ctx.user.language = argument
    ctx.clear_offer()
    ctx.reply(
        ctx.t("I will speak English with you.")
        if argument == "en"
        else ctx.t("I will speak Vietnamese with you.")
    )
    if ctx.in_conversation:
        assert ctx.state is not None
        if ctx.state.flow == ONBOARDING.name:
            ctx.data["language"] = argument
            await ONBOARDING.advance(ctx)
            return
        await FLOWS[ctx.state.flow].prompt(ctx)

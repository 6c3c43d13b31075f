"""The answers about a person, read the same at /start and when changed with /toi: a full
name and a phone number, each refused with a clear message in the user's language."""

from __future__ import annotations

from bot.messages import InboundKind
from bot.text import has_letters, nfc
from forms.readers import Rejected, read_phone
from handlers.context import Context

MAX_NAME = 100


def read_name(ctx: Context) -> str | None:
    """A person's name: letters required (an emoji is not a name), at most 100 characters.

    Kept as typed (spaces tidied): ``bot.render.display_name`` capitalises it where shown."""
    if ctx.inbound.kind is not InboundKind.TEXT or not ctx.inbound.text:
        ctx.reply(ctx.t("Please type your full name, for example: Nguyễn Văn An."))
        return None
    name = " ".join(nfc(ctx.inbound.text).split())
    if not has_letters(name) or len(name) < 2:
        ctx.reply(
            ctx.t(
                "That does not look like a name. Please type your full name, for "
                "example: Nguyễn Văn An."
            )
        )
        return None
    if len(name) > MAX_NAME:
        ctx.reply(
            ctx.t("A name can have at most {max} characters. Please type it again.", max=MAX_NAME)
        )
        return None
    return name


def read_phone_answer(ctx: Context) -> str | None:
    """A shared contact (only the sender's own) or a typed Vietnamese number, normalised."""
    inbound = ctx.inbound
    if inbound.kind is InboundKind.CONTACT and inbound.contact:
        if not inbound.contact.is_own:
            ctx.reply(ctx.t("Please share your own phone number, not someone else's."))
            return None
        raw = inbound.contact.phone
    elif inbound.kind is InboundKind.TEXT and inbound.text:
        raw = inbound.text
    else:
        ctx.reply(ctx.t("Please type your phone number, for example 0912 345 678."))
        return None
    reading = read_phone(raw)
    if isinstance(reading, Rejected):
        ctx.reply(ctx.t(reading.message, **reading.params))
        return None
    return reading.value

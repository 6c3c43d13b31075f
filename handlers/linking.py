"""``/lienket``: one person, two messengers, one user.

``/lienket`` on one messenger gives a short code; ``/lienket CODE`` on the other joins the
two users behind them into one: role, status, commune, reports, products, language and
consent are then the same on both, and both messengers hear it. Reminders and notices go to
the messenger used last (``Users.delivery_identity``), so a linked person gets each once.

Which user survives is decided here, from both users as storage says now (the code's owner
is locked in this transaction; the sender was locked when the message arrived):

- a user with no records (reports, products, approvals...; ``Links.records_of``) who is not
  registered, or whose registration was rejected, joins the other one;
- so does a registration with no records and the same role, province and commune as the
  other, and no better standing (pending does not outrank active);
- the code's owner survives when both could join the other;
- anything else (two registrations that differ, either with records of its own, a disabled
  account) is refused, and the person is told to ask their province's OCOP office or to
  delete the account they do not need (/xoadulieu): two officers of different communes are
  never merged silently, and nothing kept is re-assigned to another person.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bot.i18n import N_, Translator
from bot.messages import Outbound
from handlers.context import Context
from handlers.personal_data import CHANNEL_NAMES
from handlers.registry import FLOWS, command
from storage.links import CODE_VALID, Found, LinkCode
from storage.models import Identity, User, UserStatus

MINUTES = int(CODE_VALID.total_seconds() // 60)
_STANDING = {UserStatus.REJECTED: 0, UserStatus.PENDING: 1, UserStatus.ACTIVE: 2}

REFUSED_DISABLED = N_(
    "These accounts cannot be linked here because one of them is disabled. Please "
    "contact your province's OCOP office."
)
REFUSED_BOTH = N_(
    "Both accounts are already registered (with a different role or place, or with "
    "reports or products of their own), so they are not joined here: nothing must be "
    "lost. Please ask your province's OCOP office to join them, or delete the account "
    "you do not need with /xoadulieu on its messenger, then link again with a new code."
)
NOT_TAKEN = {
    Found.WRONG: N_(
        "This link code is not right. Please check it and send it again; /lienket on "
        "your other messenger gives a new one."
    ),
    Found.USED: N_(
        "This link code has already been used. Type /lienket on your other messenger for a new one."
    ),
    Found.EXPIRED: N_(
        "This link code has expired. Type /lienket on your other messenger for a new one."
    ),
}


@dataclass(frozen=True)
class Join:
    survivor: User
    absorbed: User


def joins(user: User, records: int, other: User) -> bool:
    """Whether ``user`` may become part of ``other`` without anything being lost: no
    records, and no registration that ``other`` would not carry on."""
    if records:
        return False
    if not user.is_registered or user.role is None or user.status == UserStatus.REJECTED:
        return True
    same_place = (user.role, user.province_code, user.commune_code) == (
        other.role,
        other.province_code,
        other.commune_code,
    )
    mine, theirs = _STANDING.get(UserStatus(user.status)), _STANDING.get(UserStatus(other.status))
    return same_place and mine is not None and theirs is not None and mine <= theirs


def plan(owner: User, owner_records: int, sender: User, sender_records: int) -> Join | str:
    """Who survives when the code of ``owner`` is typed by ``sender``; or why not (msgid)."""
    blocked = (UserStatus.DISABLED, UserStatus.ERASED)
    if owner.status in blocked or sender.status in blocked:
        return REFUSED_DISABLED
    if joins(sender, sender_records, owner):
        return Join(survivor=owner, absorbed=sender)
    if joins(owner, owner_records, sender):
        return Join(survivor=sender, absorbed=owner)
    return REFUSED_BOTH


def channel_names(identities: list[Identity] | list[str]) -> str:
    channels = [i if isinstance(i, str) else i.channel for i in identities]
    return ", ".join(CHANNEL_NAMES.get(c, c) for c in dict.fromkeys(channels))


async def messengers_line(ctx: Context) -> str:
    """For /toi: the messengers of this account, and how to add one."""
    identities = list(await ctx.stores.links.identities(ctx.user.id))
    return ctx.t(
        "Messengers: {channels}. To use this account on another messenger too: /lienket",
        channels=channel_names(identities) or "—",
    )


@command("lienket", "link")
async def link(ctx: Context, argument: str) -> None:
    """``/lienket`` asks for a code, ``/lienket CODE`` uses one. What was open is asked
    again afterwards (as /help does), so a code sent in the middle of a report or of a
    registration loses neither; a conversation of a user that joined another is gone."""
    if argument.strip():
        await _claim(ctx, argument)
    else:
        await _issue(ctx)
    if ctx.in_conversation:
        assert ctx.state is not None
        await FLOWS[ctx.state.flow].prompt(ctx)


async def _issue(ctx: Context) -> None:
    if ctx.user.status == UserStatus.DISABLED:
        ctx.reply(ctx.t(REFUSED_DISABLED))
        return
    code = await ctx.stores.links.issue(ctx.user.id, ctx.identity.id, now=ctx.now)
    ctx.stores.audit.record(ctx.user.id, "link_code_issued", channel=ctx.identity.channel)
    ctx.reply(
        ctx.t(
            "Your link code: {code}\nOpen this bot on your other messenger (Telegram or Zalo) "
            "and send:\n/lienket {code}\nThe code works once, within {minutes} minutes. Do "
            "not give it to anyone: it opens your account.",
            code=code,
            minutes=MINUTES,
        )
    )


async def _claim(ctx: Context, typed: str) -> None:
    """Checks in this order: the wrong-tries pause (before the code is even looked at, so
    guessing stays slow), the code, the two users as storage says now, and only then the
    single-use claim: a refused join leaves the code usable once the person has sorted it
    out (e.g. deleted the account they do not need)."""
    links, audit = ctx.stores.links, ctx.stores.audit
    wait = await links.wait_after_wrong(ctx.identity.id, now=ctx.now)
    if wait is not None:
        audit.record(ctx.user.id, "link_refused", reason="too_many_wrong")
        minutes = max(1, math.ceil(wait.total_seconds() / 60))
        ctx.reply(
            ctx.tn(
                "Too many wrong link codes. Please wait {n} minute, then try again.",
                "Too many wrong link codes. Please wait {n} minutes, then try again.",
                minutes,
            )
        )
        return
    found, code = await links.find(typed, now=ctx.now)
    if found is not Found.LIVE or code is None:
        await links.note_wrong(ctx.identity.id, now=ctx.now)
        ctx.reply(ctx.t(NOT_TAKEN[found]))
        return
    if code.identity_id == ctx.identity.id:
        ctx.reply(
            ctx.t(
                "Send this code on your other messenger (Telegram or Zalo), not here: "
                "that is the one to link."
            )
        )
        return
    owner = await links.lock_user(code.user_id)
    if owner is None:  # gone with its codes meanwhile (its data were deleted)
        ctx.reply(ctx.t(NOT_TAKEN[Found.WRONG]))
        return
    if owner.id == ctx.user.id:
        ctx.reply(ctx.t("These messengers are already linked to your account."))
        return
    decision = plan(
        owner, await links.records_of(owner.id), ctx.user, await links.records_of(ctx.user.id)
    )
    if isinstance(decision, str):
        audit.record(ctx.user.id, "link_refused", reason="rules", other=owner.id)
        ctx.reply(ctx.t(decision))
        return
    if not await links.take(code, now=ctx.now):  # another messenger took it a moment ago
        await links.note_wrong(ctx.identity.id, now=ctx.now)
        ctx.reply(ctx.t(NOT_TAKEN[Found.USED]))
        return
    await _join(ctx, decision, code)


async def _join(ctx: Context, decision: Join, code: LinkCode) -> None:
    """Join, audit, and confirm in the survivor's language on this chat and on the one
    that asked for the code (not "the messenger used last": that is this one now)."""
    links, survivor, absorbed = ctx.stores.links, decision.survivor, decision.absorbed
    absorbed_id, absorbed_status = absorbed.id, absorbed.status
    await links.join(survivor, absorbed)
    if absorbed is ctx.user:  # this messenger's user is gone: go on as the one it joined
        ctx.user, ctx.state = survivor, None
    identities = list(await links.identities(survivor.id))
    ctx.stores.audit.record(
        survivor.id,
        "messengers_linked",
        joined_user=absorbed_id,
        joined_status=absorbed_status,
        channel=ctx.identity.channel,
        channels=[i.channel for i in identities],
    )
    channels = channel_names(identities)

    def confirmation(tr: Translator) -> Outbound:
        text = tr.t(
            "Done: {channels} are now linked to one account. Your role, commune, reports and "
            "settings are the same on each. Reminders and notices come on the messenger you "
            "used last.",
            channels=channels,
        )
        if not survivor.is_registered:
            text += "\n" + tr.t("Type /start to register.")
        return Outbound(text=text)

    ctx.reply(confirmation(ctx.tr).text)
    asked_on = await links.identity(code.identity_id)
    if asked_on is not None and asked_on.id != ctx.identity.id:
        ctx.notify(survivor, confirmation, via=asked_on)

"""``/dulieu``: what we keep about you; ``/xoadulieu``: withdraw consent and delete it.

Decree 13/2023/NĐ-CP gives a person the right to know what is kept about them, to withdraw
consent and to have their data deleted. Both are done in the chat, without asking an admin.
Deleting asks once for confirmation (a button, or typing 1 or 2), then happens at once in
the message's transaction (storage/personal_data.py): nothing is left to a later job.
"""

from __future__ import annotations

from bot.messages import Button, InboundKind
from forms.readers.phone import display_phone
from handlers.context import Context
from handlers.registry import FLOWS, command, flow
from handlers.roles import role_label
from storage.models import UserStatus

NAME = "erase_me"
CHANNEL_NAMES = {
    "telegram": "Telegram",
    "zalo": "Zalo",
    "zalo_oa": "Zalo OA",
    "web": "web",
    "console": "console",
}


@command("dulieu", "mydata")
async def show_kept_data(ctx: Context, _argument: str) -> None:
    user, t = ctx.user, ctx.t
    if not user.is_registered:
        ctx.reply(
            t(
                "You are not registered. We keep only which messenger you write from and, "
                "while you register, the answers you have given so far. /xoadulieu deletes "
                "them."
            )
        )
        return
    kept = await ctx.stores.users.kept_data(user)
    commune = await ctx.stores.places.commune(kept.commune_code or 0)
    province = await ctx.stores.places.province(kept.province_code or 0)
    place = ", ".join(p.name for p in (commune, province) if p is not None) or "—"
    channels = ", ".join(
        f"{CHANNEL_NAMES.get(channel, channel)} ({ctx.tr.date(since.astimezone(ctx.config.zone))})"
        for channel, since in kept.channels
    )
    consent = kept.consent_at.astimezone(ctx.config.zone) if kept.consent_at else None
    ctx.reply(
        "\n\n".join(
            [
                t(
                    "What we keep about you (Decree 13/2023/NĐ-CP):\nName: {name}\n"
                    "Phone: {phone}\nRole: {role}\nPlace: {place}\nMessengers: {channels}\n"
                    "Consent given on: {consent}\nLanguage: {language}\n"
                    "Reports and registrations you sent: {reports}\nProducts: {products}",
                    name=kept.full_name or "—",
                    phone=display_phone(kept.phone) if kept.phone else "—",
                    role=role_label(ctx.tr, kept.role),
                    place=place,
                    channels=channels or "—",
                    consent=ctx.tr.date(consent) if consent else "—",
                    language="Tiếng Việt" if kept.language == "vi" else "English",
                    reports=kept.reports,
                    products=kept.products,
                )
                + "\n"
                + t("Photos you sent, kept by the bot: {photos}", photos=kept.photos),
                t(
                    "They are used only by the agriculture offices that run OCOP, to contact "
                    "you about your reports and products. Change them with /toi. To withdraw "
                    "your consent and delete them, type /xoadulieu. Reports filed for your "
                    "commune are public records: they are kept, no longer linked to you."
                ),
            ]
        )
    )


@command("xoadulieu", "deletemydata")
async def ask_to_erase(ctx: Context, _argument: str) -> None:
    ctx.clear_offer()
    ctx.begin(NAME, "confirm")
    await ERASE_ME.prompt(ctx)


class EraseMe:
    """One question: delete, or keep."""

    name = NAME

    async def prompt(self, ctx: Context) -> None:
        t = ctx.t
        ctx.reply(
            t(
                "Withdraw your consent and delete your personal data? Your name, phone "
                "number, the photos you sent and the link to this messenger are deleted at "
                "once and cannot be recovered; to use the bot again you will register anew. "
                "Reports filed for your commune are public records: they are kept, no "
                "longer linked to you."
            ),
            remove_keyboard=True,
            buttons=[
                [
                    Button(label=t("Delete my data"), payload="yes"),
                    Button(label=t("Keep"), payload="no"),
                ]
            ],
        )

    async def handle(self, ctx: Context) -> None:
        answer = ctx.inbound.payload if ctx.inbound.kind is InboundKind.BUTTON else None
        if answer == "no":
            resumed = ctx.finish()
            ctx.reply(ctx.t("Nothing was deleted."))
            if resumed is not None:
                await FLOWS[resumed.flow].prompt(ctx)
            return
        if answer != "yes":
            ctx.reply(ctx.t("Please press one of the buttons, or type its number."))
            await self.prompt(ctx)
            return
        user = ctx.user
        was_registered = user.status != UserStatus.NEW
        ctx.state = None  # the whole stack: an interrupted onboarding holds typed answers
        await ctx.stores.users.erase(user, drop_row=False)
        if was_registered:
            ctx.stores.audit.record(user.id, "data_erased", by="self")
        ctx.reply(
            ctx.t(
                "Your personal data have been deleted and your consent withdrawn. Thank you "
                "for taking part in OCOP reporting. Type /start if you want to register again."
            ),
            remove_keyboard=True,
        )


ERASE_ME = EraseMe()
flow(ERASE_ME)

"""``/thongbao``: an admin writes an announcement for an audience in their scope, sees a
preview and the number of recipients, confirms, and it goes out through the outbox; the
admin is told how many were delivered when the last one is done (``bot/broadcasts.py``)."""

from __future__ import annotations

from bot.i18n import Translator
from bot.messages import Button, Outbound
from forms.readers import Rejected, read_text
from handlers.access import ADMIN_GUARD, scope, start_admin_flow
from handlers.context import Context
from handlers.places import go_to_place, province_then_commune
from handlers.registry import command, flow
from storage.broadcasts import AudienceFilter
from storage.models import Role

NAME = "broadcast"
ROLES = {"officers": Role.OFFICER, "producers": Role.PRODUCER, "everyone": None}


@command("thongbao", "broadcast")
async def broadcast(ctx: Context, _argument: str) -> None:
    await start_admin_flow(ctx, "broadcast", NAME, "audience")


class BroadcastFlow:
    name = NAME
    guard = ADMIN_GUARD

    async def prompt(self, ctx: Context) -> None:
        assert ctx.state is not None
        step, t = ctx.state.step, ctx.t
        if step == "audience":
            area = (
                t("in your province")
                if ctx.user.role == Role.PROVINCE_ADMIN
                else t("in the whole country")
            )
            ctx.reply(
                t("Who should receive the announcement?"),
                buttons=[
                    [Button(label=t("All commune officers {area}", area=area), payload="officers")],
                    [Button(label=t("All producers {area}", area=area), payload="producers")],
                    [Button(label=t("Everyone {area}", area=area), payload="everyone")],
                    [Button(label=t("Only one province or commune…"), payload="place")],
                ],
            )
        elif step == "province":
            ctx.reply(t("Which province or city? Type part of its name."))
        elif step == "commune":
            ctx.reply(
                t("Which commune or ward? Type part of its name, or /boqua for the whole province.")
            )
        elif step == "text":
            ctx.reply(t("Type the announcement (at most 3,000 characters)."))
        elif step == "confirm":
            count, unreachable = ctx.data["count"], ctx.data.get("unreachable", 0)
            going = (
                t(
                    "It will go to {count} people, {unreachable} of whom no messenger can "
                    "reach now. Send it?",
                    count=count,
                    unreachable=unreachable,
                )
                if unreachable
                else t("It will go to {count} people. Send it?", count=count)
            )
            ctx.reply(
                t("Preview:") + "\n\n" + ctx.data["text"] + "\n\n" + going,
                buttons=[
                    [
                        Button(label=t("Send"), payload="send"),
                        Button(label=t("Cancel"), payload="cancel"),
                    ]
                ],
            )

    async def handle(self, ctx: Context) -> None:
        assert ctx.state is not None
        step, data, payload = ctx.state.step, ctx.data, ctx.inbound.payload
        if step == "audience":
            if payload in ROLES:
                data["role"] = payload
                if ctx.user.role == Role.PROVINCE_ADMIN:
                    data["province_code"] = ctx.user.province_code
                ctx.goto("text")
            elif payload == "place":
                data["role"] = "everyone"
                go_to_place(ctx)
            await self.prompt(ctx)
        elif step in ("province", "commune"):
            commune = await province_then_commune(ctx)
            if commune is not None:
                data["commune_code"] = commune.code
                ctx.goto("text")
                await self.prompt(ctx)
        elif step == "text":
            reading = read_text(ctx.inbound.text or "", min_length=2, max_length=3000)
            if isinstance(reading, Rejected):
                ctx.reply(ctx.t(reading.message, **reading.params))
                return
            data["text"] = reading.value
            # Those no messenger can reach now are written to as well (their message is
            # kept as unreachable and counted in the report): the preview says how many.
            audience = await ctx.stores.broadcasts.audience(self._audience(ctx))
            data["count"], data["unreachable"] = audience.people, audience.unreachable
            if data["count"] == 0:
                ctx.finish()
                ctx.reply(ctx.t("Nobody in that audience can be reached; nothing was sent."))
                return
            ctx.goto("confirm")
            await self.prompt(ctx)
        elif step == "confirm":
            if payload == "send":
                await self._send(ctx)
            elif payload == "cancel":
                ctx.finish()
                ctx.reply(ctx.t("Cancelled."))
            else:
                await self.prompt(ctx)

    async def skip(self, ctx: Context) -> None:
        """/boqua at the commune question: the whole province."""
        assert ctx.state is not None
        if ctx.state.step != "commune":
            ctx.reply(ctx.t("There is no question to skip here."))
            return
        ctx.goto("text")
        await self.prompt(ctx)

    @staticmethod
    def _audience(ctx: Context) -> AudienceFilter:
        """The audience chosen so far."""
        data = ctx.data
        return AudienceFilter(
            scope=scope(ctx),
            role=ROLES.get(data["role"]),
            province_code=data.get("province_code"),
            commune_code=data.get("commune_code"),
            exclude=ctx.user.id,
        )

    async def _send(self, ctx: Context) -> None:
        data = ctx.data
        people = await ctx.stores.broadcasts.recipients(self._audience(ctx))
        record = await ctx.stores.broadcasts.create(
            author_id=ctx.user.id,
            text=data["text"],
            audience=data["role"],
            province_code=data.get("province_code"),
            commune_code=data.get("commune_code"),
            recipients=len(people),
        )
        text = data["text"]

        def compose(tr: Translator) -> Outbound:
            return Outbound(text=tr.t("Announcement:") + "\n" + text)

        for person in people:
            ctx.notify(person, compose, dedupe_key=f"broadcast:{record.id}:{person.id}")
        ctx.stores.audit.record(
            ctx.user.id, "broadcast", broadcast=record.id, recipients=len(people)
        )
        ctx.finish()
        ctx.reply(
            ctx.t(
                "Sending to {count} people. You will get a report when it is done.",
                count=len(people),
            )
        )


BROADCAST = BroadcastFlow()
flow(BROADCAST)

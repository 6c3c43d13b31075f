"""``/xuat``: an admin chooses the report, the period and the area; the bot sends an .xlsx
file (built after the message is committed, see ``bot/export_job.py``)."""

from __future__ import annotations

from datetime import timedelta

from bot.messages import Button
from forms.periods import PeriodKind, current_period, parse_period, period_of
from forms.registry import FORMS
from handlers.access import ADMIN_GUARD, start_admin_flow
from handlers.context import Context
from handlers.places import read_place
from handlers.registry import command, flow
from storage.models import Province, Role

NAME = "export"


@command("xuat", "export")
async def start_export(ctx: Context, _argument: str) -> None:
    await start_admin_flow(ctx, "export", NAME, "report")


class ExportFlow:
    name = NAME
    guard = ADMIN_GUARD

    async def prompt(self, ctx: Context) -> None:
        assert ctx.state is not None
        step, t, lang = ctx.state.step, ctx.t, ctx.user.language
        if step == "report":
            ctx.reply(
                t("Export which report?"),
                buttons=[
                    [Button(label=form.title(lang), payload=f"r:{form.id}")]
                    for form in FORMS.values()
                ],
            )
        elif step == "period":
            form = FORMS[ctx.data["report"]]
            today = ctx.now.astimezone(ctx.config.zone).date()
            this = current_period(form.period, today)
            previous = period_of(form.period, this.start - timedelta(days=1))
            ctx.reply(
                t("Which period? Press one, or type it like 2024-Q2, 2024-06 or 2024."),
                buttons=[
                    [
                        Button(label=this.label(lang), payload=f"p:{this.key}"),
                        Button(label=previous.label(lang), payload=f"p:{previous.key}"),
                    ]
                ],
            )
        elif step == "area":
            whole = (
                t("The whole province")
                if ctx.user.role == Role.PROVINCE_ADMIN
                else t("The whole country")
            )
            buttons = [[Button(label=whole, payload="a:all")]]
            if ctx.user.role == Role.NATIONAL_ADMIN:
                buttons.append([Button(label=t("One province…"), payload="a:province")])
            ctx.reply(t("Which area?"), buttons=buttons)
        elif step == "province":
            ctx.reply(t("Which province or city? Type part of its name."))

    async def handle(self, ctx: Context) -> None:
        assert ctx.state is not None
        step, data = ctx.state.step, ctx.data
        payload = ctx.inbound.payload or ""
        if step == "report":
            if payload.startswith("r:") and payload[2:] in FORMS:
                data["report"] = payload[2:]
                form = FORMS[data["report"]]
                ctx.goto("area" if form.period is PeriodKind.NONE else "period")
            await self.prompt(ctx)
        elif step == "period":
            key = payload[2:] if payload.startswith("p:") else (ctx.inbound.text or "").strip()
            period = parse_period(key)
            if period is None:
                ctx.reply(
                    ctx.t(
                        "“{text}” is not a period. Write it like 2024-Q2, 2024-06 or 2024.",
                        text=key[:20],
                    )
                )
                return
            data["period"] = period.key
            ctx.goto("area")
            await self.prompt(ctx)
        elif step == "area":
            if payload == "a:all":
                await self._go(ctx)
            elif payload == "a:province":
                ctx.goto("province")
                await self.prompt(ctx)
            else:
                await self.prompt(ctx)
        elif step == "province":
            place = await read_place(ctx, prefix="p", province_code=None)
            if isinstance(place, Province):
                data["province_code"] = place.code
                await self._go(ctx)

    async def _go(self, ctx: Context) -> None:
        data = dict(ctx.data)
        ctx.finish()
        ctx.stores.audit.record(
            ctx.user.id,
            "export",
            report=data.get("report"),
            period=data.get("period"),
            province=data.get("province_code"),
        )
        ctx.later(
            "export",
            report=data.get("report"),
            period=data.get("period"),
            province_code=data.get("province_code"),
        )
        ctx.reply(ctx.t("Preparing the file; it will come in a moment."))


EXPORT = ExportFlow()
flow(EXPORT)

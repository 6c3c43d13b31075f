"""The steps of the OCOP cycle that need an answer before they are written: the reason an
idea is not selected or what information it lacks, the council's evaluation (score, round;
the stars follow from the score and are shown to be confirmed), and the certificate (number
and date; the expiry is the date + the validity of the calendar, 36 months).

A conversation, guarded like every officer's or admin's (handlers/rights.py): it goes on
only while the person still may move ideas, and the step is written by
:func:`handlers.product_steps.take_step`, which reads the product in their area again.
"""

from __future__ import annotations

import re
from datetime import date

from bot.messages import Button
from bot.text import fold
from forms.readers import NeedsConfirmation, Rejected, read_date, read_integer, read_text
from handlers.context import Context
from handlers.product_steps import CYCLE_GUARD, take_step
from handlers.product_texts import certificate_text, round_text, stars_text
from handlers.registry import flow
from scheduler.calendar import current_calendar
from storage.models import ProductStatus
from storage.products import Certificate, Evaluation
from storage.products_cycle import MAX_SCORE, MIN_SCORE, ROUNDS, score_band, stars_for

NAME = "product_cycle"
S = ProductStatus
FIRST_YEAR = 2018  # the OCOP programme's first councils (Decision 490/QĐ-TTg, May 2018)
_DIGITS = re.compile(r"[0-9]+")  # ASCII: "²" is a \d that int() refuses


def first_step(to: str) -> str:
    if to == S.EVALUATED:
        return "score"
    if to == S.CERTIFIED:
        return "number"
    return "reason"


def _today(ctx: Context) -> date:
    return ctx.now.astimezone(ctx.config.zone).date()


class ProductCycleFlow:
    name = NAME
    guard = CYCLE_GUARD

    async def prompt(self, ctx: Context) -> None:
        assert ctx.state is not None
        step, data, t = ctx.state.step, ctx.data, ctx.t
        product = data.get("name", "?")
        if step == "reason" and data["to"] == S.NOT_SELECTED:
            ctx.reply(
                t(
                    "Why is “{product}” not selected? Please type the reason; the producer "
                    "will read it (or /huy).",
                    product=product,
                )
            )
        elif step == "reason":
            ctx.reply(
                t(
                    "What information is needed for “{product}”? Please type it; the producer "
                    "will read it (or /huy).",
                    product=product,
                )
            )
        elif step == "score":
            ctx.reply(
                t(
                    "Please type the total score the council gave “{product}”, from 0 to "
                    "100 (3 stars from 50 points, 4 stars from 70, 5 stars from 90).",
                    product=product,
                )
            )
        elif step == "round":
            year = _today(ctx).year
            ctx.reply(
                t(
                    "Which evaluation round was it? Press one, or type the round and the year "
                    "(for example 2/{year}).",
                    year=year - 1,
                ),
                buttons=[
                    [
                        Button(
                            label=_capital(round_text(ctx.tr, n, year)), payload=f"round:{n}:{year}"
                        )
                        for n in ROUNDS[:2]
                    ]
                ],
            )
        elif step == "confirm_eval":
            self._confirm_evaluation(ctx)
        elif step == "number":
            ctx.reply(
                t(
                    "Please type the number of the OCOP certificate of “{product}”, as written "
                    "on it (for example 1234/QĐ-UBND).",
                    product=product,
                )
            )
        elif step == "granted":
            ctx.reply(t("On what date was the certificate granted? (for example 20/6/2024)"))
        elif step == "confirm_cert":
            self._confirm_certificate(ctx)

    def _confirm_evaluation(self, ctx: Context) -> None:
        data, t = ctx.data, ctx.t
        score, stars = data["score"], stars_for(data["score"])
        if stars:
            low, high = score_band(stars)
            ranking = t(
                "{stars} ({low}–{high} points)",
                stars=stars_text(ctx.tr, stars),
                low=low,
                high=high,
            )
        else:
            ranking = stars_text(ctx.tr, None)
        ctx.reply(
            t(
                "“{product}”: {score}/100 points, {ranking}, {round}. Save this result?",
                product=data.get("name", "?"),
                score=ctx.tr.number(score),
                ranking=ranking,
                round=round_text(ctx.tr, data["round"], data["year"]),
            ),
            buttons=[_save_or_again(ctx)],
        )

    def _confirm_certificate(self, ctx: Context) -> None:
        data = ctx.data
        granted = date.fromisoformat(data["granted"])
        rule = current_calendar().certificates
        ctx.reply(
            ctx.t(
                "“{product}”: {certificate} ({months} months). Save this certificate?",
                product=data.get("name", "?"),
                certificate=certificate_text(ctx.tr, data["number"], granted, rule.expiry(granted)),
                months=rule.validity_months,
            ),
            buttons=[_save_or_again(ctx)],
        )

    async def handle(self, ctx: Context) -> None:
        assert ctx.state is not None
        step, data = ctx.state.step, ctx.data
        text, payload = ctx.inbound.text or "", ctx.inbound.payload
        if step == "reason":
            reading = read_text(
                text,
                min_length=3,
                max_length=1000,
                example=ctx.t("The raw material supply is not steady yet"),
            )
            if isinstance(reading, Rejected):
                ctx.reply(ctx.t(reading.message, **reading.params))
                return
            ctx.finish()
            await take_step(ctx, data["product"], data["to"], reason=reading.value)
        elif step == "score":
            number = read_integer(text, min_value=MIN_SCORE, max_value=MAX_SCORE)
            if isinstance(number, Rejected):
                ctx.reply(ctx.t(number.message, **number.params))
                return
            if isinstance(number, NeedsConfirmation):
                await self.prompt(ctx)
                return
            data["score"] = number.value
            ctx.goto("round")
            await self.prompt(ctx)
        elif step == "round":
            chosen = _round(payload, text, _today(ctx))
            if chosen is None:
                ctx.reply(
                    ctx.t(
                        "Please press a round, or type the round and the year, for example "
                        "2/{year}.",
                        year=_today(ctx).year - 1,
                    )
                )
                await self.prompt(ctx)
                return
            data["round"], data["year"] = chosen
            ctx.goto("confirm_eval")
            await self.prompt(ctx)
        elif step == "number":
            reading = read_text(text, min_length=1, max_length=60, example="1234/QĐ-UBND")
            if isinstance(reading, Rejected):
                ctx.reply(ctx.t(reading.message, **reading.params))
                return
            data["number"] = reading.value
            ctx.goto("granted")
            await self.prompt(ctx)
        elif step == "granted":
            today = _today(ctx)
            day = read_date(text, today=today, min_date=date(FIRST_YEAR, 1, 1), max_date=today)
            if isinstance(day, Rejected):
                ctx.reply(ctx.t(day.message, **day.params))
                return
            data["granted"] = day.value.isoformat()
            ctx.goto("confirm_cert")
            await self.prompt(ctx)
        elif step in ("confirm_eval", "confirm_cert"):
            await self._confirmed(ctx, step, payload)

    async def _confirmed(self, ctx: Context, step: str, payload: str | None) -> None:
        data = ctx.data
        if payload == "again":
            ctx.goto("score" if step == "confirm_eval" else "number")
            await self.prompt(ctx)
            return
        if payload != "save":
            await self.prompt(ctx)
            return
        ctx.finish()
        if step == "confirm_eval":
            evaluation = Evaluation(score=data["score"], round=data["round"], year=data["year"])
            await take_step(ctx, data["product"], S.EVALUATED, evaluation=evaluation)
            return
        granted = date.fromisoformat(data["granted"])
        certificate = Certificate(
            number=data["number"],
            granted=granted,
            expires=current_calendar().certificates.expiry(granted),
        )
        await take_step(ctx, data["product"], S.CERTIFIED, certificate=certificate)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _save_or_again(ctx: Context) -> list[Button]:
    return [
        Button(label=ctx.t("Save"), payload="save"),
        Button(label=ctx.t("Type it again"), payload="again"),
    ]


def _round(payload: str | None, text: str, today: date) -> tuple[int, int] | None:
    """A round pressed (``round:1:2024``) or typed: ``2``, ``2/2023``, ``đợt 1 năm 2024``."""
    if payload and payload.startswith("round:"):
        parts = payload.split(":")[1:]
        if len(parts) != 2 or not all(p.isascii() and p.isdigit() and len(p) <= 4 for p in parts):
            return None
        numbers = [int(p) for p in parts]
    else:
        numbers = [int(n) for n in _DIGITS.findall(fold(text))[:2] if len(n) <= 4]
    if not numbers or numbers[0] not in ROUNDS:
        return None
    year = numbers[1] if len(numbers) > 1 else today.year
    if year < 100:  # "2/24"
        year += 2000
    if not FIRST_YEAR <= year <= today.year:
        return None
    return numbers[0], year


PRODUCT_CYCLE = ProductCycleFlow()
flow(PRODUCT_CYCLE)

"""``/lich dot``: one-off deadlines (an evaluation round) and cancelling them.

A national admin's campaign is for the whole country, a province admin's for their
province; a province admin cancels only their province's. The reminder days are fixed, as
the reply says.
"""

from __future__ import annotations

from datetime import date

from bot.text import fold
from forms.readers import Ok, read_date
from handlers.calendar_admin.rows import rows_of
from handlers.calendar_admin.words import COMMUNE_WORDS, DELETE, PRODUCER_WORDS
from handlers.context import Context
from scheduler.rules import COMMUNE_OFFICERS, PRODUCERS
from storage.models import Role

CAMPAIGN_REMINDERS = (7, 3, 1, 0)  # as the texts below say


async def change_campaign(ctx: Context, words: list[str]) -> None:
    """``xoa KEY`` cancels; otherwise a date, an optional audience word and the title."""
    rows = rows_of(ctx)
    national = ctx.user.role == Role.NATIONAL_ADMIN
    if not national and ctx.user.province_code is None:
        # A province admin with no province: "their province" would be none, which the
        # campaign rows read as the whole country.
        ctx.reply(ctx.t("Only admins can do this."))
        return
    if words and fold(words[0]) in DELETE:
        key = words[1].strip().lower() if len(words) == 2 else ""
        cancelled = await rows.cancel_campaign(
            key, province_code=None if national else ctx.user.province_code
        )
        if cancelled is None:
            ctx.reply(ctx.t("There is no campaign “{key}” that you can cancel.", key=key))
            return
        ctx.stores.audit.record(ctx.user.id, "campaign_cancelled", key=key)
        ctx.reply(ctx.t("Cancelled: “{title}”.", title=cancelled.title_vi))
        return
    if len(words) < 2:
        ctx.reply(
            ctx.t(
                "Please write the date and the name, for example: /lich dot 15/05/2025 "
                "Đánh giá sản phẩm OCOP đợt 1"
            )
        )
        return
    today = ctx.now.astimezone(ctx.config.zone).date()
    reading = read_date(words[0], today=today, min_date=today)
    if not isinstance(reading, Ok):
        ctx.reply(ctx.t(reading.message, **reading.params))
        return
    audience = COMMUNE_OFFICERS
    title_words = words[1:]
    if fold(title_words[0]) in PRODUCER_WORDS | COMMUNE_WORDS and len(title_words) > 1:
        if fold(title_words[0]) in PRODUCER_WORDS:
            audience = PRODUCERS
        title_words = title_words[1:]
    title = " ".join(title_words)[:200]
    deadline: date = reading.value
    campaign = await rows.add_campaign(
        created_by=ctx.user.id,
        now=ctx.now,
        title_vi=title,
        title_en=None,
        deadline=deadline,
        opens=today,
        audience=audience,
        province_code=None if national else ctx.user.province_code,
        form_id=None,
        remind_before=list(CAMPAIGN_REMINDERS),
    )
    ctx.stores.audit.record(ctx.user.id, "campaign_added", key=campaign.key, deadline=str(deadline))
    ctx.reply(
        ctx.t(
            "Added “{title}”, deadline {date}; reminders go out 7, 3 and 1 days before and on "
            "the day. To cancel it: /lich dot xoa {key}",
            title=title,
            date=ctx.tr.date(deadline),
            key=campaign.key,
        )
    )

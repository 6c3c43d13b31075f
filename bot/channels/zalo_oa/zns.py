"""ZNS (Zalo Notification Service): reminders to OA users outside the window, as paid,
pre-approved templates sent to their phone number (scheduler/routing.py writes the rows).

A ``zalo_zns`` outbox row's address is the phone number (84xxxxxxxxx) and its text the
template and its data as JSON (a ZNS message is a template filled in, never free text).
Before each send one of the day's places is taken (``OCOP_ZALO_ZNS_DAILY_CAP``, one
conditional UPDATE: storage/zalo_oa.py) and given back if Zalo refuses; a reminder over the
cap fails, and is counted. A call that got no answer is not made again: Zalo may have sent
it, and would charge twice. What was spent is in the next day's admin digest and in
``ocop-bot zalo-oa spend``.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import Capabilities, PermanentFailure, RetryLater
from bot.channels.zalo_oa.api import OaApi, OaError, Unanswered
from bot.channels.zalo_oa.channel import delivery_error
from bot.channels.zalo_oa.tokens import NoToken, TokenKeeper
from bot.messages import Outbound
from storage.models import utcnow
from storage.zalo_oa import ZnsSpendRows

log = logging.getLogger(__name__)

CHANNEL = "zalo_zns"


class ZnsChannel:
    name = CHANNEL
    capabilities = Capabilities(buttons=False, request_contact=False, documents=False)

    def __init__(
        self,
        api: OaApi,
        tokens: TokenKeeper,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        zone: ZoneInfo,
        daily_cap: int,
        unit_cost: int,
    ) -> None:
        self.api = api
        self.tokens = tokens
        self.session_factory = session_factory
        self.zone = zone
        self.daily_cap = daily_cap
        self.unit_cost = unit_cost

    def today(self) -> date:
        return utcnow().astimezone(self.zone).date()

    async def send(self, address: str, message: Outbound) -> None:
        try:
            body = json.loads(message.text)
            template_id = str(body["template_id"])
            data = {str(k): str(v) for k, v in dict(body["template_data"]).items()}
            key = str(body.get("key") or "")
        except (ValueError, KeyError, TypeError):
            raise PermanentFailure("not a ZNS row (template JSON expected)") from None
        day = self.today()
        async with self.session_factory() as session, session.begin():
            taken = await ZnsSpendRows(session).take(day, self.daily_cap, self.unit_cost)
        if not taken:
            log.warning("ZNS daily cap (%s) reached: a reminder was not sent", self.daily_cap)
            raise PermanentFailure(f"daily ZNS cap reached ({self.daily_cap})")
        try:
            await self.tokens.using(
                lambda token: self.api.send_zns(
                    token, phone=address, template_id=template_id, data=data, tracking_id=key[:48]
                )
            )
        except Unanswered as exc:
            # Zalo may have sent it, and charged for it: the place stays taken and the
            # reminder is not sent again (twice would be paid twice). Counted as failed.
            log.warning("ZNS reminder may or may not have gone (not sent again): %s", exc)
            raise PermanentFailure(f"uncertain: {exc} (not sent again, may have gone)") from None
        except (OaError, NoToken) as exc:
            async with self.session_factory() as session, session.begin():
                await ZnsSpendRows(session).give_back(day, self.unit_cost)
            raise delivery_error(exc) from None
        except Exception:
            async with self.session_factory() as session, session.begin():
                await ZnsSpendRows(session).give_back(day, self.unit_cost)
            raise RetryLater("ZNS call failed") from None


async def spent(session_factory: async_sessionmaker[AsyncSession], day: date) -> tuple[int, int]:
    async with session_factory() as session:
        return await ZnsSpendRows(session).spent(day)


class ZnsService:
    """Sends the ``zalo_zns`` rows; receives nothing (its start-up is the OA's)."""

    name = CHANNEL
    receives = "none"
    sender_address: str | None = None

    def __init__(self, channel: ZnsChannel) -> None:
        self.channel = channel

    async def start(self, http: object) -> None:
        return None

    def describe(self) -> str:
        return (
            f"Zalo ZNS reminders are on (at most {self.channel.daily_cap} a day, "
            f"{self.channel.unit_cost} đồng each)."
        )

    async def serve(self, stop: asyncio.Event, deliver_now: Callable[[], Awaitable[None]]) -> None:
        await stop.wait()

    async def close(self) -> None:
        return None

"""Reminders to Zalo Official Account users outside the window (issue 17).

An OA may write freely to a user only for a while after the user's last message
(``OCOP_ZALO_OA_WINDOW_HOURS``, 48 by default; the user's last message is their identity's
``last_seen_at``). A reminder planned for such a user (or for one who unfollowed the OA, whose OA identity
storage/calendar/queries.py keeps for this) is never sent blindly. In order, as the province
that pays for ZNS to keep its people on its Zalo page asked:

1. ZNS, when ``OCOP_ZALO_ZNS_TEMPLATES`` has a template for the reminder's kind (or ``*``)
   and the user gave a phone number at onboarding: the row goes to the ``zalo_zns`` channel
   (bot/channels/zalo_oa/zns.py; its text is the template's data as JSON) with the same
   dedupe key, so it is sent once; the daily cap is checked when it is sent;
2. else the user's other messenger (an identity linked with ``/lienket``) that still
   reaches them (the choice is storage/reach.py's, shared with the notices handlers send);
3. otherwise the reminder is *unreachable*: written with its key as a failed row
   (:data:`UNREACHABLE`), so it is counted (the admin digest, the dashboard's failures)
   and not planned again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.messages import Outbound
from scheduler.planner import Planned
from storage.models import Identity, User, utcnow
from storage.reach import MARGIN, OA, choose

ZNS = "zalo_zns"
UNREACHABLE = "unreachable: outside the Zalo OA window, no ZNS template, no other messenger"
#: Reminders never go to these in place of the OA (the console is a developer's, the web
#: dashboard's messages are seen only when someone opens it).
NOT_INSTEAD = ("console", "web")
#: What a template field may be filled with (attributes of the planned reminder).
SOURCES = ("subject", "period", "name", "kind", "commune", "province")
TEMPLATE_ID = re.compile(r"[0-9A-Za-z_-]{1,40}")


@dataclass(frozen=True)
class ZnsTemplate:
    template_id: str
    data: dict[str, str]  # template field -> one of SOURCES


def parse_templates(text: str | None) -> dict[str, ZnsTemplate]:
    """``{"after-3": {"template_id": "231", "data": {"report": "subject"}}}``; ValueError
    with what is wrong."""
    if not text:
        return {}
    try:
        raw = json.loads(text)
    except ValueError:
        raise ValueError("not JSON: see docs/zalo_oa.md for the form") from None
    if not isinstance(raw, dict):
        raise ValueError("a JSON object of reminder kind -> template")
    templates: dict[str, ZnsTemplate] = {}
    for kind, item in raw.items():
        template_id = item.get("template_id") if isinstance(item, dict) else None
        if not isinstance(template_id, str | int) or not TEMPLATE_ID.fullmatch(str(template_id)):
            raise ValueError(f"{kind}: needs a template_id")
        assert isinstance(item, dict)
        data = item.get("data") or {}
        if not isinstance(data, dict) or any(v not in SOURCES for v in data.values()):
            raise ValueError(f"{kind}: data values must be among {', '.join(SOURCES)}")
        templates[str(kind)] = ZnsTemplate(str(template_id), {str(k): v for k, v in data.items()})
    return templates


def zns_phone(phone: str | None) -> str | None:
    """A Vietnamese number as ZNS wants it (84xxxxxxxxx), or None."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("0"):
        digits = "84" + digits[1:]
    return digits if digits.startswith("84") and 10 <= len(digits) <= 12 else None


def zns_message(planned: Planned, template: ZnsTemplate) -> Outbound:
    values = {
        "subject": planned.subject,
        "period": planned.period,
        "name": planned.person.name,
        "kind": planned.kind,
        "commune": planned.person.commune_name,
        "province": planned.person.province_name,
    }
    data = {field: values[source][:100] for field, source in template.data.items()}
    body = {"template_id": template.template_id, "template_data": data, "key": planned.dedupe_key}
    return Outbound(text=json.dumps(body, ensure_ascii=False), language=planned.person.language)


@dataclass(frozen=True)
class OaRouting:
    window: timedelta
    templates: dict[str, ZnsTemplate]


@dataclass(frozen=True)
class _Row:
    """One identity as the decision reads it (storage/reach.py)."""

    channel: str
    external_id: str
    last_seen_at: datetime
    reachable: bool = True


@dataclass(frozen=True)
class _Reach:
    identities: list[_Row]  # reachable ones, most recent first
    phone: str | None


class ReminderRouter:
    """Reroutes planned reminders of OA users whose window is closed (module docstring);
    which messenger can carry one is storage/reach.py's decision, shared with notices."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        routing: OaRouting,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.session_factory = session_factory
        self.routing = routing
        self.clock = clock

    async def route(self, planned: Sequence[Planned]) -> tuple[list[Planned], list[Planned]]:
        """(what to write, what is unreachable)."""
        users = {p.person.user_id for p in planned if p.person.channel == OA}
        if not users:
            return list(planned), []
        reach = await self._reach(users)
        now = self.clock()
        routed: list[Planned] = []
        unreachable: list[Planned] = []
        for item in planned:
            info = reach.get(item.person.user_id)
            if item.person.channel != OA or info is None:
                routed.append(item)
                continue
            chosen = choose(
                info.identities, now, self.routing.window, not_instead=NOT_INSTEAD, margin=MARGIN
            )
            template = self.routing.templates.get(item.kind) or self.routing.templates.get("*")
            phone = zns_phone(info.phone)
            if chosen is not None and (chosen.channel, chosen.external_id) == (
                OA,
                item.person.address,
            ):
                routed.append(item)  # the window is open: the OA itself
            elif template is not None and phone is not None:
                routed.append(
                    replace(
                        item,
                        person=replace(item.person, channel=ZNS, address=phone),
                        message=zns_message(item, template),
                    )
                )
            elif chosen is not None:
                person = replace(item.person, channel=chosen.channel, address=chosen.external_id)
                routed.append(replace(item, person=person))
            else:
                unreachable.append(item)
        return routed, unreachable

    async def _reach(self, users: set[int]) -> dict[int, _Reach]:
        async with self.session_factory() as session:
            rows = (
                await session.execute(
                    select(
                        Identity.user_id,
                        Identity.channel,
                        Identity.external_id,
                        Identity.last_seen_at,
                    )
                    .where(Identity.user_id.in_(sorted(users)), Identity.reachable.is_(True))
                    .order_by(Identity.user_id, Identity.last_seen_at.desc(), Identity.id.desc())
                )
            ).all()
            phones = dict(
                (
                    await session.execute(
                        select(User.id, User.phone).where(User.id.in_(sorted(users)))
                    )
                ).all()
            )
        identities: dict[int, list[_Row]] = {}
        for user_id, channel, address, last_seen in rows:
            identities.setdefault(user_id, []).append(_Row(channel, address, last_seen))
        return {user: _Reach(identities.get(user, []), phones.get(user)) for user in users}

"""A reminder's button on a messenger without buttons: the reminder is the officer's latest
notice, so typing its number opens the report (issue 14, text-only parity)."""

from __future__ import annotations

import uuid
from datetime import date

from bot.messages import Inbound, InboundKind
from bot.render import numbered_text
from storage.models import Role
from tests.scheduler.conftest import World, at
from tests.transcript import TEXT_ONLY, RecordingChannel


async def test_typing_the_number_of_a_reminder_opens_the_report(world: World) -> None:
    await world.person("an", Role.OFFICER)
    channel = RecordingChannel()
    channel.capabilities = TEXT_ONLY
    sender = world.app.sender({"console": channel})
    world.clock.now = at(date(2024, 6, 12))
    world.app.pipeline.clock = world.clock
    assert (await world.job().run(world.clock.now)).written == 1
    await sender.drain()
    [reminder] = channel.inbox.pop("an")
    assert numbered_text(reminder).endswith("1. Làm báo cáo\nTrả lời 1.")

    await world.app.pipeline.process(
        Inbound(
            channel="console",
            user_id="an",
            message_id=uuid.uuid4().hex,
            kind=InboundKind.TEXT,
            text="1",
        )
    )
    await sender.drain()
    opened = [m.text for m in channel.inbox.pop("an")]
    assert any("quý 2/2024: 15 câu hỏi" in text for text in opened), opened

"""Zalo by webhook, end to end: the fake Zalo Bot API POSTs to the route the bot mounted on
its one HTTP server (on 127.0.0.1), in both body shapes, with the secret header."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.app import App
from bot.settings import SettingsError, load_settings
from tests.bot.channels.test_telegram_helpers import bounded
from tests.bot.channels.test_zalo_helpers import SECRET, make_app, running, settled, stored
from tests.fakes.zalo_api import TOKEN, FakeZaloServer


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZaloServer]:
    async with FakeZaloServer() as fake:
        yield fake


@pytest.fixture
async def app(database_url: str, zalo: FakeZaloServer) -> AsyncIterator[App]:
    app = await make_app(database_url, zalo, zalo_mode="webhook")
    yield app
    await app.close()


@bounded(30)
async def test_both_body_shapes_are_answered(app: App, zalo: FakeZaloServer) -> None:
    lan, minh = zalo.user("1a2b", "Lan"), zalo.user("3c4d", "Minh")
    async with running(app, zalo) as service:
        url = f"{app.settings.public_url}/zalo/webhook"
        assert zalo.webhook == (url, SECRET)
        assert service.describe() == (
            f"Zalo bot Bot OCOP Thử nghiệm is running (webhook {url}, "
            f"listening on 127.0.0.1:{app.settings.webhook_port}/zalo/webhook)."
        )
        zalo.webhook_shape = "wrapped"  # as documented
        lan.says("/start")
        await lan.expect("Chào mừng", "ngôn ngữ")
        zalo.webhook_shape = "bare"  # as seen in practice
        minh.says("/start")
        await minh.expect("Chào mừng", "ngôn ngữ")
        minh.says("2")
        await minh.expect("In which role are you joining?")
        await settled(app, zalo)
    assert [status for _, status in zalo.deliveries] == [200, 200, 200]
    assert not zalo.calls_of("getUpdates")


@bounded(30)
async def test_a_forged_request_is_refused_and_nothing_stored(
    app: App, zalo: FakeZaloServer
) -> None:
    intruder = zalo.user("bad", "Kẻ giả mạo")
    async with running(app, zalo):
        update = zalo.update("message.text.received", intruder.id, intruder.name, text="/start")
        assert await zalo.deliver(update, secret="not-the-secret") == 401
        assert await zalo.deliver(update, secret=None) == 401
        assert await zalo.deliver(update, secret=SECRET + "x") == 401
        await settled(app, zalo)
    assert await stored(app) == {"users": 0, "seen": 0, "outbox": 0}
    assert zalo.sent == []


@bounded(30)
async def test_repeats_malformed_and_unknown_bodies(app: App, zalo: FakeZaloServer) -> None:
    an = zalo.user("a9", "An")
    async with running(app, zalo):
        update = an.says("/start")
        await an.expect("Chào mừng", "ngôn ngữ")
        assert await zalo.deliver(update, shape="bare") == 200  # the same message_id again
        assert await zalo.deliver({"event_name": "message.text.received"}) == 400
        assert await zalo.deliver({"something": "else"}) == 400
        assert await zalo.deliver({"event_name": "message.reaction.received"}) == 200
        async with aiohttp.ClientSession() as session:
            answer = await session.post(
                zalo.webhook[0] if zalo.webhook else "",
                data=b"not json",
                headers={"X-Bot-Api-Secret-Token": SECRET},
            )
            assert answer.status == 400
        await settled(app, zalo)
    assert len(an.messages()) == 2
    assert (await stored(app))["seen"] == 1


@pytest.mark.parametrize(
    ("overrides", "setting"),
    [
        ({"zalo_mode": "webhook", "public_url": "https://ocop.example.vn"}, "ZALO_WEBHOOK_SECRET"),
        ({"zalo_mode": "webhook", "zalo_webhook_secret": "s" * 8}, "OCOP_PUBLIC_URL"),
        ({"zalo_webhook_secret": "short"}, "OCOP_ZALO_WEBHOOK_SECRET"),
        ({"public_url": "http://ocop.example.vn"}, "OCOP_PUBLIC_URL"),
        ({"zalo_bot_token": "has space"}, "OCOP_ZALO_BOT_TOKEN"),
    ],
)
def test_webhook_settings_are_checked(overrides: dict[str, object], setting: str) -> None:
    values: dict[str, object] = {"zalo_bot_token": TOKEN, **overrides}
    with pytest.raises(SettingsError, match=setting) as caught:
        load_settings(_env_file=None, **values)
    assert "\n" not in str(caught.value)


def test_a_good_webhook_configuration() -> None:
    settings = load_settings(
        _env_file=None,
        zalo_bot_token=TOKEN,
        zalo_mode="webhook",
        zalo_webhook_secret="a" * 32,
        public_url="https://ocop.example.gov.vn/",
        admins="zalo:6ede9afa66b88fe6d6a9,telegram:1",
    )
    assert settings.public_url == "https://ocop.example.gov.vn"
    assert ("zalo", "6ede9afa66b88fe6d6a9") in settings.admin_identities()

"""The Zalo Official Account channel end to end over HTTP (issue 17): the fake OA of
tests/fakes/zalo_oa_api.py signs webhooks to the route the bot mounted, and the bot's own
client sends, uploads and refreshes against it; the real app on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot.app import App, StartupError
from bot.channels.zalo_oa.service import ZaloOaService
from bot.channels.zalo_oa.tokens import TokenKeeper
from bot.runtime import run_services
from storage.models import Identity, OutboxMessage, SeenMessage, StoredFile, User
from tests.bot.channels.test_telegram_helpers import bounded, free_port, wait_until
from tests.conftest import make_settings
from tests.fakes.zalo_oa_api import APP_ID, SECRET_KEY, FakeOaServer


@pytest.fixture
async def oa() -> AsyncIterator[FakeOaServer]:
    async with FakeOaServer() as fake:
        yield fake


async def make_app(database_url: str, oa: FakeOaServer, **overrides: object) -> App:
    port = free_port()
    values: dict[str, object] = {
        "zalo_oa_app_id": APP_ID,
        "zalo_oa_secret_key": SECRET_KEY,
        "zalo_oa_refresh_token": "refresh-0",
        "zalo_oa_api_base": oa.base_url,
        "zalo_oa_oauth_base": oa.base_url,
        "zalo_zns_base": oa.base_url,
        "zalo_rate_global": 50.0,
        "zalo_rate_per_chat": 20.0,
        "webhook_port": port,
        "public_url": f"http://127.0.0.1:{port}",
        "web_chat": "off",
        "dashboard": "off",
        **overrides,
    }
    app = App(make_settings(database_url, **values))
    await app.prepare()
    return app


@pytest.fixture
async def app(database_url: str, oa: FakeOaServer) -> AsyncIterator[App]:
    app = await make_app(database_url, oa)
    yield app
    await app.close()


@contextlib.asynccontextmanager
async def running(app: App, oa: FakeOaServer) -> AsyncIterator[ZaloOaService]:
    service = ZaloOaService(app)
    stop = asyncio.Event()
    task = asyncio.create_task(run_services(app, service.services(), stop=stop))  # type: ignore[arg-type]
    oa.webhook_url = f"{app.settings.public_url}/zalo-oa/webhook"

    async def listening() -> bool:
        return (service._http is not None and service._http.listening) or task.done()

    try:
        await wait_until(listening, 10, "the OA webhook listens")
        if task.done():
            task.result()
        yield service
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)


async def counts(app: App) -> dict[str, int]:
    async with app.session_factory() as session:
        return {
            name: int(await session.scalar(select(func.count()).select_from(model)) or 0)
            for name, model in (("users", User), ("seen", SeenMessage), ("outbox", OutboxMessage))
        }


def buttons(message: dict[str, object]) -> list[str]:
    attachment = message.get("attachment")
    if not isinstance(attachment, dict):
        return []
    return [b["title"] for b in attachment["payload"]["buttons"] if b["type"] == "oa.query.show"]


@bounded(40)
async def test_onboarding_with_buttons(app: App, oa: FakeOaServer) -> None:
    hoa = oa.user("8123456789012345678")
    async with running(app, oa):
        await hoa.says("/start")
        await hoa.expect("Chào mừng")
        welcome = await hoa.expect("ngôn ngữ")
        assert buttons(welcome) == ["Tiếng Việt", "English"]
        await hoa.says("Tiếng Việt")  # the tap sends the payload: the label
        roles = await hoa.expect("Anh/chị tham gia với vai trò nào?")
        assert len(buttons(roles)) >= 2
        await hoa.says(buttons(roles)[0])
        await hoa.expect("Anh/chị ở tỉnh/thành phố nào?")
    assert oa.refreshes == 1  # the seed was spent once at start, and the new pair stored


@bounded(40)
async def test_a_forged_signature_is_refused_and_nothing_stored(app: App, oa: FakeOaServer) -> None:
    async with running(app, oa):
        event = oa.event("user_send_text", "999", {"text": "/start"})
        assert await oa.deliver(event, signature=None) == 401
        assert await oa.deliver(event, signature="mac=" + "0" * 64) == 401
        forged = FakeOaServer(secret_key="not-the-secret")
        raw_sig = forged.sign(b"{}", str(event["timestamp"]))
        assert await oa.deliver(event, signature=raw_sig) == 401
        assert await oa.deliver(event) == 200
        assert await oa.deliver(event) == 200  # a repeat: dropped by msg_id
        await oa.user("999").expect("Chào mừng")
        await app.pipeline.idle()
    found = await counts(app)
    assert found["users"] == 1 and found["seen"] == 1


@bounded(60)
async def test_an_expired_token_is_refreshed_once_under_concurrency(
    app: App, oa: FakeOaServer
) -> None:
    users = [oa.user(f"70000000{i}") for i in range(6)]
    async with running(app, oa):
        await users[0].says("/start")
        await users[0].expect("Chào mừng")
        before = oa.refreshes
        oa.expire()
        await asyncio.gather(*(u.says("/start") for u in users[1:]))
        for user in users[1:]:
            await user.expect("Chào mừng")
    assert oa.refreshes == before + 1
    assert oa.refused_refreshes == 0


@bounded(60)
async def test_two_workers_refresh_exactly_once(database_url: str, oa: FakeOaServer) -> None:
    """Two processes' keepers (each its own engine) find the token refused at once."""
    first, second = await make_app(database_url, oa), await make_app(database_url, oa)
    try:
        keepers = [
            TokenKeeper(a.session_factory, ZaloOaService(a).api, seed="refresh-0")
            for a in (first, second)
        ]
        await keepers[0].prepare()
        token = await keepers[0].current()
        assert oa.refreshes == 1
        oa.expire()
        tokens = await asyncio.gather(*(k.refreshed(token) for k in keepers for _ in range(3)))
        assert len(set(tokens)) == 1 and tokens[0] == oa.access_token
        assert oa.refreshes == 2 and oa.refused_refreshes == 0
        for keeper in keepers:
            await keeper.api.close()
    finally:
        await first.close()
        await second.close()


@bounded(40)
async def test_a_user_who_unfollowed_is_marked_unreachable(app: App, oa: FakeOaServer) -> None:
    lan = oa.user("5550001")
    async with running(app, oa):
        await lan.says("/start")
        await lan.expect("Chào mừng")
        unfollow = oa.event("unfollow", lan.id)
        assert await oa.deliver(unfollow) == 200
        assert await oa.deliver(unfollow) == 200  # a repeat changes nothing

        async def unreachable() -> bool:
            async with app.session_factory() as session:
                identity = await session.scalar(
                    select(Identity).where(
                        Identity.channel == "zalo_oa", Identity.external_id == lan.id
                    )
                )
                return identity is not None and not identity.reachable

        await wait_until(unreachable, 10, "the identity marked unreachable")
        assert await oa.deliver(oa.event("follow", lan.id)) == 200
        await wait_until(lambda: _not(unreachable), 10, "reachable again")


async def _not(check) -> bool:  # type: ignore[no-untyped-def]
    return not await check()


@bounded(40)
async def test_a_photo_is_downloaded_at_once_and_kept(database_url: str, oa: FakeOaServer) -> None:
    app = await make_app(database_url, oa, allow_private_downloads=True)
    try:
        hoa = oa.user("6660001")
        async with running(app, oa):
            url = oa.add_photo(b"\xff\xd8\xff\xe0 a product photo")
            event = oa.event(
                "user_send_image",
                hoa.id,
                {"text": "", "attachments": [{"type": "image", "payload": {"url": url}}]},
            )
            assert await oa.deliver(event) == 200
            oa.photos.clear()  # Zalo's URL expires: a repeat must not need it
            assert await oa.deliver(event) == 200
            await app.pipeline.idle()
        async with app.session_factory() as session:
            kept = (await session.scalars(select(StoredFile))).all()
        assert [f.source for f in kept] == [f"zalo_oa:m{event['message']['msg_id']}"]
    finally:
        await app.close()


@bounded(40)
async def test_a_refused_refresh_token_stops_start_up_naming_the_setting(
    database_url: str, oa: FakeOaServer
) -> None:
    app = await make_app(database_url, oa, zalo_oa_refresh_token="not-the-one")
    try:
        with pytest.raises(StartupError, match="OCOP_ZALO_OA_REFRESH_TOKEN"):
            await run_services(app, [ZaloOaService(app)], stop=asyncio.Event())
    finally:
        await app.close()


@bounded(40)
async def test_a_restart_keeps_the_rotated_tokens(app: App, oa: FakeOaServer) -> None:
    """The seed in the settings is spent at the first start; a restart uses what is stored
    (refreshing with the seed again would be refused: it is single-use)."""
    async with running(app, oa):
        pass
    async with running(app, oa):
        await oa.user("123").says("/start")
        await oa.user("123").expect("Chào mừng")
    oa.expire()
    async with running(app, oa):
        await oa.user("456").says("/start")
        await oa.user("456").expect("Chào mừng")
    assert oa.refreshes == 2 and oa.refused_refreshes == 0

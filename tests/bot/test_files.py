"""Download links and guarded photo downloads, piece by piece: tokens (signed, expiring,
for one user), the secret every worker shares, a document's link that stays the same when
a delivery is retried, and the guards on downloading a URL someone sent (public addresses
only, size, type, redirects, time)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.files.fetch import DownloadFailed, ImageFetcher, is_public, sniff_image
from bot.files.links import FileLinks
from bot.files.signing import BadLink, Claim, ExpiredLink, LinkSigner
from bot.messages import Document
from bot.settings import SettingsError, load_settings
from storage.app_secrets import shared_secret
from storage.files import StoredFiles
from storage.users import Users
from tests.conftest import make_settings

JPEG = b"\xff\xd8\xff\xe0" + b"x" * 2000


def test_a_token_is_signed_for_one_file_one_user_and_a_time() -> None:
    signer = LinkSigner("a-secret-of-some-length")
    now = time.time()
    token = signer.token(Claim(7, 3, int(now) + 60))
    assert signer.verify(token, now=now) == Claim(7, 3, int(now) + 60)
    file_id, user_id, expires, signature = token.split(".")
    with pytest.raises(BadLink):
        signer.verify(f"{file_id}.4.{expires}.{signature}", now=now)  # another user
    with pytest.raises(BadLink):
        signer.verify(f"{file_id}.{user_id}.{int(expires) + 3600}.{signature}", now=now)
    with pytest.raises(BadLink):
        LinkSigner("another-secret-entirely").verify(token, now=now)
    with pytest.raises(BadLink):
        signer.verify("../../etc/passwd", now=now)
    with pytest.raises(ExpiredLink):
        signer.verify(token, now=now + 61)


def test_settings_for_links() -> None:
    settings = make_settings("sqlite+aiosqlite:///x.db")
    assert (settings.link_secret, settings.link_ttl_hours) == (None, 24)
    assert settings.allow_private_downloads is False
    with pytest.raises(SettingsError, match="OCOP_LINK_SECRET"):
        load_settings(_env_file=None, link_secret="short")
    with pytest.raises(SettingsError, match="OCOP_LINK_TTL_HOURS"):
        load_settings(_env_file=None, link_ttl_hours=0)


async def test_workers_share_one_secret_and_a_retried_document_keeps_its_link(
    database_url: str,
) -> None:
    app = App(make_settings(database_url, public_url="https://ocop.example.gov.vn/bot"))
    await app.prepare()
    try:
        async with app.session_factory() as session, session.begin():
            first = await shared_secret(session, "link_secret")
        async with app.session_factory() as session, session.begin():
            assert await shared_secret(session, "link_secret") == first  # another worker
        links = app.links
        assert isinstance(links, FileLinks)
        assert links.route == "/bot/files/{token}"
        async with app.session_factory() as session, session.begin():
            user = await _user(session)
        document = Document(filename="báo cáo.xlsx", content=b"PK" * 300_000)
        link = await links.publish_document(user, document)
        again = await links.publish_document(user, document)
        assert link == again and link.url.startswith("https://ocop.example.gov.vn/bot/files/")
        assert link.expires_at - links.clock() <= timedelta(hours=24)
        claim = links.signer.verify(link.url.rsplit("/", 1)[1], now=time.time())
        async with app.session_factory() as session:
            files = StoredFiles(session)
            info = await files.info(claim.file_id)
            assert info is not None and info.chunks == 3  # 600,000 bytes in 256 KiB chunks
            assert await files.content(claim.file_id) == document.content
    finally:
        await app.close()


async def _user(session: AsyncSession) -> int:
    user, _ = await Users(session).create_with_identity("zalo", "u-files", language="vi")
    await session.flush()
    return user.id


def test_only_public_addresses_count_as_public() -> None:
    for private in (
        "127.0.0.1",
        "10.1.2.3",
        "192.168.1.1",
        "169.254.169.254",
        "::1",
        "::ffff:127.0.0.1",
        "fd00::1",
        "0.0.0.0",
        "224.0.0.1",
        "not-an-ip",
    ):
        assert not is_public(private), private
    assert is_public("8.8.8.8") and is_public("2001:4860:4860::8888")


def test_images_are_known_by_their_bytes() -> None:
    assert sniff_image(JPEG) == ("image/jpeg", "jpg")
    assert sniff_image(b"\x89PNG\r\n\x1a\n....") == ("image/png", "png")
    assert sniff_image(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == ("image/webp", "webp")
    assert sniff_image(b"\x00\x00\x00\x18ftypheic") == ("image/heic", "heic")
    assert sniff_image(b"<html>") is None and sniff_image(b"%PDF-1.7") is None


@pytest.fixture
async def origin() -> AsyncIterator[str]:
    """A small web server on 127.0.0.1 with the shapes a hostile URL could take."""

    async def image(_: web.Request) -> web.Response:
        return web.Response(body=JPEG, content_type="image/png")  # the header lies; bytes rule

    async def big(_: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()  # no Content-Length: counted as it comes
        await response.prepare(_)
        for _i in range(10):
            await response.write(b"\xff\xd8\xff" + b"x" * 997)
        await response.write_eof()
        return response

    async def loop(request: web.Request) -> web.Response:
        raise web.HTTPFound(str(request.url))

    async def hop(_: web.Request) -> web.Response:
        raise web.HTTPFound("/image")

    async def slow(_: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.Response(body=JPEG)

    app = web.Application()
    for path, handler in (
        ("/image", image),
        ("/big", big),
        ("/loop", loop),
        ("/hop", hop),
        ("/slow", slow),
    ):
        app.router.add_get(path, handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    await runner.cleanup()


async def test_downloads_are_guarded(origin: str) -> None:
    port = origin.rsplit(":", 1)[1]
    strict = ImageFetcher(timeout=5)
    lenient = ImageFetcher(allow_private=True, max_bytes=5000, timeout=1)
    try:
        for url in (
            f"{origin}/image",
            f"http://localhost:{port}/image",
            "ftp://example.com/a",
            "http://[::1]/a",
            "file:///etc/passwd",
        ):
            with pytest.raises(DownloadFailed) as refused:
                await strict.fetch(url)
            assert refused.value.reason == "failed", url
        got = await lenient.fetch(f"{origin}/image")
        assert (got.content, got.content_type) == (JPEG, "image/jpeg")
        assert (await lenient.fetch(f"{origin}/hop")).content == JPEG  # one redirect is fine
        for path, reason in (
            ("/big", "too_large"),
            ("/loop", "failed"),
            ("/slow", "failed"),
            ("/missing", "failed"),
        ):
            with pytest.raises(DownloadFailed) as refused:
                await lenient.fetch(origin + path)
            assert refused.value.reason == reason, path
    finally:
        await strict.close()
        await lenient.close()

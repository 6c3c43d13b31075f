"""Signing in with a one-time link from the chat: single use, ten minutes, rate-limited;
the session cookie; signing out; rights read again at every request."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select, update

from storage.models import User, UserStatus, WebLoginToken, WebSession, utcnow
from tests.web.conftest import Web, csrf_of, page


async def test_a_link_from_the_chat_signs_an_admin_in_once(web: Web) -> None:
    link = await web.link("admin_ls")
    path = link[link.index("/admin/") :]
    token = path.split("token=", 1)[1]
    client = web.client()
    await client.start_server()
    status, text = await page(client, path)
    assert status == 200 and "Admin_Ls" in text
    # Opening the link (a messenger's preview does) takes nothing: the button does.
    status, _ = await page(client, path)
    assert status == 200
    done = await client.post("/admin/session", data={"token": token}, allow_redirects=False)
    assert done.status == 303 and done.headers["Location"] == "/admin"
    cookie = done.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and token not in cookie
    status, text = await page(client, "/admin/completeness")
    assert status == 200 and "Lạng Sơn" in text
    # The same link again: refused, in another browser too.
    other = web.client()
    await other.start_server()
    again = await other.post("/admin/session", data={"token": token}, allow_redirects=False)
    assert again.status == 410
    status, _ = await page(other, "/admin/completeness")
    assert status == 401


async def test_only_hashes_are_stored(web: Web) -> None:
    link = await web.link("admin_ls")
    token = link.split("token=", 1)[1]
    await web.signed_in("admin_ls")
    async with web.app.session_factory() as session:
        hashes = (await session.scalars(select(WebLoginToken.token_hash))).all()
        sessions = (await session.scalars(select(WebSession.token_hash))).all()
    assert token not in hashes and all(len(h) == 64 for h in [*hashes, *sessions])


async def test_a_link_expires_after_ten_minutes(web: Web) -> None:
    link = await web.link("admin_ls")
    path = link[link.index("/admin/") :]
    async with web.app.session_factory() as session, session.begin():
        # Ten minutes and a second have passed since it was made.
        await session.execute(
            update(WebLoginToken).values(expires_at=utcnow() - timedelta(seconds=1))
        )
    client = web.client()
    await client.start_server()
    status, text = await page(client, path)
    assert status == 410 and "/web" in text
    done = await client.post(
        "/admin/session", data={"token": path.split("token=", 1)[1]}, allow_redirects=False
    )
    assert done.status == 410


async def test_only_admins_get_a_link(web: Web) -> None:
    said = await web.chat.say("officer", "/web")
    assert "/admin/login" not in said
    said = await web.chat.say("disabled", "/web")
    assert "/admin/login" not in said


async def test_sign_in_is_rate_limited(web: Web) -> None:
    client = web.client()
    await client.start_server()
    statuses = [
        (await client.post("/admin/session", data={"token": f"guess{n}"})).status for n in range(15)
    ]
    assert statuses[0] == 410 and statuses[-1] == 429


async def test_sign_out_ends_the_session(web: Web) -> None:
    client = await web.signed_in("admin_ls")
    status, text = await page(client, "/admin/approvals")
    assert status == 200
    # Without the form's token, signing out (a change) is refused.
    refused = await client.post("/admin/logout", data={})
    assert refused.status == 403
    out = await client.post("/admin/logout", data={"csrf": csrf_of(text)})
    assert out.status == 200
    status, _ = await page(client, "/admin/approvals")
    assert status == 401


async def test_a_disabled_admin_is_out_at_the_next_request(web: Web) -> None:
    client = await web.signed_in("admin_ls")
    assert (await page(client, "/admin/completeness"))[0] == 200
    async with web.app.session_factory() as session, session.begin():
        await session.execute(
            update(User)
            .where(User.id == web.users["admin_ls"].id)
            .values(status=UserStatus.DISABLED)
        )
    status, _ = await page(client, "/admin/completeness")
    assert status == 403
    async with web.app.session_factory() as session, session.begin():
        await session.execute(
            update(User).where(User.id == web.users["admin_ls"].id).values(status=UserStatus.ACTIVE)
        )
    # The session was ended: re-enabling does not bring it back.
    status, _ = await page(client, "/admin/completeness")
    assert status == 401


async def test_without_a_dashboard_web_says_why(web: Web) -> None:
    """No link to a dashboard nobody serves: switched off, or its port was taken (a second
    ocop-bot on the same machine), each said in the admin's language."""
    served = web.app.config
    try:
        web.app.config = replace(served, web_url=None, web_port_taken=8080)
        web.app.pipeline.config = web.app.config
        said = await web.chat.say("admin_ls", "/web")
        assert "/admin/login" not in said
        assert "8080" in said and "OCOP_WEBHOOK_PORT" in said, said
        web.app.config = replace(served, web_url=None)
        web.app.pipeline.config = web.app.config
        said = await web.chat.say("admin_ls", "/web")
        assert "/admin/login" not in said and "docs/web.md" in said, said
    finally:
        web.app.config = served
        web.app.pipeline.config = served

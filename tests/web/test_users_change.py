"""The users page's buttons (bot/web/users.py ``change``) run the chat's own ``/capquyen``
and ``/khoa`` (handlers/admin_users.py): the person's role or status is changed in storage,
audited, and they find it in their chat as after the chat's command (neither command sends
them a message: a new admin's /help and /web work at once, a disabled person's next message
is answered that their account is locked). A province admin acts on nobody of another
province and never on a national admin; a stale or malformed post gets a message, never a
server error. On SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re

from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.i18n import Translator
from storage.models import AuditEntry, OutboxMessage, Role, User, UserStatus
from tests.handlers.scene import person
from tests.web.conftest import Web, csrf_of, page

vi = Translator("vi")
NO_SUCH = "No such user in your area. /nguoidung lists them with their numbers."
NATIONAL_ONLY = "Only a national admin can do this."


def flashes(text: str) -> list[str]:
    """The messages the page shows after a change (the chat's answers to the admin)."""
    return [html.unescape(m) for m in re.findall(r'<p class="flash"[^>]*>(.*?)</p>', text, re.S)]


async def act(client: TestClient, user: int | str, action: str) -> tuple[int, str]:
    """Post one of the users page's forms as the browser does (then follow the 303)."""
    _, text = await page(client, "/admin/users")
    done = await client.post(f"/admin/users/{user}", data={"csrf": csrf_of(text), "action": action})
    return done.status, await done.text()


async def stored(web: Web, name: str) -> User:
    async with web.app.session_factory() as session:
        found = await session.get(User, web.users[name].id)
        assert found is not None
        return found


async def audited(web: Web, action: str) -> list[tuple[int | None, dict[str, object]]]:
    async with web.app.session_factory() as session:
        rows = await session.scalars(select(AuditEntry).where(AuditEntry.action == action))
        return [(row.user_id, row.detail) for row in rows]


async def outbox_of(web: Web, name: str) -> list[OutboxMessage]:
    async with web.app.session_factory() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.user_id == web.users[name].id)
        )
        return list(rows.all())


async def test_making_an_officer_a_province_admin(web: Web) -> None:
    officer = web.users["officer"]
    client = await web.signed_in("admin_ls")
    _, text = await page(client, "/admin/users")
    assert f'action="/admin/users/{officer.id}"' in text and 'value="grant"' in text
    assert 'value="grant_national"' not in text  # a province admin is not offered it

    status, text = await act(client, officer.id, "grant")
    assert status == 200
    role = vi.t("Province admin")
    assert flashes(text) == [vi.t("{name} is now: {role}.", name="Officer", role=role)]
    now = await stored(web, "officer")
    assert (now.role, now.status) == (Role.PROVINCE_ADMIN, UserStatus.ACTIVE)
    assert await audited(web, "admin_granted") == [
        (web.users["admin_ls"].id, {"user": officer.id, "role": Role.PROVINCE_ADMIN})
    ]
    # As after /capquyen in the chat: no message of its own; their chat and the dashboard
    # treat them as an admin at once.
    assert await outbox_of(web, "officer") == []
    assert "/duyet" in await web.chat.say("officer", "/help")
    promoted = await web.signed_in("officer")
    status, text = await page(promoted, "/admin/users")
    assert status == 200 and "Pending" in text


async def test_disabling_ends_their_dashboard_and_their_chat_says_locked(web: Web) -> None:
    officer = web.users["officer"]
    client = await web.signed_in("admin_ls")
    await act(client, officer.id, "grant")
    theirs = await web.signed_in("officer")  # now an admin with a dashboard of their own
    assert (await page(theirs, "/admin/users"))[0] == 200

    status, text = await act(client, officer.id, "disable")
    assert status == 200
    assert flashes(text) == [vi.t("{name} can no longer use the bot.", name="Officer")]
    assert (await stored(web, "officer")).status == UserStatus.DISABLED
    assert await audited(web, "user_disabled") == [(web.users["admin_ls"].id, {"user": officer.id})]
    # Their dashboard is closed, and a link asked for now opens nothing.
    status, _ = await page(theirs, "/admin/users")
    assert status == 401
    assert "/admin/login?token=" not in await web.chat.say("officer", "/web")
    # Their chat says so at their next message, as after /khoa in the chat.
    assert "bị khóa" in await web.chat.say("officer", "/baocao")
    # The page now offers no "Disable" for them.
    _, text = await page(client, "/admin/users")
    row = text.split(f'<td class="n">{officer.id}</td>', 1)[1].split("</tr>", 1)[0]
    assert 'value="disable"' not in row


async def test_a_national_admin_makes_a_national_admin(web: Web) -> None:
    client = await web.signed_in("national")
    status, text = await act(client, web.users["admin_hn"].id, "grant_national")
    assert status == 200
    role = vi.t("National admin")
    assert flashes(text) == [vi.t("{name} is now: {role}.", name="Admin_Hn", role=role)]
    assert (await stored(web, "admin_hn")).role == Role.NATIONAL_ADMIN


async def test_a_province_admin_acts_on_nobody_outside_their_reach(web: Web) -> None:
    other = await web.signed_in("admin_hn")  # Hà Nội; the officer is of Lạng Sơn
    for action in ("disable", "grant"):
        status, text = await act(other, web.users["officer"].id, action)
        assert status == 200 and flashes(text) == [vi.t(NO_SUCH)], action
    assert "Officer" not in (await page(other, "/admin/users"))[1]
    client = await web.signed_in("admin_ls")
    # A national admin (of no province), and national rights, are out of their reach.
    status, text = await act(client, web.users["national"].id, "disable")
    assert flashes(text) == [vi.t(NO_SUCH)]
    web.users["boss"] = await person(
        web.app, "boss", Role.NATIONAL_ADMIN, UserStatus.ACTIVE, "lang son"
    )
    status, text = await act(client, web.users["boss"].id, "disable")  # one of Lạng Sơn
    assert flashes(text) == [vi.t(NATIONAL_ONLY)]
    status, text = await act(client, web.users["officer"].id, "grant_national")
    assert flashes(text) == [vi.t(NATIONAL_ONLY)]
    # Nor themselves.
    status, text = await act(client, web.users["admin_ls"].id, "disable")
    assert flashes(text) == [vi.t(NO_SUCH)]
    assert [
        ((await stored(web, n)).role, (await stored(web, n)).status)
        for n in ("officer", "national", "boss", "admin_ls")
    ] == [
        (Role.OFFICER, UserStatus.ACTIVE),
        (Role.NATIONAL_ADMIN, UserStatus.ACTIVE),
        (Role.NATIONAL_ADMIN, UserStatus.ACTIVE),
        (Role.PROVINCE_ADMIN, UserStatus.ACTIVE),
    ]
    assert await audited(web, "user_disabled") == [] and await audited(web, "admin_granted") == []
    assert await web.signed_in("national")  # still signs in: not disabled


async def test_a_stale_or_malformed_post_says_so_and_never_fails(web: Web) -> None:
    client = await web.signed_in("admin_ls")
    # A number nobody has (a person deleted since the page was opened).
    status, text = await act(client, 987654321, "disable")
    assert status == 200 and flashes(text) == [vi.t(NO_SUCH)]
    # What no page of the dashboard posts: the page says there is nothing here.
    missing = vi.t("There is nothing here in your area. It may have been removed.")
    officer = web.users["officer"].id
    for target, action in (("abc", "disable"), ("12345678901", "grant"), (officer, "erase")):
        status, text = await act(client, target, action)
        assert status == 404 and missing in html.unescape(text), (target, action)
    assert (await stored(web, "officer")).status == UserStatus.ACTIVE

"""The users page's buttons (bot/web/users.py ``change``) run the chat's own ``/capquyen``,
``/khoa`` and ``/mokhoa`` (handlers/admin_users.py): the person's role or status is changed
in storage, audited, and they find it in their chat as after the chat's command (a new admin
and an unlocked person are told in their chat; a disabled person's next message is answered
that their account is locked). Admin rights go only to an active account: the page offers
them to nobody else, and a post for a person waiting, rejected or locked changes nothing. A
province admin acts on nobody of another province and never on a national admin; a stale or
malformed post gets a message, never a server error. On SQLite and PostgreSQL."""

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
    # As after /capquyen in the chat: they are told in their chat, and their chat and the
    # dashboard treat them as an admin at once.
    [told] = await outbox_of(web, "officer")
    assert told.payload["text"] == vi.t(
        "You have been made a province admin. Type /help to see the admin commands."
    )
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
    assert await audited(web, "user_disabled") == [
        (web.users["admin_ls"].id, {"user": officer.id, "was": UserStatus.ACTIVE})
    ]
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
    # Nor unlocks one (Lạng Sơn's locked admin).
    status, text = await act(other, web.users["disabled"].id, "enable")
    assert status == 200 and flashes(text) == [vi.t(NO_SUCH)]
    assert (await stored(web, "disabled")).status == UserStatus.DISABLED
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
    for target, action in (
        ("abc", "disable"),
        ("12345678901", "grant"),
        ("-3", "enable"),
        (officer, "erase"),
        (officer, ""),
    ):
        status, text = await act(client, target, action)
        assert status == 404 and missing in html.unescape(text), (target, action)
    assert (await stored(web, "officer")).status == UserStatus.ACTIVE


def row_of(text: str, user: User) -> str:
    """The users page's row of ``user``: their cells and their buttons."""
    return text.split(f'<td class="n">{user.id}</td>', 1)[1].split("</tr>", 1)[0]


async def test_unlocking_a_disabled_person_opens_their_chat_and_tells_them(web: Web) -> None:
    officer = web.users["officer"]
    client = await web.signed_in("admin_ls")
    await act(client, officer.id, "disable")
    _, text = await page(client, "/admin/users")
    row = row_of(text, officer)
    # A locked person is offered "Mở khóa", not "Khóa", and no admin rights.
    assert 'value="enable"' in row and vi.t("Unlock") == "Mở khóa" and "Mở khóa" in row
    assert 'value="disable"' not in row and 'value="grant"' not in row

    status, text = await act(client, officer.id, "enable")
    assert status == 200
    assert flashes(text) == [vi.t("{name} can use the bot again.", name="Officer")]
    assert (await stored(web, "officer")).status == UserStatus.ACTIVE
    assert await audited(web, "user_enabled") == [
        (web.users["admin_ls"].id, {"user": officer.id, "now": "active"})
    ]
    row = row_of(text, officer)
    assert 'value="disable"' in row and 'value="enable"' not in row and 'value="grant"' in row
    # Told in their chat, as after /mokhoa, and able to use the bot again.
    [told] = await outbox_of(web, "officer")
    assert told.payload["text"].startswith(
        vi.t("An admin has unlocked your account: you can use the bot again.")
    )
    assert "/baocao" in told.payload["text"]
    assert "bị khóa" not in await web.chat.say("officer", "/baocao")
    # Pressed again (a second tab): nothing to unlock, nothing changed, nobody told twice.
    status, text = await act(client, officer.id, "enable")
    assert flashes(text) == [
        vi.t(
            "{name} is not disabled (status: {status}). Nothing was changed.",
            name="Officer",
            status=vi.t("active"),
        )
    ]
    assert len(await audited(web, "user_enabled")) == 1
    unlocked = vi.t("An admin has unlocked your account: you can use the bot again.")
    notices = [m for m in await outbox_of(web, "officer") if m.payload["text"].startswith(unlocked)]
    assert len(notices) == 1


async def test_admin_rights_only_for_an_active_account(web: Web) -> None:
    client = await web.signed_in("national")
    _, text = await page(client, "/admin/users")
    # Waiting for approval, or locked: no "Make … admin" button on their row.
    for name in ("pending", "disabled"):
        row = row_of(text, web.users[name])
        assert 'value="grant"' not in row and 'value="grant_national"' not in row, name
    assert 'value="grant_national"' in row_of(text, web.users["officer"])
    # Posted all the same (a page opened before their status changed): refused, unchanged.
    status, text = await act(client, web.users["pending"].id, "grant")
    assert status == 200
    assert flashes(text) == [
        vi.t(
            "{name} is still waiting for approval. Please approve their registration first "
            "(/duyet), then grant admin rights. Nothing was changed.",
            name="Pending",
        )
    ]
    status, text = await act(client, web.users["disabled"].id, "grant_national")
    refused = vi.t(
        "Admin rights can only be given to an active account. {name}'s account is: "
        "{status}. Nothing was changed.",
        name="Disabled",
        status=vi.t("disabled"),
    )
    unlock_first = vi.t("You can unlock it first with /mokhoa {id}.", id=web.users["disabled"].id)
    assert flashes(text) == [f"{refused}\n{unlock_first}"]
    assert [
        ((await stored(web, n)).role, (await stored(web, n)).status)
        for n in ("pending", "disabled")
    ] == [
        (Role.OFFICER, UserStatus.PENDING),
        (Role.PROVINCE_ADMIN, UserStatus.DISABLED),
    ]
    assert await audited(web, "admin_granted") == []
    assert await outbox_of(web, "pending") == [] and await outbox_of(web, "disabled") == []

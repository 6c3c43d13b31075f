"""Refusing an officer on /admin/approvals ("Từ chối") runs the chat's own ``@reject``
(handlers/approvals.py): the officer is rejected in storage, told in their own language in
their chat exactly as when an admin refuses them there, and the admin reads the chat's answer
on the page. Another province's admin is told the officer is not in their area and changes
nothing; a stale or malformed post gets a message, never a server error. On SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re

from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.i18n import Translator
from storage.models import AuditEntry, OutboxMessage, User, UserStatus
from tests.web.conftest import Web, csrf_of, page

vi, en = Translator("vi"), Translator("en")
NOT_IN_AREA = (
    "This officer is not in your area, so you cannot approve or reject their registration."
)
NOT_APPROVED = (
    "Your registration was not approved. Contact your province's OCOP office, or type "
    "/start to register again."
)


def flashes(text: str) -> list[str]:
    """The messages the page shows after a change (the chat's answers to the admin)."""
    return [html.unescape(m) for m in re.findall(r'<p class="flash"[^>]*>(.*?)</p>', text, re.S)]


def said(message: str, **values: object) -> str:
    return vi.t(message, **values)


async def refuse(
    client: TestClient, user: int | str, *, decision: str = "reject"
) -> tuple[int, str]:
    """Post the approvals page's "Reject" form as the browser does (then follow the 303)."""
    _, text = await page(client, "/admin/approvals")
    done = await client.post(
        f"/admin/approvals/{user}", data={"csrf": csrf_of(text), "decision": decision}
    )
    return done.status, await done.text()


async def stored(web: Web, name: str) -> User:
    async with web.app.session_factory() as session:
        found = await session.get(User, web.users[name].id)
        assert found is not None
        return found


async def notices_to(web: Web, name: str) -> list[OutboxMessage]:
    async with web.app.session_factory() as session:
        return list(
            (
                await session.scalars(
                    select(OutboxMessage).where(OutboxMessage.user_id == web.users[name].id)
                )
            ).all()
        )


async def test_refusing_an_officer_rejects_them_and_tells_them_in_their_language(
    web: Web,
) -> None:
    pending = web.users["pending"]
    async with web.app.session_factory() as session, session.begin():
        officer = await session.get(User, pending.id)
        assert officer is not None
        officer.language = "en"  # they registered in English
    client = await web.signed_in("admin_ls")
    _, text = await page(client, "/admin/approvals")
    assert f'action="/admin/approvals/{pending.id}"' in text and 'value="reject"' in text

    status, text = await refuse(client, pending.id)
    assert status == 200
    assert flashes(text) == [said("Rejected: {name}.", name="Pending")]
    assert f'action="/admin/approvals/{pending.id}"' not in text  # no longer waiting
    officer = await stored(web, "pending")
    assert officer.status == UserStatus.REJECTED
    assert officer.approved_by == web.users["admin_ls"].id
    async with web.app.session_factory() as session:
        audit = (
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "rejected"))
        ).all()
    assert [(a.user_id, a.detail) for a in audit] == [
        (web.users["admin_ls"].id, {"officer": pending.id})
    ]
    # Their chat: the chat's own words, in English, as after "Từ chối" in the admin's chat.
    await web.chat.sender.drain()
    [told] = web.chat.channel.inbox.pop("pending")
    assert en.t(NOT_APPROVED) in told.text
    assert vi.t(NOT_APPROVED) not in told.text


async def test_refusing_from_another_province_is_refused_and_changes_nothing(web: Web) -> None:
    pending = web.users["pending"]
    other = await web.signed_in("admin_hn")  # Hà Nội; the officer is of Lạng Sơn
    status, text = await refuse(other, pending.id)
    assert status == 200
    # Told why (not the words of a stale button), without the officer's name.
    assert flashes(text) == [said(NOT_IN_AREA)]
    assert "Pending" not in flashes(text)[0]
    assert (await stored(web, "pending")).status == UserStatus.PENDING
    assert await notices_to(web, "pending") == []
    # Approving is refused the same way.
    status, text = await refuse(other, pending.id, decision="approve")
    assert flashes(text) == [said(NOT_IN_AREA)]
    assert (await stored(web, "pending")).status == UserStatus.PENDING


async def test_a_stale_or_malformed_refusal_says_so_and_never_fails(web: Web) -> None:
    pending = web.users["pending"]
    client = await web.signed_in("admin_ls")
    # Two tabs: the officer was approved in one; "Reject" in the other, left open, is stale.
    status, _ = await refuse(client, pending.id, decision="approve")
    assert status == 200
    status, text = await refuse(client, pending.id)
    assert status == 200
    assert flashes(text) == [
        said(
            "{name} was already handled (status: {status}).",
            name="Pending",
            status=vi.t("active"),
        )
    ]
    assert (await stored(web, "pending")).status == UserStatus.ACTIVE
    [approved] = await notices_to(web, "pending")  # only the approval's notice
    assert approved.payload["text"].startswith(
        vi.t("An admin approved your registration as a commune officer.")
    )
    # Someone who is not an officer waiting (an admin), and a number nobody has.
    status, text = await refuse(client, web.users["officer"].id)
    assert flashes(text) == [
        said(
            "{name} was already handled (status: {status}).", name="Officer", status=vi.t("active")
        )
    ]
    status, text = await refuse(client, 987654321)
    assert status == 200 and flashes(text) == [said("That choice is no longer valid.")]
    # What no page of the dashboard posts: the page says there is nothing here.
    missing = vi.t("There is nothing here in your area. It may have been removed.")
    for target, decision in (("abc", "reject"), ("12345678901", "reject"), (pending.id, "ban")):
        status, text = await refuse(client, target, decision=decision)
        assert status == 404 and missing in html.unescape(text), (target, decision)
    assert (await stored(web, "officer")).status == UserStatus.ACTIVE

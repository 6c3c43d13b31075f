"""Seeding for the fault tests: approved officers reachable on Telegram, made directly in
storage (onboarding each of fifty people through the chat would only slow the tests)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from bot.app import App
from storage.models import Identity, Role, User, UserStatus
from tests.conftest import make_settings


async def seed_officers_sync(url: str, count: int, *, first_chat: int = 70_000) -> list[int]:
    """``count`` approved officers in different communes; returns their Telegram chat ids."""
    app = App(make_settings(url))
    await app.prepare()
    chats: list[int] = []
    async with app.session_factory() as session, session.begin():
        communes = (
            await session.execute(
                text("SELECT code, province_code FROM communes ORDER BY code LIMIT :n"),
                {"n": count},
            )
        ).all()
        for n, (commune, province) in enumerate(communes):
            user = User(
                role=Role.OFFICER,
                status=UserStatus.ACTIVE,
                full_name=f"Cán bộ {n}",
                phone=f"+8491{n:07d}",
                language="vi",
                province_code=province,
                commune_code=commune,
                consent_at=datetime.now(UTC),
            )
            session.add(user)
            await session.flush()
            session.add(
                Identity(user_id=user.id, channel="telegram", external_id=str(first_chat + n))
            )
            chats.append(first_chat + n)
    await app.close()
    return chats

"""Sign-in to the web dashboard: one-time links and browser sessions (bot/web/).

An admin sends ``/web`` in the chat and gets a link holding a random token; opening it (and
pressing "sign in") exchanges the token for a session whose secret lives in an HTTP-only
cookie. Both secrets are 256-bit random values of which only a SHA-256 hash is stored: a
copy of the database opens nothing. A token is taken with one conditional UPDATE, so two
browsers racing with the same link cannot both get a session.

Rights are not stored with a session: every request reads the user again (bot/web/auth.py),
so a disabled or demoted admin is out at their next click.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import User, WebLoginToken, WebSession

LOGIN_TTL = timedelta(minutes=10)
# A session ends after this long without a request, and in any case after SESSION_MAX.
SESSION_IDLE = timedelta(hours=12)
SESSION_MAX = timedelta(days=7)
# last_seen_at is written at most this often (a page view is not worth an UPDATE each).
TOUCH_EVERY = timedelta(minutes=1)
# Unexpired links one person may hold at once: /web pressed again and again is refused.
MAX_OPEN_LINKS = 5
# Rows past their time are deleted after this long (kept a little, for an admin's questions).
KEEP_ENDED = timedelta(days=30)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def csrf_token(session_secret: str) -> str:
    """The anti-forgery token of a session: derived from its secret, so nothing more is
    stored, and unknowable to another site (which never sees the cookie)."""
    return hmac.new(session_secret.encode(), b"ocop-web-csrf", hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class SignedIn:
    """A live session and its user as storage says now."""

    session: WebSession
    user: User


class WebLogins:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def open_links(self, user_id: int, *, now: datetime) -> int:
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(WebLoginToken)
                .where(
                    WebLoginToken.user_id == user_id,
                    WebLoginToken.used_at.is_(None),
                    WebLoginToken.expires_at > now,
                )
            )
            or 0
        )

    async def issue_link(self, user_id: int, *, now: datetime) -> str | None:
        """A new one-time token for ``user_id`` (the secret, to put in the link); None when
        they already hold :data:`MAX_OPEN_LINKS` unused ones."""
        if await self.open_links(user_id, now=now) >= MAX_OPEN_LINKS:
            return None
        token = secrets.token_urlsafe(32)
        self.session.add(
            WebLoginToken(
                token_hash=secret_hash(token),
                user_id=user_id,
                created_at=now,
                expires_at=now + LOGIN_TTL,
            )
        )
        await self.session.flush()
        return token

    async def redeem_link(self, token: str, *, now: datetime) -> int | None:
        """Take the token (once, before it expires); the user it was for, or None."""
        if not token or len(token) > 200:
            return None
        hashed = secret_hash(token)
        taken = await self.session.execute(
            update(WebLoginToken)
            .where(
                WebLoginToken.token_hash == hashed,
                WebLoginToken.used_at.is_(None),
                WebLoginToken.expires_at > now,
            )
            .values(used_at=now)
            .returning(WebLoginToken.user_id)
        )
        return taken.scalar_one_or_none()

    async def link_user(self, token: str, *, now: datetime) -> User | None:
        """Whom an unused, unexpired token would sign in (to greet them before they confirm),
        without taking it."""
        if not token or len(token) > 200:
            return None
        statement = (
            select(User)
            .join(WebLoginToken, WebLoginToken.user_id == User.id)
            .where(
                WebLoginToken.token_hash == secret_hash(token),
                WebLoginToken.used_at.is_(None),
                WebLoginToken.expires_at > now,
            )
        )
        return (await self.session.scalars(statement)).first()

    async def start_session(self, user_id: int, *, now: datetime) -> str:
        """A new session; returns its secret, for the cookie."""
        secret = secrets.token_urlsafe(32)
        self.session.add(
            WebSession(
                token_hash=secret_hash(secret),
                user_id=user_id,
                created_at=now,
                last_seen_at=now,
                expires_at=now + SESSION_IDLE,
            )
        )
        await self.session.flush()
        return secret

    async def signed_in(self, secret: str, *, now: datetime) -> SignedIn | None:
        """The live session of this cookie and its user; its idle time starts again."""
        if not secret or len(secret) > 200:
            return None
        row = (
            await self.session.execute(
                select(WebSession, User)
                .join(User, User.id == WebSession.user_id)
                .where(
                    WebSession.token_hash == secret_hash(secret),
                    WebSession.ended_at.is_(None),
                    WebSession.expires_at > now,
                )
            )
        ).first()
        if row is None:
            return None
        web_session, user = row
        if now - web_session.created_at > SESSION_MAX:
            web_session.ended_at = now
            return None
        if now - web_session.last_seen_at > TOUCH_EVERY:
            web_session.last_seen_at = now
            web_session.expires_at = min(now + SESSION_IDLE, web_session.created_at + SESSION_MAX)
        return SignedIn(web_session, user)

    async def end_session(self, secret: str, *, now: datetime) -> None:
        await self.session.execute(
            update(WebSession)
            .where(WebSession.token_hash == secret_hash(secret), WebSession.ended_at.is_(None))
            .values(ended_at=now)
        )

    async def end_sessions_of(self, user_id: int, *, now: datetime) -> None:
        """Every session of a person who may no longer sign in."""
        await self.session.execute(
            update(WebSession)
            .where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
            .values(ended_at=now)
        )

    async def purge(self, *, now: datetime) -> None:
        """Forget links and sessions long past: they open nothing any more."""
        before = now - KEEP_ENDED
        await self.session.execute(delete(WebLoginToken).where(WebLoginToken.expires_at < before))
        await self.session.execute(delete(WebSession).where(WebSession.expires_at < before))

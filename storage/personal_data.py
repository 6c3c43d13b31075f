"""Personal data of one person (Decree 13/2023/NĐ-CP): what we keep, and erasing it.

A person may see everything kept about them and withdraw consent at any time. Erasing
happens at once, in the caller's transaction: name, phone, commune and role are blanked,
every messenger identity is unlinked (their next message starts as a new user), the open
conversation, the messages to them in the outbox, their set-aside messages and the photos
they sent (kept by the bot: storage/files.py) are deleted, and their name or phone is
masked in the messages to others (an admin's approval request).

Reports and product registrations are public records of the commune and are kept: the user
row stays as an anonymous placeholder (status ``erased``) while they point at it, and is
removed once nothing does (:func:`drop_placeholders`, also run by the daily purge). A
product idea's photos are not among what is kept: a photo may show the person, their
family or their home. The idea's answer still says photos were sent; exports count only
the photos the bot still holds (storage/exports/columns.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, delete, exists, func, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.render import display_name, display_phone
from storage.files import FileKind, StoredFiles
from storage.models import (
    Base,
    Identity,
    OutboxMessage,
    Product,
    SetAsideMessage,
    SubmissionRevision,
    User,
    UserStatus,
)

MASK = "***"
# Rows that only exist for a person, or only log what happened: they do not keep a
# placeholder alive (their foreign keys cascade or become NULL when the user row goes).
NOT_RECORDS = frozenset({"identities", "conversations", "outbox", "audit_log", "jobs"})
_OUTBOX = OutboxMessage.__table__


@dataclass(frozen=True)
class KeptData:
    """Everything stored about one person, as ``/dulieu`` lists it."""

    full_name: str | None
    phone: str | None
    role: str | None
    province_code: int | None
    commune_code: int | None
    language: str
    consent_at: datetime | None
    channels: list[tuple[str, datetime]]  # each messenger they use, and since when
    reports: int  # reports and registrations they filed or revised
    products: int
    photos: int = 0  # photos they sent that the bot keeps (storage/files.py)


async def kept_data(session: AsyncSession, user: User) -> KeptData:
    identities = (
        await session.scalars(
            select(Identity).where(Identity.user_id == user.id).order_by(Identity.id)
        )
    ).all()
    reports = await session.scalar(
        select(func.count(func.distinct(SubmissionRevision.submission_id))).where(
            SubmissionRevision.user_id == user.id
        )
    )
    products = await session.scalar(
        select(func.count()).select_from(Product).where(Product.user_id == user.id)
    )
    photos = await StoredFiles(session).owned(user.id, FileKind.PHOTO)
    return KeptData(
        full_name=user.full_name,
        phone=user.phone,
        role=user.role,
        province_code=user.province_code,
        commune_code=user.commune_code,
        language=user.language,
        consent_at=user.consent_at,
        channels=[(i.channel, i.created_at) for i in identities],
        reports=int(reports or 0),
        products=int(products or 0),
        photos=len(photos),
    )


async def erase(session: AsyncSession, user_id: int) -> User | None:
    """Erase a person's personal data now (see the module docstring); None if unknown.

    The user row is locked first (PostgreSQL), so a message of theirs being handled at this
    moment finishes before, and cannot write their data back after.
    """
    user = (await session.scalars(select(User).where(User.id == user_id).with_for_update())).first()
    if user is None:
        return None
    found = mentions(user.full_name, user.phone, strict=True)
    identities = list(
        (await session.scalars(select(Identity).where(Identity.user_id == user.id))).all()
    )
    addresses = [(i.channel, i.external_id) for i in identities]
    to_them = _OUTBOX.c.user_id == user.id
    if addresses:
        to_them = or_(to_them, tuple_(_OUTBOX.c.channel, _OUTBOX.c.address).in_(addresses))
        await session.execute(
            delete(SetAsideMessage).where(
                tuple_(SetAsideMessage.channel, SetAsideMessage.address).in_(addresses)
            )
        )
    await session.execute(delete(_OUTBOX).where(to_them))
    await mask_in_outbox(session, found)
    await StoredFiles(session).delete_owned(user.id)  # their photos (and links' files)
    for column in _owned_by_user():  # the conversation, background jobs (their chat id)
        await session.execute(delete(column.table).where(column == user.id))
    for identity in identities:  # the ORM objects: the pipeline may hold the same ones
        await session.delete(identity)
    user.full_name = user.phone = user.role = None
    user.province_code = user.commune_code = None
    user.consent_at = user.approved_at = None
    user.approved_by = None
    user.status = UserStatus.ERASED
    await session.flush()
    return user


async def forget_answers(
    session: AsyncSession, user_id: int, *, full_name: str | None, phone: str | None
) -> int:
    """Someone declined consent: mask the name and phone they typed in the messages sent to
    them (the summary shown before the consent question); returns how many rows changed."""
    return await mask_in_outbox(session, mentions(full_name, phone), user_id=user_id)


def mentions(full_name: str | None, phone: str | None, *, strict: bool = False) -> list[str]:
    """The ways a name and phone appear in messages. ``strict`` (searching every message,
    not one person's) keeps only names of two words or more, so that a short name such as
    "An" does not mask unrelated words."""
    found: list[str] = []
    name = (full_name or "").strip()
    if len(name) >= 2 and (not strict or (" " in name and len(name) >= 5)):
        found.extend(dict.fromkeys([name, display_name(name)]))  # as typed, and as shown
    if phone:
        national = display_phone(phone)
        found.extend(dict.fromkeys([phone, national, national.replace(" ", "")]))
    return [m for m in found if m]


async def mask_in_outbox(
    session: AsyncSession, needles: Sequence[str], *, user_id: int | None = None
) -> int:
    """Replace ``needles`` by ``***`` in the text and buttons of outbox rows (one user's, or
    all). Rows are found with LIKE on the stored JSON (either escaping of non-ASCII)."""
    if not needles:
        return 0
    stored = cast(_OUTBOX.c.payload, String)
    patterns = {_json_inner(n, ascii_only) for n in needles for ascii_only in (True, False)}
    statement = select(_OUTBOX.c.id, _OUTBOX.c.payload).where(
        or_(*(stored.contains(p, autoescape=True) for p in sorted(patterns)))
    )
    if user_id is not None:
        statement = statement.where(_OUTBOX.c.user_id == user_id)
    changed = 0
    for row_id, payload in (await session.execute(statement)).all():
        masked = masked_payload(payload, needles)
        if masked != payload:
            await session.execute(
                update(_OUTBOX).where(_OUTBOX.c.id == row_id).values(payload=masked)
            )
            changed += 1
    return changed


def masked_payload(payload: dict[str, Any], needles: Iterable[str]) -> dict[str, Any]:
    """The payload with every needle masked in its text, buttons and contact-button label."""
    pattern = re.compile("|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True)))

    def mask(value: Any) -> Any:
        return pattern.sub(MASK, value) if isinstance(value, str) else value

    result = dict(payload)
    result["text"] = mask(result.get("text", ""))
    result["request_contact"] = mask(result.get("request_contact"))
    result["buttons"] = [
        [{**button, "label": mask(button.get("label"))} for button in row]
        for row in result.get("buttons") or []
    ]
    return result


def _json_inner(text: str, ascii_only: bool) -> str:
    return json.dumps(text, ensure_ascii=ascii_only)[1:-1]


def _owned_by_user() -> list[Any]:
    """Columns of rows that exist only for their user (``ON DELETE CASCADE``), but the
    identities: those are deleted as ORM objects, which the message's pipeline holds."""
    return [
        fk.parent
        for table in Base.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table.name == "users"
        and fk.ondelete == "CASCADE"
        and table.name != "identities"
    ]


def _record_references() -> list[Any]:
    """Every column that points at users.id from a record we keep (reports, products,
    reviews, invites, announcements, calendar changes, approvals)."""
    columns = []
    for table in Base.metadata.sorted_tables:
        if table.name in NOT_RECORDS:
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name == "users" and fk.column.name == "id":
                columns.append(fk.parent)
    return columns


async def drop_placeholders(session: AsyncSession, user_id: int | None = None) -> int:
    """Delete erased users that no record points at any more (one, or all of them)."""
    users = User.__table__
    conditions = [users.c.status == UserStatus.ERASED]
    for column in _record_references():
        if column.table is users:
            other = users.alias("other_users")
            column = other.c[column.name]
        conditions.append(~exists().where(column == users.c.id))
    if user_id is not None:
        conditions.append(users.c.id == user_id)
    result = await session.execute(delete(users).where(*conditions))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]

"""Pre-registering commune officers from the office's list (name, phone, commune).

An imported officer is a :class:`~storage.models.User` with role officer and status
``"imported"``: no messenger identity, no consent yet, no access to anything. The phone
number is the key: importing a list twice adds nobody, and when the officer registers in the
chat with that number (shared from the messenger, so it is theirs) they are approved at once
(:func:`storage.imports.claim.claim_imported_officer`).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from forms.readers.phone import display_phone
from storage.imports import fields
from storage.imports.fields import PlaceFinder, Problem, collect
from storage.imports.result import ImportReport, RowProblem
from storage.imports.tables import Field, Row
from storage.models import Commune, Role, User, UserStatus

IMPORTED = "imported"  # User.status of a pre-registered officer who has not come yet

PLACE_FIELDS = (
    Field(
        "commune",
        (
            "Xã/phường",
            "Xã",
            "Phường",
            "Xã, phường",
            "Xã/phường/đặc khu",
            "Tên xã",
            "commune",
            "ward",
        ),
    ),
    Field("commune_code", ("Mã xã", "Mã xã/phường", "Mã đơn vị", "commune code", "ward code")),
    Field(
        "province",
        ("Tỉnh", "Tỉnh/thành phố", "Tỉnh, thành phố", "Tỉnh/TP", "province", "city"),
    ),
    Field("province_code", ("Mã tỉnh", "Mã tỉnh/thành phố", "province code")),
)
PLACE_NEEDED = (("commune", "commune_code"),)

OFFICER_FIELDS = (
    Field(
        "name",
        ("Họ tên", "Họ và tên", "Tên cán bộ", "Cán bộ", "Tên", "name", "full name", "officer"),
        required=True,
    ),
    Field(
        "phone",
        (
            "Số điện thoại",
            "SĐT",
            "Điện thoại",
            "Số ĐT",
            "Di động",
            "phone",
            "phone number",
            "mobile",
        ),
        required=True,
    ),
    *PLACE_FIELDS,
)


def place_of(row: Row, places: PlaceFinder, default_province: int | None) -> Commune:
    return places.commune(
        row.get("commune"),
        row.get("commune_code"),
        row.get("province"),
        row.get("province_code"),
        default_province,
    )


async def import_officers(
    session: AsyncSession,
    rows: list[Row],
    report: ImportReport,
    *,
    default_province: int | None = None,
) -> None:
    """Validate every row and add or update the good ones; bad rows go to ``report``."""
    places = await PlaceFinder.load(session)
    seen: dict[str, int] = {}
    for row in rows:
        report.rows += 1
        reasons: list[str] = []
        name = collect(reasons, fields.person_name, row.get("name"))
        phone = collect(reasons, fields.phone, row.get("phone"))
        commune = collect(reasons, place_of, row, places, default_province)
        if phone is not None and phone in seen:
            reasons.append(f"phone {display_phone(phone)} is also on row {seen[phone]}")
        if phone is not None:
            seen.setdefault(phone, row.number)
        if reasons or name is None or phone is None or commune is None:
            report.problems.append(RowProblem(row.number, "; ".join(reasons)))
            continue
        try:
            outcome = await _upsert(session, name, phone, commune)
        except Problem as problem:
            report.problems.append(RowProblem(row.number, str(problem)))
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)


async def _upsert(session: AsyncSession, name: str, phone: str, commune: Commune) -> str:
    """ "created", "updated" or "unchanged"; a number that already belongs to someone
    registered in the chat is left alone (and reported unless it is this commune's officer)."""
    users = (await session.scalars(select(User).where(User.phone == phone).order_by(User.id))).all()
    registered = [u for u in users if u.status not in (IMPORTED, UserStatus.NEW)]
    if registered:
        if any(u.role == Role.OFFICER and u.commune_code == commune.code for u in registered):
            return "unchanged"
        other = registered[0]
        raise Problem(
            f"phone {display_phone(phone)} already belongs to registered user #{other.id} "
            f"({other.full_name or '?'}, {other.role or 'no role'})"
        )
    imported = next((u for u in users if u.status == IMPORTED), None)
    if imported is None:
        session.add(
            User(
                role=Role.OFFICER,
                status=IMPORTED,
                full_name=name,
                phone=phone,
                language="vi",
                province_code=commune.province_code,
                commune_code=commune.code,
            )
        )
        await session.flush()
        return "created"
    wanted = {
        "role": Role.OFFICER,
        "full_name": name,
        "province_code": commune.province_code,
        "commune_code": commune.code,
    }
    if all(getattr(imported, key) == value for key, value in wanted.items()):
        return "unchanged"
    for key, value in wanted.items():
        setattr(imported, key, value)
    await session.flush()
    return "updated"

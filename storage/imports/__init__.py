"""Imports of the lists an office already keeps: officers and certified products.

``import_file()`` is the entry point of ``ocop-bot import officers|products FILE``;
``claim_imported_officer()`` is what onboarding calls. See ``docs/exports.md``.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from forms.registry import FORMS
from forms.schema import Form, FormError, load_forms
from storage.imports.claim import claim_imported_officer, imported_officer
from storage.imports.officers import (
    IMPORTED,
    OFFICER_FIELDS,
    PLACE_NEEDED,
    import_officers,
)
from storage.imports.products import PRODUCT_FIELDS, import_products
from storage.imports.result import ImportReport, RowProblem
from storage.imports.tables import ImportFileError, read_rows

ImportKind = Literal["officers", "products"]
KINDS: tuple[ImportKind, ...] = ("officers", "products")


async def import_file(
    session_factory: async_sessionmaker[AsyncSession],
    kind: ImportKind,
    path: Path,
    *,
    default_province: int | None = None,
    dry_run: bool = False,
    zone: ZoneInfo | str = "Asia/Ho_Chi_Minh",
    today: date | None = None,
) -> ImportReport:
    """Read ``path`` (.xlsx or .csv), import its good rows in one transaction and report
    the bad ones. ``dry_run`` checks everything and writes nothing. Raises
    :class:`ImportFileError` when the file as a whole cannot be used."""
    if kind not in KINDS:
        raise ImportFileError(f"Unknown list '{kind}': import officers or products.")
    zone = ZoneInfo(zone) if isinstance(zone, str) else zone
    today = today or datetime.now(zone).date()
    fields = OFFICER_FIELDS if kind == "officers" else PRODUCT_FIELDS
    # Reading a workbook is slow, synchronous work: off the event loop, so a bot serving
    # chats in the same process keeps answering.
    rows = await asyncio.to_thread(read_rows, Path(path), fields, one_of=PLACE_NEEDED)
    report = ImportReport(kind, dry_run=dry_run)
    async with session_factory() as session:
        try:
            if kind == "officers":
                await import_officers(session, rows, report, default_province=default_province)
            else:
                await import_products(
                    session,
                    rows,
                    report,
                    today=today,
                    idea_form=_idea_form(),
                    default_province=default_province,
                )
        except BaseException:
            await session.rollback()
            raise
        if dry_run:
            await session.rollback()
        else:
            await session.commit()
    return report


def _idea_form() -> Form | None:
    """The product-idea form names the product groups; without it groups are not read."""
    try:
        return (dict(FORMS) or load_forms()).get("product_idea")
    except FormError:
        return None


__all__ = [
    "IMPORTED",
    "KINDS",
    "ImportFileError",
    "ImportKind",
    "ImportReport",
    "RowProblem",
    "claim_imported_officer",
    "import_file",
    "imported_officer",
]

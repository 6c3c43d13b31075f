"""Bad cells and oversized files are reported, never a crash (observed: a commune code `²`,
a 128 KB cell)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.imports import ImportFileError, import_file, tables
from tests.storage.test_imports import OFFICERS, factory, problems, write_csv, write_xlsx

__all__ = ["factory"]  # the fixture, shared with the import tests


async def test_odd_cells_are_row_errors(
    factory: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    rows = [
        OFFICERS[0],
        [1, "Nguyễn Thị Hằng", "0912 345 678", None, "²", None],
        [2, "Hoàng Văn Đức\u202e", "0912 345 679", None, "99999999999999", None],
        [3, "x" * 128_000, "0912 345 670", "Cao Lộc", None, "Lạng Sơn"],
        [4, "Vi Văn Tú", "+84 98 111 2222", None, "06040", None],
    ]
    report = await import_file(factory, "officers", write_xlsx(tmp_path / "odd.xlsx", rows))
    bad = problems(report)
    assert "commune code '²' is not an official code" in bad[2]
    assert "is not an official code" in bad[3]
    assert "longer than 2,000 characters" in bad[4]
    assert 5 not in bad and report.created == 1


async def test_a_file_with_too_many_rows_is_refused_in_one_sentence(
    factory: async_sessionmaker[AsyncSession], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tables, "MAX_ROWS", 3)
    rows = [
        OFFICERS[0],
        *[[n, f"Người {n}", f"091234{n:04d}", "Cao Lộc", None, "Lạng Sơn"] for n in range(5)],
    ]
    with pytest.raises(ImportFileError, match="more than 3 rows: split it"):
        await import_file(factory, "officers", write_csv(tmp_path / "big.csv", rows))

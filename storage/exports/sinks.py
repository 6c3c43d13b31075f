"""What every export format's writer offers: a sink of tables, each taking rows one by one.

The export (:mod:`storage.exports.run`) speaks only to these protocols, so a format is one
module of its own: :mod:`~storage.exports.xlsx_sink` (a workbook, written in a thread of its
own) and :mod:`~storage.exports.csv_sink` (one table, straight to the output). Both take rows
one at a time and keep none of them, and both neutralise text at the last step before the
file (:mod:`storage.exports.cells`), so that no caller can write a formula by accident.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from storage.exports.cells import Kind, Value

Output = str | Path | IO[bytes]


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = Kind.TEXT


@dataclass(frozen=True)
class TablePlan:
    """A table the workbook will hold: known before writing starts, ``rows`` included."""

    name: str
    columns: tuple[Column, ...]
    rows: int


class Table(Protocol):
    rows: int

    def row(self, values: Sequence[Value]) -> None: ...
    async def flush(self) -> None: ...
    async def close(self) -> None: ...


class Sink(Protocol):
    sheets: list[str]

    def table(self, name: str, columns: Sequence[Column]) -> Table: ...
    async def finish(self) -> None: ...
    async def abort(self) -> None: ...


class MoreRowsThanPlanned(RuntimeError):
    """A table got more rows than were counted before writing: its sheets are fixed."""

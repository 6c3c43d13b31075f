"""Long ``IN (...)`` lists cut into pieces every database accepts.

A reminder run over the whole country asks about tens of thousands of users and keys, more
parameters than one statement may carry (32,767 in PostgreSQL's protocol, 999 in older SQLite
builds).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

KEY_CHUNK = 500


def chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]

"""Every transcript in ``transcripts/`` replayed through the real handlers, on each database."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import make_settings
from tests.transcript import replay

FOLDER = Path(__file__).parent / "transcripts"
# In every transcript, the console user "admin" is a national admin (from settings).
ADMINS = ["console:admin"]


@pytest.mark.parametrize("path", sorted(FOLDER.glob("*.txt")), ids=lambda p: p.stem)
async def test_transcript(path: Path, database_url: str) -> None:
    await replay(path, make_settings(database_url, admins=ADMINS))

"""Fixtures of the handler tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.handlers.scene import build_world


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[Any]:
    """Two province admins (Lạng Sơn, Hà Nội), officers, a producer and one sent report."""
    async for value in build_world(database_url):
        yield value

"""The registries a started bot fills (forms in use, their versions, chat commands), put back
as they were after a test that imported forms, so no other test sees those forms."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from forms import registry
from handlers import registry as handler_registry


@pytest.fixture
def clean_registries() -> Iterator[None]:
    forms, versions = dict(registry.FORMS), dict(registry.VERSIONS)
    commands = dict(handler_registry.COMMANDS)
    installed_from = list(registry._installed_from)
    yield
    registry.FORMS.clear()
    registry.FORMS.update(forms)
    registry.VERSIONS.clear()
    registry.VERSIONS.update(versions)
    handler_registry.COMMANDS.clear()
    handler_registry.COMMANDS.update(commands)
    # So that the next app to start loads the form files again if they were not loaded.
    registry._installed_from[:] = installed_from

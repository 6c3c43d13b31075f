"""The forms in use. Loaded and checked by :func:`install_forms` at start-up, so a broken
form file stops the bot with one sentence before anyone is asked a question from it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from forms.schema import DEFINITIONS_DIR, Form, load_forms

FORMS: dict[str, Form] = {}
_installed_from: list[Path] = []


def install_forms(folder: Path | None, register: Callable[[Form], None]) -> dict[str, Form]:
    """Load every form in ``folder`` (the built-in ones by default) and register their
    commands; raises :class:`~forms.schema.FormError` on a broken file."""
    folder = folder or DEFINITIONS_DIR
    if _installed_from == [folder]:
        return FORMS
    forms = load_forms(folder)
    FORMS.clear()
    FORMS.update(forms)
    for form in forms.values():
        register(form)
    _installed_from[:] = [folder]
    return FORMS

"""The forms in use. Loaded and checked by :func:`install_forms` at start-up, so a broken
form file stops the bot with one sentence before anyone is asked a question from it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from forms.schema import DEFINITIONS_DIR, Form, load_forms

FORMS: dict[str, Form] = {}
# Every version of the forms imported from XLSForm workbooks (storage/installed_forms.py):
# a draft that began with a version is finished with it. FORMS holds the active one.
VERSIONS: dict[tuple[str, str], Form] = {}
_installed_from: list[Path] = []


def add_imported(versions: list[tuple[Form, bool]], register: Callable[[Form], None]) -> None:
    """Make imported forms usable: every version by (id, version), the active one by id
    (its command registered). A form whose id or command a form file uses is left out."""
    builtin_commands = {c for f in FORMS.values() if f.version is None for c in f.commands}
    for form, active in versions:
        existing = FORMS.get(form.id)
        if existing is not None and existing.version is None:
            continue
        if set(form.commands) & builtin_commands:
            continue
        assert form.version is not None
        VERSIONS[(form.id, form.version)] = form
        if active:
            FORMS[form.id] = form
            register(form)


def form_version(form_id: str, version: str | None) -> Form | None:
    """The form a draft began with: that version when it is known, else the form in use."""
    if version is not None and (form_id, version) in VERSIONS:
        return VERSIONS[(form_id, version)]
    return FORMS.get(form_id)


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

"""Translation and locale formatting.

Every user-facing string is an English msgid translated through gettext catalogs in
``locales/``. Handlers call ``t("...")`` on a :class:`Translator` bound to the user's
language; module-level strings are marked with :func:`N_` so Babel extracts them and are
translated when shown.
"""

from __future__ import annotations

import gettext
import io
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel.dates import format_date as _babel_format_date
from babel.dates import format_datetime as _babel_format_datetime
from babel.lists import format_list as _babel_format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal as _babel_format_decimal


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now (translated when shown)."""
    return message


LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"


class CatalogError(Exception):
    """A catalog is missing or broken: the bot must not talk to people with raw msgids."""


def _load_catalog(language: str) -> gettext.GNUTranslations:
    """The compiled catalog, compiled from the .po in memory when the .mo is missing or stale.

    Compiling here keeps the README's one-line start working even if nobody ran
    ``pybabel compile``; CI and packaging still compile explicitly.
    """
    folder = LOCALES_DIR / language / "LC_MESSAGES"
    po_path, mo_path = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    fresh = mo_path.exists() and (
        not po_path.exists() or mo_path.stat().st_mtime >= po_path.stat().st_mtime
    )
    if fresh:
        with mo_path.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    if not po_path.exists():
        raise CatalogError(f"No catalog for language '{language}' at {po_path}")
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@cache
def translations(language: str) -> gettext.GNUTranslations:
    return _load_catalog(language)


class Translator:
    """Translate and format for one language; handlers get one bound to the user's language."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._catalog = translations(language)

    def t(self, message: str, /, **params: object) -> str:
        """Translate ``message`` and fill its ``{name}`` placeholders."""
        text = self._catalog.gettext(message)
        return text.format(**params) if params else text

    def tn(self, singular: str, plural: str, n: int, /, **params: object) -> str:
        text = self._catalog.ngettext(singular, plural, n)
        return text.format(n=n, **params)

    def date(self, value: date) -> str:
        """Dates as people write them: 15/03/2024 in Vietnamese, Mar 15, 2024 in English."""
        pattern = "dd/MM/yyyy" if self.language == "vi" else "medium"
        return _babel_format_date(value, format=pattern, locale=self.language)

    def datetime(self, value: datetime) -> str:
        pattern = "HH:mm dd/MM/yyyy" if self.language == "vi" else "medium"
        return _babel_format_datetime(value, format=pattern, locale=self.language)

    def number(self, value: int | float | Decimal) -> str:
        return _babel_format_decimal(value, locale=self.language)

    def either(self, items: list[str]) -> str:
        """``1, 2 hoặc 3`` / ``1, 2, or 3``: one of several, as the language lists them."""
        return _babel_format_list(items, style="or", locale=self.language)

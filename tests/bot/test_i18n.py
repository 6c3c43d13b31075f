"""The catalogs are complete, current and load: no user ever sees a raw msgid or a gap."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR, Translator

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"t": None, "N_": None, "tn": (1, 2)}
SOURCES = ("bot", "forms", "handlers", "storage", "scheduler")


def _catalog(path: Path):  # type: ignore[no-untyped-def]
    with path.open("rb") as handle:
        return read_po(handle)


def _ids(catalog) -> set[str]:  # type: ignore[no-untyped-def]
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_template_is_current() -> None:
    """A string added to the code without re-running locales/update.sh fails here."""
    found: set[str] = set()
    for folder in SOURCES:
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    template = _ids(_catalog(LOCALES_DIR / "messages.pot"))
    assert found - template == set(), "run locales/update.sh: new strings missing"
    assert template - found == set(), "run locales/update.sh: stale strings in the template"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_catalog_complete(language: str) -> None:
    template = _ids(_catalog(LOCALES_DIR / "messages.pot"))
    catalog = _catalog(LOCALES_DIR / language / "LC_MESSAGES" / "messages.po")
    assert _ids(catalog) >= template
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"{language}: no translation for {msgid!r}"
        assert not message.fuzzy, f"{language}: fuzzy translation for {msgid!r}"
        for text in strings:
            assert _fields(text) == _fields(msgid), f"{language}: placeholders differ in {msgid!r}"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_catalog_loads_and_translates(language: str) -> None:
    tr = Translator(language)
    text = tr.t("Hello {name}!", name="Hoa")
    assert text == ("Xin chào Hoa!" if language == "vi" else "Hello Hoa!")


def test_vietnamese_formats() -> None:
    from datetime import date
    from decimal import Decimal

    vi, en = Translator("vi"), Translator("en")
    assert vi.date(date(2024, 3, 15)) == "15/03/2024"
    assert vi.number(Decimal("1234.5")) == "1.234,5"
    assert en.number(Decimal("1234.5")) == "1,234.5"
    assert re.search(r"Mar 15, 2024", en.date(date(2024, 3, 15)))

"""The catalogs are complete, current and load: no user ever sees a raw msgid or a gap."""

from __future__ import annotations

import re
import string
import unicodedata
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR, Translator

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"t": None, "N_": None, "tn": (1, 2)}
SOURCES = ("bot", "forms", "handlers", "storage", "scheduler")
# As babel.cfg: the dashboard's pages call t() like the handlers.
METHODS = [("**.py", "python"), ("**/web/templates/**.html", "jinja2")]


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
            ROOT / folder, method_map=METHODS, keywords=KEYWORDS
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


# -- the Vietnamese register and spelling (the rules at the top of the vi catalog) ------------

_WORD = re.compile(r"[^\W\d_]+")
_TONES = {"\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}  # huyền sắc hỏi ngã nặng
_GLIDES = {("o", "a"), ("o", "e"), ("u", "y")}


def _vi_strings() -> list[tuple[str, str]]:
    catalog = _catalog(LOCALES_DIR / "vi" / "LC_MESSAGES" / "messages.po")
    found: list[tuple[str, str]] = []
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        found.extend((msgid, unicodedata.normalize("NFC", text)) for text in strings if text)
    return found


def tone_style(word: str) -> str | None:
    """Where an open "oa", "oe" or "uy" syllable carries its tone: "old" on the first vowel
    (hóa, khỏe, hủy), "new" on the second vowel; None when the word has no such choice (hoàn,
    quý, hoa)."""
    if len(word) < 2:
        return None
    parts = []
    for letter in word[-2:]:
        decomposed = unicodedata.normalize("NFD", letter)
        marks = decomposed[1:]
        if any(mark not in _TONES for mark in marks):
            return None  # ô, ơ, ư, ă...: another vowel, no choice to make
        parts.append((decomposed[0].lower(), bool(marks)))
    (first, first_tone), (second, second_tone) = parts
    if (first, second) not in _GLIDES or word[-3:-2].lower() == "q":
        return None  # "quý": the u belongs to "qu"
    if first_tone != second_tone:
        return "old" if first_tone else "new"
    return None


def test_tone_style_reads_both_conventions() -> None:
    new = ("kho\u00e1", "hu\u1ef7", "Thu\u1ef7")  # escaped: editors may "fix" them
    assert [tone_style(w) for w in ("hóa", new[0], "Hủy", new[1], "khỏe", new[2])] == [
        "old",
        "new",
        "old",
        "new",
        "old",
        "new",
    ]
    assert [tone_style(w) for w in ("hoa", "hoàn", "quý", "Toàn", "hoặc", "thuở")] == [None] * 6


def test_vietnamese_says_anh_chi_never_ban() -> None:
    """A public service addresses officials and citizens as "anh/chị", not "bạn"."""
    wrong = [
        msgid
        for msgid, text in _vi_strings()
        if any(word.casefold() == "bạn" for word in _WORD.findall(text))
    ]
    assert wrong == [], "“bạn” in the Vietnamese catalog (say “anh/chị”):\n" + "\n".join(wrong)


def test_vietnamese_asks_with_anh_chi_vui_long() -> None:
    """A request names whom it asks ("Anh/chị vui lòng gõ số nguyên…", "…; anh/chị vui lòng
    không chia sẻ"): a bare "Vui lòng…" reads as a sign on a wall, not a public service
    speaking to a person."""
    wrong = [
        msgid
        for msgid, text in _vi_strings()
        for found in re.finditer(r"vui lòng", text, re.IGNORECASE)
        if not text[: found.start()].casefold().endswith("anh/chị ")
    ]
    assert wrong == [], "say “Anh/chị vui lòng…”, not a bare “Vui lòng…”:\n" + "\n".join(wrong)


def test_vietnamese_spelling_is_one_convention() -> None:
    """Tones placed the traditional way throughout (hóa, khóa, hủy), as state documents do:
    never one word spelt two ways in one conversation."""
    wrong = sorted(
        {
            f"{word}: {msgid}"
            for msgid, text in _vi_strings()
            for word in _WORD.findall(text)
            if tone_style(word) == "new"
        }
    )
    assert wrong == [], "write hóa, khóa, hủy, thủy (the tone on the first vowel):\n" + "\n".join(
        wrong
    )


def test_english_reads_as_the_source() -> None:
    """The English catalog is the English source itself: an entry that differs is a stale or
    machine-made translation (the language chooser alone adds the Vietnamese after it)."""
    catalog = _catalog(LOCALES_DIR / "en" / "LC_MESSAGES" / "messages.po")
    wrong = []
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not message.id or not all(strings):  # a gap: test_catalog_complete says so
            continue
        if isinstance(message.id, tuple):
            if tuple(message.string) != tuple(message.id):
                wrong.append(message.id[0])
        elif not message.string.startswith(message.id):
            wrong.append(message.id)
    assert wrong == []

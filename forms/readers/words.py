"""The words around an answer: what people type before and after the value itself.

Officials answer from phones the way they speak: ``dạ có 12 sp ạ``, ``khoảng 20``, ``doanh
thu tháng này tầm 15tr``, ``hai lớp``. Every reader first takes the answer into
:func:`words` (cleaned, accents dropped, lower case, emoji and stray symbols gone), then
peels off what carries no value: polite particles, restatements of the question, "about".
Words that *change* a value ("hơn 20" is not 20) are reported, not dropped silently.

Everything here runs over the words once (no regular expression that backtracks, no loop
over words inside a loop over words), so a pasted essay costs no more than reading it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.text import clean
from forms.readers.results import simplify
from forms.readers.units import MULTIPLIERS, is_unit

# Everything that is not a letter, digit, space or the punctuation numbers, dates and phone
# numbers use (emoji, quotes, brackets, "!", "?", "…") becomes a space.
_NOISE = re.compile(r"[^a-z0-9 .,/:%+\-\u2212\u2013<>\u2264\u2265$€£¥]")
_BETWEEN_LETTERS = re.compile(r"(?<=[a-z])[.,:](?=[a-z])|(?<=[a-z])[.,:](?=[0-9])")
# Signs and comparisons stand alone: "20+" is 20 and more, ">20" more than 20.
_APART = re.compile(r"([+<>\u2264\u2265$€£¥])")

# Said before or after any answer, meaning nothing: "dạ", "vâng", "thưa", "ạ", "nhé"...
POLITE_LEADING = frozenset({"da", "vang", "thua", "ok", "oke", "uh", "u", "um", "vay", "the"})
POLITE_TRAILING = frozenset(
    {
        "a",
        "ah",
        "ak",
        "nhe",
        "nha",
        "nhaa",
        "nhak",
        "thoi",
        "luon",
        "day",
        "em",
        "anh",
        "chi",
        "ban",
        "ad",
        "admin",
        "c",
        "e",
        "please",
        "thanks",
        "cam on",
        "camon",
        "cm",
        "tks",
        "thank",
        "you",
        "on nhieu",
    }
)

# Before a number: who is speaking and what they are counting ("bên em có", "tổng cộng là").
_LEADING_FILLERS = frozenset(
    {
        "co",
        "la",
        "duoc",
        "dc",
        "tong",
        "tong cong",
        "tong so",
        "gom",
        "ben",
        "xa",
        "em",
        "toi",
        "minh",
        "chung toi",
        "chung em",
        "hien",
        "hien tai",
        "hien nay",
        "ky nay",
        "thang nay",
        "quy nay",
        "nam nay",
        "trong ky",
        "trong thang",
        "so",
        "so luong",
        "sl",
        "ca",
        "tat ca",
        "tat ca la",
        "dat",
        "chi",
        "chi co",
        "ghi",
        "bao cao",
    }
)
# "About": the value is the value (``khoảng 20`` is stored as 20).
APPROXIMATE = frozenset(
    {
        "khoang",
        "tam",
        "chung",
        "do",
        "co",
        "uoc",
        "uoc tinh",
        "uoc chung",
        "xap xi",
        "approximately",
        "approx",
        "about",
        "around",
        "roughly",
        "~",
        "tam tam",
        "sap xi",
        "hon kem",
    }
)
# Bounds: the number is not the answer ("hơn 20" may be 23), so the reader asks.
BOUNDS = frozenset(
    {
        "hon",
        "tren",
        "gan",
        "duoi",
        "it nhat",
        "toi thieu",
        "toi da",
        "khong qua",
        "chua toi",
        "chua den",
        "hon nua",
        "over",
        "under",
        "more than",
        "less than",
        "at least",
        "at most",
        "nearly",
        "almost",
        ">",
        "<",
        "> =",
        "< =",
        "\u2264",
        "\u2265",
    }
)
TRAILING_BOUNDS = frozenset({"tro len", "tro xuong", "tro lai", "hon", "+", "or more", "plus"})


def words(text: str) -> list[str]:
    """The answer as plain words: cleaned (:func:`bot.text.clean`), accents dropped, lower
    case, emoji and stray symbols turned into spaces; number punctuation stays."""
    spaced = _APART.sub(r" \1 ", _NOISE.sub(" ", simplify(clean(text))))
    spaced = _BETWEEN_LETTERS.sub(" ", spaced)  # "sp.ạ", "tấn,nhé": a mark between words
    # A full stop or comma ending a word ends the sentence ("12.", "sp,"), not the number.
    return [word for word in (w.rstrip(".,:;") for w in spaced.split()) if word]


def _phrase_at(tokens: Sequence[str], start: int, end: int, phrases: frozenset[str]) -> int:
    """Length (1 or 2 words) of the phrase of ``phrases`` at ``tokens[start]``, or 0."""
    if start + 1 < end and f"{tokens[start]} {tokens[start + 1]}" in phrases:
        return 2
    if start < end and tokens[start] in phrases:
        return 1
    return 0


def _phrase_before(tokens: Sequence[str], start: int, end: int, phrases: frozenset[str]) -> int:
    """Length (1 or 2 words) of the phrase of ``phrases`` ending at ``tokens[end - 1]``, or 0."""
    if end - 2 >= start and f"{tokens[end - 2]} {tokens[end - 1]}" in phrases:
        return 2
    if end - 1 >= start and tokens[end - 1] in phrases:
        return 1
    return 0


def strip_polite(tokens: Sequence[str]) -> list[str]:
    """Without the polite words around the answer (``dạ có ạ`` → ``có``); never empties it."""
    start, end = 0, len(tokens)
    while end - start > 1 and (size := _phrase_at(tokens, start, end, POLITE_LEADING)):
        if end - start - size < 1:
            break
        start += size
    while end - start > 1 and (size := _phrase_before(tokens, start, end, POLITE_TRAILING)):
        if end - start - size < 1:
            break
        end -= size
    return list(tokens[start:end])


@dataclass(frozen=True, slots=True)
class Framed:
    """What is left of an answer once the words around its value are gone.

    ``core`` is the value with its unit or noun (``12 sp``); ``approximate`` is set by
    "khoảng"; ``bound`` by words that make the number a limit rather than the answer.
    """

    core: list[str]
    approximate: bool
    bound: bool


def _is_value_start(token: str) -> bool:
    return token[:1].isdigit() or token[:1] in "+-\u2212\u2013" or token in NUMBER_WORDS


def frame(tokens: Sequence[str], context: Iterable[str] = ()) -> Framed:
    """Peel the words before and after a value (see the module docstring).

    ``context`` holds the folded words of the question, so that an answer restating it
    (``doanh thu 15tr`` to "Doanh thu trong tháng") keeps only the value. Leading words
    are only dropped while a value follows them.
    """
    known = frozenset(context)
    items = strip_polite(tokens)
    approximate = bound = False
    start, end = 0, len(items)
    while start < end and not items[start][:1].isdigit():
        if size := _phrase_at(items, start, end, BOUNDS):
            kind = "bound"
        elif size := _phrase_at(items, start, end, APPROXIMATE):
            kind = "approximate"
        elif size := _phrase_at(items, start, end, _LEADING_FILLERS):
            kind = ""
        elif items[start] in NUMBER_WORDS:
            break  # "năm mươi tấn" to "Sản lượng mỗi năm": "năm" is five here
        elif items[start] in known or items[start] in POLITE_LEADING:
            size, kind = 1, ""
        else:
            break
        if start + size >= end or (
            # "tám" is eight, "tầm 20" is about 20; "năm" is five, "năm nay 12" this year's 12.
            items[start] in NUMBER_WORDS and not _is_value_start(items[start + size])
        ):
            break
        bound = bound or kind == "bound"
        approximate = approximate or kind == "approximate"
        start += size
    while end - start > 1 and (size := _phrase_before(items, start, end, TRAILING_BOUNDS)):
        bound = True
        end -= size
    while end - start > 1 and (size := _phrase_before(items, start, end, POLITE_TRAILING)):
        end -= size
    return Framed(items[start:end], approximate, bound)


# --------------------------------------------------------------------------- number words

_DIGIT_WORDS: dict[str, int] = {
    "khong": 0,
    "mot": 1,
    "hai": 2,
    "ba": 3,
    "bon": 4,
    "nam": 5,
    "sau": 6,
    "bay": 7,
    "tam": 8,
    "chin": 9,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
}
# Spoken forms that only follow "mươi": 21 is "hai mươi mốt", 24 "hai mươi tư", 25 "… lăm".
_UNIT_AFTER_TENS: dict[str, int] = {**_DIGIT_WORDS, "tu": 4, "lam": 5, "nham": 5}
_TEN = "muoi"  # "mười" (ten) and "mươi" (tens) fold to the same word
_HUNDRED = "tram"
_ZERO_TENS = frozenset({"linh", "le"})  # "một trăm linh năm" = 105
_HALF_WORD = "nua"  # "nửa tấn": half a tonne
_ENGLISH = {"ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "thirty": 30, "hundred": 100}
NUMBER_WORDS = frozenset({*_UNIT_AFTER_TENS, _TEN, *_ZERO_TENS, *_ENGLISH})


def _ends_with_multiplier(token: str) -> bool:
    """``triệu``, ``7tr``, ``tỷ``: a token after which spoken digits continue the amount."""
    letters = token.lstrip("0123456789.,")
    return letters in MULTIPLIERS


def _ends_amount(tokens: Sequence[str], end: int) -> bool:
    """The spoken digits end the amount: nothing, a multiplier or a unit follows them."""
    return end == len(tokens) or tokens[end] in MULTIPLIERS or is_unit(tokens[end])


def _below_hundred(tokens: Sequence[str], i: int) -> tuple[int, int] | None:
    """(value, next index) of a spoken number below 100 at ``tokens[i]``, or None."""
    n = len(tokens)
    if i < n and tokens[i] in _ENGLISH and tokens[i] != "hundred":
        return _ENGLISH[tokens[i]], i + 1
    if i < n and tokens[i] == _TEN:  # "mười", "mười lăm"
        if i + 1 < n and tokens[i + 1] in _UNIT_AFTER_TENS and tokens[i + 1] != "khong":
            return 10 + _UNIT_AFTER_TENS[tokens[i + 1]], i + 2
        return 10, i + 1
    if i < n and tokens[i] in _DIGIT_WORDS:
        digit = _DIGIT_WORDS[tokens[i]]
        if i + 1 < n and tokens[i + 1] == _TEN and digit >= 2:  # "hai mươi", "hai mươi lăm"
            if i + 2 < n and tokens[i + 2] in _UNIT_AFTER_TENS and tokens[i + 2] != "khong":
                return digit * 10 + _UNIT_AFTER_TENS[tokens[i + 2]], i + 3
            return digit * 10, i + 2
        return digit, i + 1
    return None


def _spoken(tokens: Sequence[str], i: int) -> tuple[int, int] | None:
    """(value, next index) of a spoken number below 1000 at ``tokens[i]``, or None."""
    first = _below_hundred(tokens, i)
    if first is None:
        return None
    value, j = first
    n = len(tokens)
    if value < 10 and j < n and tokens[j] in (_HUNDRED, "hundred"):
        value, j = value * 100, j + 1
        if j < n and tokens[j] in _ZERO_TENS and j + 1 < n and tokens[j + 1] in _DIGIT_WORDS:
            return value + _DIGIT_WORDS[tokens[j + 1]], j + 2
        rest = _below_hundred(tokens, j)
        if rest is not None and rest[0] >= 10:  # "hai trăm năm mươi" = 250
            return value + rest[0], rest[1]
        if rest is not None and rest[1] == n:  # "hai trăm rưỡi" stays; "hai trăm tư" = 240
            return value + rest[0] * 10, rest[1]
    return value, j


def digits_for_words(tokens: Sequence[str]) -> list[str]:
    """Spoken numbers written as digits: ``hai mươi lăm`` → ``25``, ``ba lớp`` → ``3 lớp``.

    In an answer with digits, only the words right after a multiplier (``7 triệu hai
    trăm``): elsewhere "ba" and "năm" stay words when a number is typed.
    """
    typed = any(ch.isdigit() for token in tokens for ch in token)
    out: list[str] = []
    i, n = 0, len(tokens)
    while i < n:
        if typed and not (i and _ends_with_multiplier(tokens[i - 1])):
            out.append(tokens[i])
            i += 1
            continue
        if tokens[i] == _HALF_WORD and i + 1 < n:  # "nửa tấn", "nửa triệu"
            out.append("0,5")
            i += 1
            continue
        found = _spoken(tokens, i) if tokens[i] in NUMBER_WORDS else None
        if found is not None and typed and not _ends_amount(tokens, found[1]):
            found = None  # "15 triệu một tháng": "một" is "a" (month), not 15,1 triệu
        if found is None or (tokens[i] == "khong" and found[1] == i + 1):
            out.append(tokens[i])
            i += 1
            continue
        out.append(str(found[0]))
        i = found[1]
    return out


def typed_words(text: str) -> list[tuple[str, str]]:
    """Each typed word as :func:`words` reads it, beside the word as typed (accents kept),
    so that a message can quote the user's own spelling (``lớp``, not ``lop``)."""
    pairs: list[tuple[str, str]] = []
    for typed in clean(text).split():
        folded = _NOISE.sub(" ", simplify(typed)).split()
        if len(folded) == 1:
            pairs.append((folded[0], typed.strip(".,:;!?()[]\"'“”")))
    return pairs

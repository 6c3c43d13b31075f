"""The noun after a count (``12 sản phẩm``, ``3 lớp``, ``150 người``, ``2 cơ sở``) and whether
it is the thing the question counts.

A count question's label names what it counts right after "Số" (``Số lớp tập huấn``,
``Số lượt người được tập huấn``, ``Số HTX, doanh nghiệp…``). A typed noun of the same kind
(``sp`` for sản phẩm, ``cơ sở`` for an HTX or a company) fits; a noun of another kind
(``3 lớp`` to "Số lượt người") means the answer is about something else, and storing its
number would be a silent misread, so the reader refuses it and says why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from itertools import pairwise

from forms.readers.results import simplify
from forms.readers.units import MULTIPLIERS, resolve_unit
from forms.readers.words import NUMBER_WORDS

# Nouns people count with, by kind: a typed noun fits a label whose head noun is of the
# same kind. Folded, abbreviations as typed on phones included.
_KINDS: dict[str, tuple[str, ...]] = {
    "product": (
        "san pham", "sp", "y tuong", "mat hang", "sp ocop", "product", "products",
        "item", "items", "idea", "ideas",
    ),
    "person": (
        "nguoi", "ng", "hoc vien", "hv", "nguoi dan", "lao dong", "ld",
        "nguoi tham gia", "thanh vien", "tv", "can bo", "cb", "person", "persons", "people",
        "participants", "trainees", "members",
    ),
    "course": (
        "lop", "khoa", "lop hoc", "khoa hoc", "lop tap huan", "khoa tap huan", "buoi",
        "buoi tap huan", "course", "courses", "class", "classes", "training", "trainings",
    ),
    "organisation": (
        "htx", "hop tac xa", "doanh nghiep", "dn", "cong ty", "cty", "co so", "cs", "chu the",
        "to hop tac", "tht", "ho kinh doanh", "hkd", "don vi", "coop", "coops",
        "cooperative", "cooperatives", "enterprise", "enterprises", "company", "companies",
    ),
    "event": (
        "hoi cho", "trien lam", "su kien", "chuong trinh", "dot", "fair", "fairs",
        "event", "events", "exhibition", "exhibitions",
    ),
    "outlet": (
        "diem", "diem ban", "diem gioi thieu", "cua hang", "gian hang", "quay", "showroom",
        "showrooms", "shop", "shops", "store", "stores", "point", "points", "outlet", "outlets",
    ),
    "certificate": ("giay", "giay chung nhan", "gcn", "chung nhan", "certificate", "certificates"),
    "supermarket": ("sieu thi", "st", "supermarket", "supermarkets"),
    "household": ("ho", "ho gia dinh", "household", "households"),
    "commune": ("xa", "phuong", "thon", "commune", "communes", "village", "villages"),
}  # fmt: skip
_KIND_OF: dict[str, str] = {phrase: kind for kind, phrases in _KINDS.items() for phrase in phrases}
# Typed without spaces too ("12 sanpham", "3 hoichợ").
_KIND_OF_COMPACT: dict[str, str] = {
    phrase.replace(" ", ""): kind for phrase, kind in _KIND_OF.items() if " " in phrase
}
# Abbreviations read as the words of a label ("sp" in "12 điểm giới thiệu sp").
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "sp": ("san", "pham"), "ng": ("nguoi",), "dn": ("doanh", "nghiep"),
    "htx": ("hop", "tac", "xa"), "hv": ("hoc", "vien"), "cty": ("cong", "ty"),
    "gcn": ("giay", "chung", "nhan"), "tht": ("to", "hop", "tac"),
    "hkd": ("ho", "kinh", "doanh"), "st": ("sieu", "thi"), "ld": ("lao", "dong"),
    "cb": ("can", "bo"), "cs": ("co", "so"), "tv": ("thanh", "vien"), "th": ("tap", "huan"),
    "dt": ("doanh", "thu"), "sl": ("san", "luong"), "sx": ("san", "xuat"),
}  # fmt: skip
# Counted things that never change what is counted: "3 lần", "12 cái", "150 lượt".
_GENERIC = frozenset({"cai", "chiec", "lan", "luot", "times", "time", "pcs"})
# Words that may follow the noun without saying anything more ("12 sp OCOP thôi").
FILLERS = frozenset(
    {"ocop", "tat", "ca", "tong", "cong", "trong", "ky", "nay", "thoi", "a", "nhe", "nha",
     "moi", "da", "duoc", "dc", "co", "la", "dat", "dang", "o", "tai", "cua", "cho", "xa",
     "vao", "len", "xong", "chan",
     "in", "total", "this", "period"}
)  # fmt: skip
# Between an amount and the time it covers: "15tr / tháng", "15 triệu mỗi tháng".
CONNECTORS = frozenset({"/", "moi", "mot", "1", "trong", "hang", "per", "a", "each", "tren"})
# Words a label puts before the noun it counts ("Số lượt người", "Tổng số các HTX").
_LABEL_LEAD = frozenset(
    {"so", "tong", "luong", "luot", "cac", "nhung", "ocop", "number", "of", "the", "new"}
)
_LABEL_SPLIT = re.compile(r"[,/;()]| va | hoac | and | or ")
_LONGEST = 3  # words in the longest noun phrase above


class Fit(Enum):
    """How a typed noun relates to the question."""

    FITS = "fits"
    OTHER = "other"  # a noun of another kind: the answer counts something else
    UNKNOWN = "unknown"  # not a noun we know, nor words of the question


@dataclass(frozen=True, slots=True)
class Context:
    """What a question says about itself: its words, and the head nouns of its label."""

    words: frozenset[str]
    heads: tuple[tuple[str, ...], ...]

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(kind for head in self.heads if (kind := noun_at(head, 0)[0]))


def noun_at(words: Sequence[str], start: int) -> tuple[str | None, int]:
    """The kind (``"generic"`` for a word like "cái") and length of the longest noun phrase
    at ``words[start]``, or ``(None, 0)``."""
    for size in range(min(_LONGEST, len(words) - start), 0, -1):
        phrase = " ".join(words[start : start + size])
        if phrase in _KIND_OF:
            return _KIND_OF[phrase], size
        if size == 1 and phrase in _KIND_OF_COMPACT:
            return _KIND_OF_COMPACT[phrase], 1
        if size == 1 and phrase in _GENERIC:
            return "generic", 1
    return None, 0


# After the counted noun, words that describe it ("1 HTX nông nghiệp", "12 sp chè") leave
# the count as it is; these do not: a negation, a limit, a time, a failure.
_NOT_DESCRIBING = frozenset(
    {"khong", "ko", "k", "chua", "hon", "duoi", "tren", "gan", "toi", "den", "hoac", "hay",
     "va", "voi", "bi", "loai", "truot", "rot", "huy", "mat", "ngay", "tuan", "thang", "quy",
     "nam", "trong", "moi", "cac", "nhung", "them", "nua", "tru", "ngoai", "chi", "rieng"}
)  # fmt: skip


def _describes(word: str) -> bool:
    """A word that may describe the counted thing: letters only, not a negation or limit,
    a number, a unit or a multiplier ("12 sp hai sao" is not about this question)."""
    return (
        word.isalpha()
        and len(word) > 1
        and word not in _NOT_DESCRIBING
        and word not in NUMBER_WORDS
        and word not in MULTIPLIERS
        and resolve_unit(word) is None
    )


@lru_cache(maxsize=256)
def _context(labels: tuple[str, ...]) -> Context:
    words: set[str] = set()
    heads: list[tuple[str, ...]] = []
    for label in labels:
        simplified = simplify(label)
        label_words = re.sub(r"[^a-z0-9 ]", " ", simplified).split()
        words.update(label_words)
        # "dt" for "doanh thu", "sl" for "sản lượng": the initials of each pair of words,
        # and the abbreviations of the label's words ("sp" where it says "sản phẩm").
        words.update(a[0] + b[0] for a, b in pairwise(label_words))
        words.update(
            short for short, long in ABBREVIATIONS.items() if set(long) <= set(label_words)
        )
        for part in _LABEL_SPLIT.split(simplified):
            part_words = re.sub(r"[^a-z0-9 ]", " ", part).split()
            lead = 0
            while lead < len(part_words) and part_words[lead] in _LABEL_LEAD:
                lead += 1
            if part_words[lead:]:  # without "Số" the label starts with its noun
                heads.append(tuple(part_words[lead:]))
    return Context(frozenset(words), tuple(heads))


def context(labels: Iterable[str]) -> Context:
    """The :class:`Context` of a question's labels (cached: the same labels come back)."""
    return _context(tuple(labels))


def fit(tail: Sequence[str], question: Context) -> Fit:
    """Whether the words after a count (``sp``, ``người được tập huấn``) fit the question."""
    kind, size = noun_at(tail, 0)
    if kind is None:
        # Not a noun we know: the question's own head noun ("3 xúc tiến") still fits.
        if any(tuple(tail) == head[: len(tail)] for head in question.heads):
            return Fit.FITS
        return Fit.UNKNOWN
    for index in range(size, len(tail)):
        word = tail[index]
        if word in question.words or word in FILLERS:
            continue
        if word == "/" and index + 1 < len(tail) and tail[index + 1] in question.words:
            continue  # "12 sp/kỳ" to a question "... trong kỳ"
        if word in ABBREVIATIONS and set(ABBREVIATIONS[word]) <= question.words:
            continue  # "sp" where the question says "sản phẩm" ("điểm giới thiệu sp")
        if not _describes(word) or noun_at(tail, index)[0] is not None:
            return Fit.UNKNOWN
    if kind == "generic" or not question.heads:
        return Fit.FITS
    if kind in question.kinds:
        return Fit.FITS
    typed = tuple(tail[:size])
    if any(typed == head[:size] for head in question.heads):
        return Fit.FITS
    return Fit.OTHER

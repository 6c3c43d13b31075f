"""One or several options of a choice question, by number (``2``, ``1, 3``), label,
initials (``htx``) or the start of a label's words, with or without diacritics.

Every reader here runs in time linear in the answer: a long line of separators, numbers or
words costs about as much as reading it once (tests/forms/readers/test_long_inputs.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from bot.text import clean
from forms.readers.results import (
    MSG_CHOICE,
    MSG_CHOICE_NUMBER,
    MSG_CHOICE_UNKNOWN_PART,
    MSG_CHOICES,
    MSG_CHOICES_TOO_FEW,
    MSG_CHOICES_TOO_MANY,
    Ambiguous,
    Choice,
    Ok,
    Rejected,
    match_key,
    shorten,
)
from forms.readers.yes_no import read_yes_no

_CHOICE_NUMBER = re.compile(r"(?:so |option |lua chon )?([0-9]+)")
_NUMBERS = re.compile(r"[0-9]+(?: [0-9]+)*")
_NONE_WORDS = frozenset({"khong", "ko", "khong co", "none", "0", "khong chon"})
# "All of these" ("tất cả", "chọn hết"): every option, when the question allows them all.
_ALL_WORDS = frozenset({"tat ca", "tat ca cac muc", "het", "chon het", "all", "all of them"})
# Said around a choice ("dạ chọn 2 ạ", "phương án 2", "htx nhé"): tried without them when
# the answer as typed matches nothing, so a label that has such a word still matches whole.
_LEADING = frozenset(
    {"da", "vang", "thua", "chon", "em", "toi", "minh", "xin", "phuong", "an", "pa", "lua",
     "dap", "cau", "muc", "la", "cai", "thu", "loai", "hinh", "nhom", "ben", "cua", "thuoc",
     "choose", "option", "i", "pick"}
)  # fmt: skip
_TRAILING = frozenset(
    {"a", "ah", "ak", "nhe", "nha", "nhen", "roi", "thoi", "luon", "day", "em", "anh", "chi",
     "please", "ad", "admin", "cam", "on", "camon", "thanks", "tks", "nhieu"}
)  # fmt: skip
# No \s* around the separators: each part is folded (and so stripped) anyway, and a \s*
# that can start anywhere in a run of spaces made split() quadratic on such a run.
_CHOICE_SEPARATORS = re.compile(r"[,;\n+&]|\b(?:va|and|voi)\b")


@dataclass(frozen=True, slots=True)
class _Label:
    """A label in the forms it is compared in."""

    folded: str
    compact: str
    initials: str
    words: tuple[str, ...]

    @classmethod
    def of(cls, label: str) -> _Label:
        folded = match_key(label)
        words = tuple(folded.split())
        return cls(folded, folded.replace(" ", ""), "".join(w[0] for w in words), words)


def _prepared(options: Sequence[Choice]) -> list[list[_Label]]:
    return [[_Label.of(label) for label in option.labels] for option in options]


def _word_prefixes(query_words: Sequence[str], label_words: Sequence[str]) -> bool:
    """Every typed word starts a different word of the label (``thu cong`` → thủ công).

    Stops at the first typed word left over, so it costs at most one pass over the label's
    words however many words were typed.
    """
    remaining = list(label_words)
    for word in query_words:
        for index, candidate in enumerate(remaining):
            if candidate.startswith(word):
                del remaining[index]
                break
        else:
            return False
    return True


def _match_labels(query: str, labels: list[list[_Label]]) -> list[int]:
    """Indexes of the options matching a folded query, from the most exact tier that hits.

    Tiers: the whole label (spaces ignored); then initials (``htx`` → Hợp tác xã) or a
    label prefix, together, so ``du`` is ambiguous between Đồ uống and Du lịch rather than
    silently one of them; then typed words starting label words; then, for three letters
    or more, a substring.
    """
    compact = query.replace(" ", "")
    words = query.split()
    tiers = (
        lambda lab: lab.folded == query or lab.compact == compact,
        lambda lab: (
            (" " not in query and len(query) >= 2 and lab.initials == query)
            or lab.folded.startswith(query)
        ),
        lambda lab: _word_prefixes(words, lab.words),
        lambda lab: len(compact) >= 3 and compact in lab.compact,
    )
    for tier, matches in enumerate(tiers):
        found = [i for i, option in enumerate(labels) if any(matches(lab) for lab in option)]
        if found and tier == 1 and len(words) > 1:
            # "hợp tác" starts "Hợp tác xã" but is also whole words of "Tổ hợp tác": both fit.
            found += [
                i
                for i, option in enumerate(labels)
                if i not in found and any(set(words) <= set(lab.words) for lab in option)
            ]
            found.sort()
        if found:
            return found
    return []


def _choice_example(options: Sequence[Choice]) -> dict[str, str]:
    """Typing the number always works, whatever the labels are."""
    return {"example": "1"}


def _choose(
    query: str, options: Sequence[Choice], labels: list[list[_Label]]
) -> Ok[str] | Ambiguous | Rejected:
    """Match one folded query against the options."""
    if not query or not options:
        return Rejected(MSG_CHOICE, _choice_example(options))
    if number := _CHOICE_NUMBER.fullmatch(query):
        digits = number[1]
        position = int(digits) if len(digits) <= 6 else 0  # int() refuses huge literals
        found = {position - 1} if 1 <= position <= len(options) else set()
        # Labels that are numbers themselves ("3 sao") compete with positions.
        found |= {
            i
            for i, option in enumerate(labels)
            if any(lab.words and lab.words[0] == digits for lab in option)
        }
        if not found:
            return Rejected(
                MSG_CHOICE_NUMBER, {"count": str(len(options)), **_choice_example(options)}
            )
        return _settle(sorted(found), options)
    return _settle(_match_labels(query, labels), options)


def _settle(indexes: list[int], options: Sequence[Choice]) -> Ok[str] | Ambiguous | Rejected:
    keys = tuple(dict.fromkeys(options[i].key for i in indexes))
    if not keys:
        return Rejected(MSG_CHOICE, _choice_example(options))
    if len(keys) == 1:
        return Ok(keys[0])
    return Ambiguous(keys)


def _unwrapped(text: str) -> str:
    """The answer without the polite or framing words around it (``dạ chọn 2 ạ`` → ``2``),
    keeping what separates several choices. Token by token: linear on any line."""
    tokens = text.split()
    start, end = 0, len(tokens)
    while end - start > 1 and (not (key := match_key(tokens[start])) or key in _LEADING):
        start += 1
    while end - start > 1 and (not (key := match_key(tokens[end - 1])) or key in _TRAILING):
        end -= 1
    return " ".join(tokens[start:end])


# Only a short answer is wrapped in polite words; a long one is read as it is.
_MAX_WRAPPED = 120
_RANGE = re.compile(r"[0-9] ?[-\u2013\u2014~] ?[0-9]")


def read_choice(text: str, options: Sequence[Choice]) -> Ok[str] | Ambiguous | Rejected:
    """Read one choice: by 1-based number (``2``), whole label, initials (``htx``), prefix
    or words of a label — case-, diacritic- and NFD-insensitive; ``dạ chọn 2 ạ`` too.

    Several equally good matches give :class:`Ambiguous` so the caller can show just
    those options as buttons instead of guessing. A label followed by more words
    (``HTX nông nghiệp``) is not read as that option: the same reading turns a typed
    answer into a button press, and "tôi đồng ý một phần" is not "Tôi đồng ý".
    """
    labels = _prepared(options)
    cleaned = clean(text)
    folded = match_key(cleaned)
    result = _choose(folded, options, labels)
    if isinstance(result, Rejected) and len(cleaned) <= _MAX_WRAPPED:
        # Polite words after the answer go first, then the words before it one at a time,
        # so that a label starting with one of them ("Tôi đồng ý") is still found whole.
        words = folded.split()
        end = len(words)
        while end > 1 and words[end - 1] in _TRAILING:
            end -= 1
        for start in range(end):
            if start and words[start - 1] not in _LEADING:
                break
            if (start, end) == (0, len(words)):
                continue
            retried = _choose(" ".join(words[start:end]), options, labels)
            if not isinstance(retried, Rejected):
                return retried
        return _by_prefix(words[:end], options) or result
    return result


# After a prefix, words that leave the answer open: "htx hay dn", "công ty chưa đăng ký".
_UNDECIDED = frozenset({"hay", "hoac", "or", "khong", "ko", "k", "chua", "phai", "not"})


def _by_prefix(words: Sequence[str], options: Sequence[Choice]) -> Ok[str] | Ambiguous | None:
    """The option whose declared prefix the answer begins with, once the words said around
    it are set aside ("dạ công ty TNHH chè ạ"); the longest prefix wins, so "tổ hợp tác …" is
    not "hợp tác xã". Whole words only: "dnt" does not begin with "dn"."""
    best: dict[str, int] = {}
    for start in range(len(words)):
        if start and words[start - 1] not in _LEADING:
            break
        rest = words[start:]
        for option in options:
            for prefix in option.prefixes:
                typed = match_key(prefix).split()
                if typed and rest[: len(typed)] == typed and _UNDECIDED.isdisjoint(rest):
                    best[option.key] = max(best.get(option.key, 0), len(typed))
    if not best:
        return None
    longest = max(best.values())
    keys = tuple(key for key, size in best.items() if size == longest)
    return Ok(keys[0]) if len(keys) == 1 else Ambiguous(keys)


def _choices_example(options: Sequence[Choice], min_count: int, max_count: int | None) -> str:
    wanted = max(min_count, 2)
    if max_count is not None:
        wanted = min(wanted, max_count)
    wanted = max(1, min(wanted, len(options)))
    return ", ".join(str(n) for n in range(1, wanted + 1))


def _every_word(
    single: str, options: Sequence[Choice], labels: list[list[_Label]]
) -> list[str] | None:
    """The keys when each word of ``single`` alone names an option (``htx dn``), else None.

    Stops at the first word that does not, and reads a repeated word once.
    """
    keys: list[str] = []
    for word in dict.fromkeys(single.split()):
        result = _choose(word, options, labels)
        if not isinstance(result, Ok):
            return None
        keys.append(result.value)
    return keys


def read_choices(
    text: str,
    options: Sequence[Choice],
    *,
    min_count: int = 0,
    max_count: int | None = None,
    everything: bool = False,
) -> Ok[tuple[str, ...]] | Ambiguous | Rejected:
    """Read several choices: ``1, 3``, ``1 3``, ``1;3``, ``htx và doanh nghiệp``.

    Parts are separated by commas, semicolons, ``và``/``and``/``với``, ``+`` or ``&``;
    a part of space-separated numbers gives several numbers. Keys come back once each, in
    option order. When ``min_count`` is 0, ``không``/``none``/``0`` mean "none of these".
    A part matching several options gives :class:`Ambiguous` with those options' keys.
    With ``everything`` (a question where "all of these" can only mean every option: the
    support wanted), ``tất cả``/``hết``/``all`` choose them all; elsewhere it is refused
    ("tất cả" markets is not meant to include export).
    """
    example = {"example": _choices_example(options, min_count, max_count)}
    labels = _prepared(options)
    text = clean(text)
    if _RANGE.search(text):
        return Rejected(MSG_CHOICES, example)  # "1-3": 1 and 3, or 1 to 3? Ask again.
    whole = match_key(text)
    if len(text) <= _MAX_WRAPPED and not _match_labels(whole, labels):
        text = _unwrapped(text)  # "dạ chọn 1 và 3 ạ"
        whole = match_key(text)
    if not whole or not options:
        return Rejected(MSG_CHOICES, example)
    chosen: set[int] = set()
    key_index = {option.key: i for i, option in reversed(list(enumerate(options)))}
    if whole in _NONE_WORDS or (not _match_labels(whole, labels) and _says_none(text)):
        pass
    elif everything and whole in _ALL_WORDS and not _match_labels(whole, labels):
        if max_count is not None and max_count < len(options):
            return Rejected(MSG_CHOICES_TOO_MANY, {"max": str(max_count), **example})
        chosen.update(range(len(options)))
    elif len(exact := _match_labels(whole, labels)) == 1 and any(
        lab.folded == whole or lab.compact == whole.replace(" ", "") for lab in labels[exact[0]]
    ):
        # A label that itself contains "và" or a comma ("Dược liệu và sản phẩm từ dược liệu").
        chosen.add(exact[0])
    else:
        simplified = unicodedata.normalize("NFKC", text)
        simplified = (
            "".join(
                ch
                for ch in unicodedata.normalize("NFD", simplified)
                if not unicodedata.combining(ch)
            )
            .replace("đ", "d")
            .replace("Đ", "D")
            .casefold()
        )
        # A part or query read once has either been added to ``chosen`` or ended the
        # reading, so a repeat ("1, 1, 1, …", ",,,,") is skipped: same answer, linear time.
        parts_done: set[str] = set()
        done: set[str] = set()
        for part in _CHOICE_SEPARATORS.split(simplified):
            if part in parts_done:
                continue
            parts_done.add(part)
            query = match_key(part)
            if not query:
                continue
            queries = query.split() if _NUMBERS.fullmatch(query) else [query]
            for single in queries:
                if single in done:
                    continue
                done.add(single)
                result = _choose(single, options, labels)
                if isinstance(result, Rejected) and " " in single:
                    keys = _every_word(single, options, labels)
                    if keys is not None:
                        chosen.update(key_index[key] for key in keys)
                        continue
                if isinstance(result, Ok):
                    chosen.add(key_index[result.value])
                elif isinstance(result, Ambiguous):
                    return result
                elif result.message == MSG_CHOICE_NUMBER:
                    return Rejected(MSG_CHOICE_NUMBER, {"count": str(len(options)), **example})
                else:
                    return Rejected(
                        MSG_CHOICE_UNKNOWN_PART, {"part": shorten(part.strip()), **example}
                    )
    if len(chosen) < min_count:
        return Rejected(MSG_CHOICES_TOO_FEW, {"min": str(min_count), **example})
    if max_count is not None and len(chosen) > max_count:
        return Rejected(MSG_CHOICES_TOO_MANY, {"max": str(max_count), **example})
    return Ok(tuple(dict.fromkeys(options[i].key for i in sorted(chosen))))


def _says_none(text: str) -> bool:
    """ "None of these" said as a no ("ko có", "chưa có", "không có gì ạ"): the yes/no
    reader's own reading, so that the two readers know the same ways to say no."""
    reading = read_yes_no(text)
    return isinstance(reading, Ok) and reading.value is False

"""Yes or no, the many ways people type it from a phone: ``có``, ``ko``, ``dạ không ạ``,
``ừ``, ``uh``, ``ko có``, ``chưa``, ``ok``, a thumbs-up; ``có, thiếu vốn`` (the answer, then
why); ``không có khó khăn gì`` (the answer restating the question).

"Có lẽ" (maybe), "không biết" (don't know) and "có không" are not answers: anything the
reader does not know for sure is refused, never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from bot.text import clean
from forms.readers.results import MSG_YES_NO, Ok, Rejected, match_key

_EXAMPLE_YES = "có"

_YES = frozenset(
    {
        "co", "c", "yes", "y", "ya", "yep", "yup", "yeah", "ok", "okay", "oke", "oki", "okie",
        "okela", "okla", "oce", "dong y", "1", "vang", "vg", "da", "dung", "dung vay",
        "dung roi", "chinh xac", "u", "uh", "uhm", "um", "o", "uk", "ukm", "ua", "sure",
        "true", "chac chan", "di nhien", "tat nhien", "co chu", "duoc", "dc", "co a",
        "co roi", "co nhe", "co luon", "vang co", "u co", "da co", "ok co", "co co",
    }
)  # fmt: skip
_NO = frozenset(
    {
        "khong", "ko", "k", "kg", "kh", "khg", "hk", "hong", "hok", "hem", "khum", "no",
        "n", "nah", "0", "khong co", "ko co", "k co", "kh co", "hong co", "hok co", "chua",
        "chua co", "chua co gi", "nope", "false", "sai", "khong dung", "khong dong y",
        "khong phai", "khong duoc", "khong can", "thoi", "khong co gi", "ko co gi",
        "khong co gi ca", "ko co gi ca", "co gi dau", "khong co dau", "khong a", "ko a",
        "vang khong", "da khong", "khong khong",
    }
)  # fmt: skip
_EMOJI_YES = frozenset({"👍", "👌", "✅", "✔", "🆗", "☑"})
_EMOJI_NO = frozenset({"👎", "❌", "✖", "🚫", "⛔", "❎"})
_POLITE_LEADING = ("da thua", "da", "thua", "ben em", "xa em", "em", "minh", "toi", "chung em")
_POLITE_TRAILING = frozenset(
    {"a", "ah", "ak", "nha", "nhe", "nhen", "ban", "anh", "chi", "em", "please", "ad", "admin",
     "day", "nhi", "luon", "roi", "chu", "cam on", "camon", "thanks", "tks"}
)  # fmt: skip
# Words that, after "có"/"không", only restate the question ("không có khó khăn gì").
_RESTATING = frozenset({"gi", "ca", "nao", "het", "lam", "nhieu", "dau", "thang", "nay"})
_ANSWER_THEN_WHY = re.compile(r"[,.;:!\-–—(]")
_SKIN_AND_VARIANTS = re.compile("[\ufe0f\U0001f3fb-\U0001f3ff]")
_LONGEST_PHRASE = 4
_SHORT = 60  # characters: longer than any yes or no however politely put


def _strip_polite(words: list[str]) -> list[str]:
    """Without "dạ", "bên em" before and "ạ", "nhé" after (never emptied)."""
    start, end = 0, len(words)
    progressed = True
    while progressed and end - start > 1:
        progressed = False
        for lead in _POLITE_LEADING:
            size = lead.count(" ") + 1
            if end - start > size and " ".join(words[start : start + size]) == lead:
                start += size
                progressed = True
                break
    while end - start > 1:
        if end - start > 3 and words[end - 3 : end] == ["cam", "on", "nhieu"]:
            end -= 3
        elif end - start > 2 and f"{words[end - 2]} {words[end - 1]}" in _POLITE_TRAILING:
            end -= 2
        elif words[end - 1] in _POLITE_TRAILING:
            end -= 1
        else:
            break
    return words[start:end]


def _decide(words: list[str], question: frozenset[str]) -> bool | None:
    """True/False for a plain answer, or an answer followed only by the question's words."""
    words = _strip_polite(words)
    answer = " ".join(words)
    if answer in _YES:
        return True
    if answer in _NO:
        return False
    if not question:
        return None
    # The longest yes/no phrase at the start, the rest restating the question.
    for size in range(min(_LONGEST_PHRASE, len(words) - 1), 0, -1):
        head = " ".join(words[:size])
        value = True if head in _YES else False if head in _NO else None
        if value is None:
            continue
        rest = words[size:]
        if any(" ".join(rest[i : i + 2]) in _YES | _NO or rest[i] in _YES | _NO
               for i in range(len(rest)) if rest[i] not in question):  # fmt: skip
            return None
        if all(word in question or word in _RESTATING for word in rest):
            # "có khó khăn không" echoes the question back: not an answer.
            return None if value and rest and rest[-1] in _NO else value
        return None
    return None


def read_yes_no(text: str, *, label: str | Sequence[str] | None = None) -> Ok[bool] | Rejected:
    """Read yes/no: ``có``/``co``/``c``/``yes``/``ok``/``ừ``/``uh``/``vâng``/``đồng ý``/``1``
    or ``không``/``ko``/``k``/``ko có``/``chưa``/``no``/``0``.

    Polite particles are ignored (``dạ có``, ``không ạ``, ``có rồi``) and a thumbs-up or
    thumbs-down emoji counts, because that is how people answer from a phone. An answer
    followed by its reason after a comma (``có, thiếu vốn``) is read by its first part.
    With ``label`` (the question), an answer that restates it (``không có khó khăn gì``
    to "Tháng này có khó khăn, vướng mắc không?") is read too.
    """
    cleaned = _SKIN_AND_VARIANTS.sub("", unicodedata.normalize("NFKC", clean(text))).strip()
    if cleaned in _EMOJI_YES:
        return Ok(True)
    if cleaned in _EMOJI_NO:
        return Ok(False)
    labels = (label,) if isinstance(label, str) else tuple(label or ())
    question = frozenset(word for one in labels for word in match_key(one).split())
    parts = _ANSWER_THEN_WHY.split(cleaned, maxsplit=1)
    head = why = None
    if len(parts) == 2 and len(parts[0]) <= _SHORT:  # "có, thiếu vốn": the answer, then why
        head = _decide(match_key(parts[0]).split(), question)
        # Only a short second part can take the answer back ("không, có"); a reason cannot.
        if len(parts[1]) <= _SHORT:
            why = _decide(match_key(parts[1]).split(), frozenset())
        if head is not None and why is (not head):
            return Rejected(MSG_YES_NO, {"example": _EXAMPLE_YES})
    whole = _decide(match_key(cleaned).split(), question)
    if whole is not None:
        return Ok(whole)
    if head is not None:
        return Ok(head)
    emoji = {ch for ch in cleaned if not ch.isspace()}
    if emoji and emoji <= _EMOJI_YES:
        return Ok(True)
    if emoji and emoji <= _EMOJI_NO:
        return Ok(False)
    return Rejected(MSG_YES_NO, {"example": _EXAMPLE_YES})

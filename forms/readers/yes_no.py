"""Yes or no, the many ways people type it from a phone: ``có``, ``ko``, ``dạ không ạ``,
``ok``, a thumbs-up.
"""

from __future__ import annotations

import re
import unicodedata

from forms.readers.results import MSG_YES_NO, Ok, Rejected, match_key

_EXAMPLE_YES = "có"

_YES = frozenset(
    {
        "co",
        "yes",
        "y",
        "ok",
        "okay",
        "oke",
        "oki",
        "okie",
        "dong y",
        "1",
        "vang",
        "da",
        "dung",
        "u",
        "uh",
        "uhm",
        "um",
        "yep",
        "yeah",
        "sure",
        "true",
        "chac chan",
        "co chu",
        "duoc",
        "dc",
        "co a",
    }
)
_NO = frozenset(
    {
        "khong",
        "ko",
        "k",
        "kg",
        "kh",
        "khg",
        "hong",
        "hok",
        "no",
        "n",
        "0",
        "khong co",
        "chua",
        "chua co",
        "nope",
        "false",
        "sai",
        "khong dong y",
        "khong phai",
        "khong duoc",
    }
)
_EMOJI_YES = frozenset({"👍", "👌", "✅", "✔", "🆗"})
_EMOJI_NO = frozenset({"👎", "❌", "✖", "🚫"})
_POLITE_LEADING = frozenset({"da"})  # "dạ có", "dạ không"
_POLITE_TRAILING = frozenset({"a", "nha", "nhe", "roi", "ban", "anh", "chi", "em", "please"})


def read_yes_no(text: str) -> Ok[bool] | Rejected:
    """Read yes/no: ``có``/``co``/``yes``/``y``/``ok``/``đồng ý``/``1`` or
    ``không``/``khong``/``ko``/``k``/``no``/``n``/``0``.

    Polite particles are ignored (``dạ có``, ``không ạ``, ``có rồi``) and a thumbs-up or
    thumbs-down emoji counts, because that is how people answer from a phone.
    """
    bare = unicodedata.normalize("NFKC", text).strip()
    bare = re.sub("[\ufe0f\U0001f3fb-\U0001f3ff]", "", bare)
    if bare in _EMOJI_YES:
        return Ok(True)
    if bare in _EMOJI_NO:
        return Ok(False)
    words = match_key(text).split()
    # Indexes rather than pop(0): a line of a thousand "dạ" stays linear.
    start, end = 0, len(words)
    while end - start > 1 and words[start] in _POLITE_LEADING:
        start += 1
    while end - start > 1 and words[end - 1] in _POLITE_TRAILING:
        end -= 1
    answer = " ".join(words[start:end])
    if answer in _YES:
        return Ok(True)
    if answer in _NO:
        return Ok(False)
    return Rejected(MSG_YES_NO, {"example": _EXAMPLE_YES})

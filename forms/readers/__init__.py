"""Answer readers: turn what a Vietnamese user types into typed values for form questions.

Officers and producers answer from phones in the field, with or without diacritics,
sometimes in decomposed Unicode (NFD), writing numbers the Vietnamese way (``1.234,5``,
``2 triệu``, ``1,5 tấn``) or the English way (``1234.5``). Each reader here is a pure,
synchronous function from the typed text to one of a few result types, so that the
conversation code (which owns the messenger, the database and the translations) only has
to decide what to do next:

* :class:`Ok` — the answer was understood; ``value`` is the typed value.
* :class:`Rejected` — the answer cannot be used; ``message`` is an English msgid (marked
  with :func:`~bot.i18n.N_`) that says what is expected and gives an example, with
  ``{name}`` placeholders filled from ``params`` (``Translator.t(message, **params)``).
* :class:`NeedsConfirmation` — the answer has more than one sensible reading (``1.5``
  may be one and a half or a mistyped fifteen); ask before storing anything.
* :class:`Ambiguous` — a choice matched several options; show them as buttons.

Every reader starts with :func:`bot.text.clean`, so zero-width and no-break spaces pasted
from other apps never make an answer unreadable. Readers never raise on any ``str``: a reader that crashes on an emoji would lose the
user's half-filled form, which is exactly what people on a weak connection cannot afford.
And they answer any message a messenger delivers (Telegram's are up to 4,096 characters)
in a few milliseconds, because they run on the event loop that serves everyone: no
regular expression that backtracks over a long line, no loop over words inside a loop
over words (``python -m bench.readers`` prints the worst case of each).

One module per kind of answer, each importing the others directly (never this package):

    results.py   the result types, every msgid a reader returns (MESSAGES), shared helpers
                 (numbers and dates in messages formatted by Babel for the user's language)
    words.py     the words around an answer (dạ, ạ, khoảng, hơn) and spoken numbers (hai mươi)
    numbers.py   whole numbers and decimals (with amounts.py: the written shapes, and
                 units.py: multipliers and units, converted to the question's unit;
                 nouns.py: the noun after a count; money.py: whole đồng;
                 none_as_zero.py: "không", "chưa phát sinh"; counts.py: "2 lớp, 60 người")
    dates.py     day-first and relative dates
    yes_no.py    yes or no
    choices.py   one or several options of a choice question
    text.py      free text
    phone.py     Vietnamese phone numbers, read and shown back
    places.py    provinces and communes by part of their name (used by storage)
    places_former.py  names from before the July-2025 merger, to the units they became
"""

from __future__ import annotations

from forms.readers.choices import read_choice, read_choices
from forms.readers.dates import read_date
from forms.readers.numbers import read_decimal, read_integer
from forms.readers.phone import display_phone, read_phone
from forms.readers.places import initials, rank_matches, search_key, unique
from forms.readers.results import (
    MESSAGES,
    Ambiguous,
    Choice,
    NeedsConfirmation,
    Ok,
    Rejected,
    placeholders,
)
from forms.readers.text import read_text
from forms.readers.yes_no import read_yes_no

__all__ = [
    "MESSAGES",
    "Ambiguous",
    "Choice",
    "NeedsConfirmation",
    "Ok",
    "Rejected",
    "display_phone",
    "initials",
    "placeholders",
    "rank_matches",
    "read_choice",
    "read_choices",
    "read_date",
    "read_decimal",
    "read_integer",
    "read_phone",
    "read_text",
    "read_yes_no",
    "search_key",
    "unique",
]

"""What a reader returns (Ok, Rejected, NeedsConfirmation, Ambiguous), every msgid a reader
can return, and the text helpers all readers share.

The msgids live together in one table so that a translator or a catalog check sees them all
in one place; each reader module imports the ones it returns.
"""

from __future__ import annotations

import re
import string
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, localcontext
from typing import Generic, TypeVar

from babel.core import UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_decimal

from bot.i18n import N_
from bot.text import fold

T = TypeVar("T")


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class Ok(Generic[T]):
    """The answer was understood."""

    value: T


@dataclass(frozen=True, slots=True)
class Rejected:
    """The answer cannot be used; tell the user what is expected, with an example.

    ``message`` is an untranslated English msgid; ``params`` fill its ``{name}``
    placeholders after translation, so the translator sees one stable string.
    """

    message: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NeedsConfirmation(Generic[T]):
    """The answer has two sensible readings; confirm before storing.

    ``value`` is the preferred reading. ``alternative`` is the other reading, or None
    when the preferred one is the only valid reading but still a guess (``1,500`` for a
    whole-number question is 1500 only if the user wrote English thousands). The caller
    typically offers ``value`` and ``alternative`` as buttons.
    """

    value: T
    alternative: T | None
    message: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Ambiguous:
    """A choice matched several options (keys in option order); let the user pick one."""

    keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Choice:
    """One option of a choice question.

    ``labels`` hold the Vietnamese label, the English label and any aliases people use
    (``"HTX"``); matching ignores case, diacritics and Unicode normal form. ``prefixes``
    name the option when an answer begins with one of them, whatever follows ("công ty" in
    "công ty TNHH Chè Tân Cương").
    """

    key: str
    labels: tuple[str, ...]
    prefixes: tuple[str, ...] = ()


# --------------------------------------------------------------------------- messages
# Module-level msgids so that Babel extracts them and tests can refer to them.

MSG_NUMBER = N_("Please type a number, for example {example}.")
MSG_WHOLE_NUMBER = N_("Please type a whole number, for example {example}.")
MSG_NOT_NEGATIVE = N_("Please type a number that is not negative, for example {example}.")
MSG_NUMBER_TOO_SMALL = N_("Please type a number no smaller than {min}, for example {example}.")
MSG_NUMBER_TOO_LARGE = N_("Please type a number no larger than {max}, for example {example}.")
MSG_WRONG_UNIT = N_("Please give the amount in {unit}, for example {example}.")
MSG_CONFIRM_NUMBER = N_("Did you mean {value}?")
MSG_CONFIRM_NUMBER_OR = N_("Did you mean {value} or {alternative}?")
MSG_CONFIRM_EXACT = N_("The report needs one exact number. Shall I record {value}?")
MSG_OTHER_NOUN = N_(
    "This question does not count “{noun}”. Please type the number it asks for, "
    "for example {example}."
)

# Several counts in one answer (counts.py).
MSG_ONE_COUNT = N_(
    "This question asks for one number only, the number of {noun}. Shall I record {value}?"
)
MSG_COUNTS_TOTAL = N_("This question asks for one number only. Shall I record the total, {value}?")
MSG_ONE_NUMBER = N_(
    "This question asks for one number only. Please type one number, for example {example}."
)
MSG_DATE = N_("Please type a date as day/month/year, for example {example}.")
MSG_DATE_INVALID = N_(
    "That date does not exist. Please check the day, month and year, for example {example}."
)
MSG_DATE_TOO_EARLY = N_("Please type a date on or after {min}, for example {example}.")
MSG_DATE_TOO_LATE = N_("Please type a date on or before {max}, for example {example}.")

MSG_YES_NO = N_("Please answer yes or no, for example {example}.")

MSG_CHOICE = N_("Please choose one of the options or type its number, for example {example}.")
MSG_CHOICE_NUMBER = N_("Please choose a number from 1 to {count}, for example {example}.")
MSG_CHOICE_UNKNOWN_PART = N_(
    "I could not find “{part}” among the options. "
    "Please type the numbers of your choices, for example {example}."
)
MSG_CHOICES = N_(
    "Please choose one or more of the options or type their numbers, for example {example}."
)
MSG_CHOICES_TOO_FEW = N_("Please choose at least {min} of the options, for example {example}.")
MSG_CHOICES_TOO_MANY = N_("Please choose no more than {max} of the options, for example {example}.")

MSG_TEXT_EMPTY = N_("Please type an answer, for example {example}.")
MSG_TEXT_NO_WORDS = N_(
    "Please answer with words or numbers, not only emoji or symbols, for example {example}."
)
MSG_TEXT_TOO_SHORT = N_("Please type at least {min} characters, for example {example}.")
MSG_TEXT_TOO_LONG = N_(
    "Please keep your answer to {max} characters or fewer (it has {length}), for example {example}."
)
MSG_TEXT_PATTERN = N_("Please type the answer in the expected form, for example {example}.")

MSG_PHONE = N_("Please type a phone number, for example {example}.")
MSG_PHONE_INVALID = N_(
    "That phone number does not look right. Please check it, for example {example}."
)
MSG_PHONE_NOT_VN = N_("Please type a Vietnamese phone number, for example {example}.")

#: Every msgid a reader can return, for catalog checks.
MESSAGES: tuple[str, ...] = (
    MSG_NUMBER,
    MSG_WHOLE_NUMBER,
    MSG_NOT_NEGATIVE,
    MSG_NUMBER_TOO_SMALL,
    MSG_NUMBER_TOO_LARGE,
    MSG_WRONG_UNIT,
    MSG_CONFIRM_NUMBER,
    MSG_CONFIRM_NUMBER_OR,
    MSG_CONFIRM_EXACT,
    MSG_OTHER_NOUN,
    MSG_ONE_COUNT,
    MSG_COUNTS_TOTAL,
    MSG_ONE_NUMBER,
    MSG_DATE,
    MSG_DATE_INVALID,
    MSG_DATE_TOO_EARLY,
    MSG_DATE_TOO_LATE,
    MSG_YES_NO,
    MSG_CHOICE,
    MSG_CHOICE_NUMBER,
    MSG_CHOICE_UNKNOWN_PART,
    MSG_CHOICES,
    MSG_CHOICES_TOO_FEW,
    MSG_CHOICES_TOO_MANY,
    MSG_TEXT_EMPTY,
    MSG_TEXT_NO_WORDS,
    MSG_TEXT_TOO_SHORT,
    MSG_TEXT_TOO_LONG,
    MSG_TEXT_PATTERN,
    MSG_PHONE,
    MSG_PHONE_INVALID,
    MSG_PHONE_NOT_VN,
)


def placeholders(message: str) -> set[str]:
    """The ``{name}`` placeholders of a msgid (for checks that params fill them all)."""
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


# --------------------------------------------------------------------------- helpers


def simplify(text: str) -> str:
    """Like :func:`bot.text.fold` but keeping digits' punctuation (``.``, ``,``, ``/``).

    NFKC first turns full-width digits, non-breaking spaces and ``²`` into their plain
    forms; then marks are dropped (``tấn`` → ``tan``, ``đ`` → ``d``) and case folded.
    """
    composed = unicodedata.normalize("NFKC", text)
    decomposed = unicodedata.normalize("NFD", composed)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D").casefold()
    return re.sub(r"\s+", " ", stripped).strip()


def match_key(text: str) -> str:
    """The folded form used to compare labels and keywords (NFKC, then fold)."""
    return fold(unicodedata.normalize("NFKC", text))


def shorten(text: str, limit: int = 40) -> str:
    """User text quoted back in a message: one line, and not too long."""
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def show_number(value: Decimal | int, language: str) -> str:
    """A number as the user's language writes it (Babel): ``1.500.000`` and ``1,5`` in
    Vietnamese, ``1,500,000`` and ``1.5`` in English; every digit kept (no rounding)."""
    with localcontext() as ctx:
        ctx.prec = 200  # a 40-digit amount is refused by its bounds, but shown whole
        for locale in (language, "vi"):
            try:
                return format_decimal(value, locale=locale, decimal_quantization=False)
            except (UnknownLocaleError, ValueError, ArithmeticError):
                continue
    return str(value)


def show_date(value: date, language: str) -> str:
    """A date as the user's language writes it (the same patterns as ``Translator.date``)."""
    try:
        return format_date(value, format="dd/MM/yyyy" if language == "vi" else "medium",
                           locale=language)  # fmt: skip
    except (UnknownLocaleError, ValueError):
        return format_date(value, format="dd/MM/yyyy", locale="vi")

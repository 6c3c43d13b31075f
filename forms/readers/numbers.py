"""Whole numbers and decimals, with money multipliers, units and nouns: ``12``, ``1.500``,
``2 triệu``, ``500k``, ``1,5 tấn``, ``12 sp``, ``khoảng 20``, ``hai lớp``.

Vietnamese and English write the thousands and decimal marks the other way round, and both
are typed, so an answer whose shape fits both (``1.5``, ``1,500``) is never guessed
silently: the reader asks (:class:`~forms.readers.results.NeedsConfirmation`). So does an
amount of money that cannot be meant as typed (money.py), a count with a limit rather
than a number (``hơn 20``), and two readings of spoken digits (``2 triệu 50``). A count
followed by a noun of another kind than the question's (nouns.py) is refused.

Numbers in messages are formatted by Babel for ``language``, the user's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, localcontext

from forms.readers import nouns
from forms.readers.amounts import Amount, parse_amount
from forms.readers.counts import one_of_counts
from forms.readers.money import dong_readings, whole
from forms.readers.none_as_zero import none_as_zero
from forms.readers.results import (
    MSG_CONFIRM_EXACT,
    MSG_CONFIRM_NUMBER,
    MSG_CONFIRM_NUMBER_OR,
    MSG_NOT_NEGATIVE,
    MSG_NUMBER,
    MSG_NUMBER_TOO_LARGE,
    MSG_NUMBER_TOO_SMALL,
    MSG_OTHER_NOUN,
    MSG_WHOLE_NUMBER,
    MSG_WRONG_UNIT,
    NeedsConfirmation,
    Ok,
    Rejected,
    shorten,
    show_number,
)
from forms.readers.units import MULTIPLIERS, QuestionUnit, resolve_unit, unit_factor
from forms.readers.words import NUMBER_WORDS, digits_for_words, frame, typed_words, words

# Longer than any sensible answer of its kind: cut early so that a pasted essay costs
# nothing and Decimal never sees a 10,000-digit literal.
_MAX_ANSWER_CHARS = 300
_MAX_NUMBER_CHARS = 64

# Words after a quantity that change what it measures: a time it covers ("3 tấn một
# năm" to a monthly question), a negation or a limit, what kind of money it is.
_CHANGES_MEANING = frozenset(
    {"ngay", "tuan", "thang", "quy", "nam", "vu", "mua", "ky", "hom", "gio", "khong", "ko",
     "chua", "hon", "duoi", "tren", "gan", "toi", "den", "hoac", "hay", "va", "lai", "lo",
     "no", "von", "chi", "phi", "thue", "loi", "nhuan", "tien"}
)  # fmt: skip

Reading = Ok[Decimal] | NeedsConfirmation[Decimal] | Rejected


def _labels(label: str | Sequence[str] | None) -> tuple[str, ...]:
    if label is None:
        return ()
    return (label,) if isinstance(label, str) else tuple(label)


def _example_value(
    integer: bool,
    unit: QuestionUnit | None,
    min_value: Decimal | int | None,
    max_value: Decimal | int | None,
) -> Decimal:
    """A value within the bounds that fits the question, to show in messages."""
    if unit is not None and unit.whole_money:
        base = Decimal(15_000_000)
    elif unit is not None and unit.dimension == "money":
        base = Decimal(15)  # a question in triệu đồng
    else:
        base = Decimal(12) if integer else Decimal("2.5")
    if min_value is not None and base < min_value:
        return Decimal(min_value)
    if max_value is not None and base > max_value:
        return Decimal(max_value)
    return base


def _unit_prefix(rest: Sequence[str], unit: QuestionUnit | None) -> tuple[int, str]:
    """How many of the words after the number are the answer's unit, and its key."""
    if unit is None:
        return 0, ""
    for size in range(len(rest), 0, -1):
        key = "".join(rest[:size])
        if key == unit.key or (unit.measured and resolve_unit(key) is not None):
            return size, key
    return 0, ""


def _compound(
    amount: Amount, rest: Sequence[str], size: int, key: str, unit: QuestionUnit
) -> tuple[Decimal, int] | None:
    """``2 tấn 5`` (2,5 tấn), ``2 tấn 500 kg``, ``1 tạ 20 kg``: the value in the first unit
    and the words used, or None when the words after the unit are not such a rest."""
    first = resolve_unit(key)
    if first is None or size >= len(rest) or not rest[size].isdigit() or len(rest[size]) > 3:
        return None
    if amount.multiplied or amount.alternative is not None or not whole(amount.value):
        return None
    digits = rest[size]
    more, second_key = _unit_prefix(rest[size + 1 :], unit)
    if more:
        second = resolve_unit(second_key)
        if second is None or second[0] != first[0] or second[1] >= first[1]:
            return None
        return amount.value + int(digits) * second[1] / first[1], size + 1 + more
    if size + 1 < len(rest):
        return None  # "3 tấn 1 tháng" is not 3,1 tấn: bare digits end the answer
    if len(digits) == 1:  # "2 tấn 5": two and a half tonnes, as it is said
        return amount.value + Decimal(int(digits)) / 10, size + 1
    if len(digits) == 3:  # "2 tấn 500": 2 tấn 500 kg
        return amount.value + Decimal(int(digits)) / 1000, size + 1
    return None


def _measured_tail(
    tail: Sequence[str], question: nouns.Context, *, money: bool, after_unit: bool
) -> bool:
    """Whether the words after a quantity leave it as it is: the question's own words
    ("15tr / tháng" to a monthly question), and after the unit of goods what they are
    ("3 tấn chè"; but "5 con" is not 5 tấn)."""
    for word in tail:
        if word in question.words or word in nouns.FILLERS or word in nouns.CONNECTORS:
            continue
        if (
            after_unit
            and not money
            and word.isalpha()
            and word not in _CHANGES_MEANING
            and word not in MULTIPLIERS
            and word not in NUMBER_WORDS
            and resolve_unit(word) is None
        ):
            continue
        return False
    return True


def _shown_noun(text: str, tail: Sequence[str]) -> str:
    """The noun as the user typed it (with its accents), to quote back."""
    kind_words = nouns.noun_at(tail, 0)[1] or 1
    wanted = list(tail[:kind_words])
    pairs = typed_words(text)
    for start in range(len(pairs) - len(wanted) + 1):
        if [folded for folded, _ in pairs[start : start + len(wanted)]] == wanted:
            return shorten(" ".join(typed for _, typed in pairs[start : start + len(wanted)]))
    return shorten(" ".join(wanted))


def _read_number(
    text: str,
    *,
    integer: bool,
    min_value: Decimal | int | None,
    max_value: Decimal | int | None,
    unit: str | None,
    label: str | Sequence[str] | None,
    language: str,
) -> Reading:
    """Shared body of :func:`read_integer` and :func:`read_decimal` (values as Decimal); an
    answer that is not one number may be several counts (counts.py)."""

    def read(part: str) -> Reading:
        return _read_single(
            part,
            integer=integer,
            min_value=min_value,
            max_value=max_value,
            unit=unit,
            label=label,
            language=language,
        )

    result = read(text)
    question_unit = QuestionUnit.parse(unit) if unit else None
    if isinstance(result, Rejected) and (question_unit is None or not question_unit.measured):
        suffix = f" {unit}" if unit else ""
        several = one_of_counts(
            text[:_MAX_ANSWER_CHARS],
            read,
            lambda value: show_number(_tidy(value), language) + suffix,
            result.params.get("example", ""),
        )
        if several is not None:
            return several
    return result


def _read_single(
    text: str,
    *,
    integer: bool,
    min_value: Decimal | int | None,
    max_value: Decimal | int | None,
    unit: str | None,
    label: str | Sequence[str] | None,
    language: str,
) -> Reading:
    """One number, as typed."""
    question_unit = QuestionUnit.parse(unit) if unit else None
    money = question_unit is not None and question_unit.whole_money
    counted = _labels(label)
    if unit and question_unit is not None and not question_unit.measured:
        counted = (unit, *counted)  # a unit like "người" names what is counted
    question = nouns.context(counted)
    suffix = f" {unit}" if unit else ""

    def shown(value: Decimal | int) -> str:
        return show_number(value, language) + suffix

    example = shown(_example_value(integer, question_unit, min_value, max_value))
    general = Rejected(MSG_WHOLE_NUMBER if integer else MSG_NUMBER, {"example": example})
    wrong_unit = Rejected(MSG_WRONG_UNIT, {"unit": unit or "", "example": example})

    if len(text) > _MAX_ANSWER_CHARS:
        return general
    framed = frame(words(text), question.words)
    core = digits_for_words(framed.core)
    dimension = None if question_unit is None else question_unit.numerator()
    amount = none_as_zero(core, question, dimension) if core else None
    if amount is None:
        joined = " ".join(core)
        if not joined or len(joined) > _MAX_NUMBER_CHARS:
            return general
        with localcontext() as ctx:
            ctx.prec = 120
            amount = parse_amount(joined)
    if amount is None:
        return general

    rest = amount.rest
    size, answer_unit = _unit_prefix(rest, question_unit)
    head, slash, period = answer_unit.partition("/")
    if slash and question_unit is not None and "/" not in question_unit.key:
        if period in question.words:  # "3 tấn/tháng" to "Sản lượng trong tháng (tấn)"
            answer_unit = head
    value, alternative = amount.value, amount.alternative
    if size and question_unit is not None and question_unit.measured:
        compound = _compound(amount, rest, size, answer_unit, question_unit)
        if compound is not None:
            value, size = compound
    tail = rest[size:]
    if tail:
        if amount.continued:
            return general  # "15tr 1 tháng" is not 15,100,000
        known = question.words | nouns.FILLERS
        if question_unit is not None and question_unit.measured:
            money_unit = question_unit.dimension == "money"
            if not _measured_tail(tail, question, money=money_unit, after_unit=size > 0):
                return wrong_unit if not size else general
        elif size:
            if not all(word in known for word in tail):
                return general
        else:
            fit = nouns.fit(tail, question)
            if fit is nouns.Fit.OTHER:
                noun = _shown_noun(text, tail)
                return Rejected(MSG_OTHER_NOUN, {"noun": noun, "example": example})
            if fit is nouns.Fit.UNKNOWN:
                return wrong_unit if question_unit is not None else general
    factor = unit_factor(answer_unit, amount.multiplied, question_unit)
    if factor is None:
        return wrong_unit

    def check(candidate: Decimal) -> Ok[Decimal] | Rejected:
        if integer and not whole(candidate):
            return general
        if candidate < 0 and min_value is None:
            return Rejected(MSG_NOT_NEGATIVE, {"example": example})
        if min_value is not None and candidate < min_value:
            return Rejected(
                MSG_NUMBER_TOO_SMALL,
                {"min": show_number(min_value, language), "example": shown(min_value)},
            )
        if max_value is not None and candidate > max_value:
            return Rejected(
                MSG_NUMBER_TOO_LARGE,
                {"max": show_number(max_value, language), "example": shown(max_value)},
            )
        return Ok(_tidy(candidate))

    def ask(candidates: Sequence[Decimal]) -> Reading:
        """Offer the readings that pass the checks (most likely first)."""
        results = [check(candidate) for candidate in candidates]
        valid = list(dict.fromkeys(r.value for r in results if isinstance(r, Ok)))
        if not valid:
            return results[0] if results else general
        if len(valid) == 1:
            return NeedsConfirmation(valid[0], None, MSG_CONFIRM_NUMBER, {"value": shown(valid[0])})
        return NeedsConfirmation(
            valid[0],
            valid[1],
            MSG_CONFIRM_NUMBER_OR,
            {"value": shown(valid[0]), "alternative": shown(valid[1])},
        )

    with localcontext() as ctx:
        ctx.prec = 120
        value *= factor
        alternative = None if alternative is None else alternative * factor
        explicit_scale = amount.scale >= 1000 or factor > 1
        if money and not explicit_scale:
            if (readings := dong_readings(value, amount.scale)) is not None:
                return ask(readings)
        if money and not whole(value):
            return Rejected(MSG_WHOLE_NUMBER, {"example": example})
        if alternative is not None and (
            (integer and amount.typo) or (money and not whole(alternative))
        ):
            alternative = None
        primary = check(value)
        other = None if alternative is None else check(alternative)
    if isinstance(other, Ok):
        if isinstance(primary, Rejected):
            # Only the other reading is valid: still a guess, so ask rather than store it.
            return ask([other.value])
        return ask([primary.value, other.value])
    if isinstance(primary, Ok) and framed.bound:
        return NeedsConfirmation(
            primary.value, None, MSG_CONFIRM_EXACT, {"value": shown(primary.value)}
        )
    return primary


def _tidy(value: Decimal) -> Decimal:
    """Drop exponent noise (``1500000.0`` → ``1500000``, ``1.50`` → ``1.5``)."""
    with localcontext() as ctx:
        ctx.prec = 200
        if whole(value):
            return value.quantize(Decimal(1))
        return Decimal(format(value.normalize(), "f"))


def read_integer(
    text: str,
    *,
    min_value: int | None = None,
    max_value: int | None = None,
    unit: str | None = None,
    label: str | Sequence[str] | None = None,
    language: str = "vi",
) -> Ok[int] | NeedsConfirmation[int] | Rejected:
    """Read a whole number: ``12``, ``1.500``, ``12.000.000``, ``2 triệu``, ``500k``,
    ``hai``, ``khoảng 20``, ``12 sp``.

    ``1.5`` and ``1,5`` are rejected (not whole) unless a multiplier makes them whole
    (``1,5 triệu`` = 1,500,000). ``1,500`` is confirmed as 1500, since in Vietnamese it
    would be one and a half. ``không`` counts as 0. Negative numbers are accepted only
    when ``min_value`` is given and below zero. With ``unit`` (``"kg"``, ``"đồng"``,
    ``"triệu đồng"``, ``"người"``) the answer may carry that unit or, for known units,
    another one of the same dimension, which is converted (``1,5 tấn`` → 1500 for kg).
    ``label`` (the question's labels) tells which noun the count is of: ``3 lớp`` to
    "Số lượt người được tập huấn" is refused. ``language`` formats numbers in messages.
    """
    result = _read_number(
        text,
        integer=True,
        min_value=min_value,
        max_value=max_value,
        unit=unit,
        label=label,
        language=language,
    )
    if isinstance(result, Ok):
        return Ok(int(result.value))
    if isinstance(result, NeedsConfirmation):
        alternative = None if result.alternative is None else int(result.alternative)
        return NeedsConfirmation(int(result.value), alternative, result.message, result.params)
    return result


def read_decimal(
    text: str,
    *,
    min_value: Decimal | int | None = None,
    max_value: Decimal | int | None = None,
    unit: str | None = None,
    label: str | Sequence[str] | None = None,
    language: str = "vi",
) -> Ok[Decimal] | NeedsConfirmation[Decimal] | Rejected:
    """Read a number that may have a fractional part: ``1.234,5``, ``1,5 tấn``, ``0.5``.

    Ambiguous shapes are never guessed silently: ``1.5`` gives
    ``NeedsConfirmation(Decimal("1.5"), alternative=Decimal("15"))`` and ``1,500`` gives
    ``NeedsConfirmation(Decimal("1.5"), alternative=Decimal("1500"))``. When the bounds
    rule out one reading the other is used (asking first if it is the less likely one).
    At a question in đồng the value is whole đồng (money.py). Units, multipliers, nouns,
    negatives and ``language`` work as in :func:`read_integer`.
    """
    return _read_number(
        text,
        integer=False,
        min_value=min_value,
        max_value=max_value,
        unit=unit,
        label=label,
        language=language,
    )

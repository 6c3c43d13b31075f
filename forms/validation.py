"""Whether a draft may be sent, decided from the answers alone: each answer re-validated
as the server sees it, and the form's cross-field checks.

The conversation validates every answer as it is typed, but a draft lives for days in a
conversation's state: the form file may change under it, a condition may change at the
review, a stored answer may come from an older version of the bot. So nothing is filed
on the strength of earlier steps: :func:`answer_problems` and :func:`violations` run again
at submission, and the conversation leads the user to whatever they find.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.i18n import N_
from forms import readers
from forms.engine import applicable, bound, is_required, relevant_questions
from forms.readers import Ok
from forms.rules import HISTORY_FUNCTION, Sides, compare, holds
from forms.schema import Check, Form, Question, QuestionType
from forms.xlsform.answers import constraint_holds

MSG_NOT_ANSWERED = N_("not answered")
MSG_NOT_VALID = N_("the answer cannot be used; please answer again")
MSG_TOO_SMALL = N_("must be no smaller than {min}")
MSG_TOO_LARGE = N_("must be no larger than {max}")
MSG_NOT_WHOLE = N_("must be a whole number")


@dataclass(frozen=True)
class Problem:
    """What is wrong with one question's answer (``message`` a msgid, ``params`` numbers
    as plain digits for the conversation to format)."""

    question: Question
    message: str
    params: dict[str, str]


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _number_problem(question: Question, value: Any) -> tuple[str, dict[str, str]] | None:
    number = _decimal(value)
    if number is None:
        return MSG_NOT_VALID, {}
    if question.type is QuestionType.INTEGER and number != number.to_integral_value():
        return MSG_NOT_WHOLE, {}
    low, high = bound(question.min), bound(question.max)
    if low is not None and number < low:
        return MSG_TOO_SMALL, {"min": str(low)}
    if high is not None and number > high:
        return MSG_TOO_LARGE, {"max": str(high)}
    return None


def _keys(question: Question) -> set[str]:
    return {option.key for option in question.options}


def _is_valid(question: Question, value: Any, required: bool) -> bool:
    """The shapes the conversation stores (``forms/engine.py``), read back strictly."""
    kind = question.type
    if kind is QuestionType.TEXT:
        return isinstance(value, str) and isinstance(
            readers.read_text(
                value,
                min_length=question.min_length,
                max_length=question.max_length,
                pattern=question.pattern,
            ),
            Ok,
        )
    if kind in (QuestionType.YES_NO, QuestionType.NOTE, QuestionType.ACKNOWLEDGE):
        return isinstance(value, bool)
    if kind is QuestionType.CALCULATE:
        return value is None or isinstance(value, str)
    if kind is QuestionType.CHOICE:
        return isinstance(value, str) and value in _keys(question)
    if kind is QuestionType.MULTI_CHOICE:
        if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
            return False
        low = question.min_choices if required else 0
        high = question.max_choices if question.max_choices is not None else len(value)
        return (
            set(value) <= _keys(question)
            and len(set(value)) == len(value)
            and (low <= len(value) <= high)
        )
    if kind is QuestionType.DATE:
        try:
            date.fromisoformat(value)
        except (TypeError, ValueError):
            return False
        return True
    if kind is QuestionType.PHONE:
        return isinstance(value, str) and isinstance(readers.read_phone(value), Ok)
    if kind is QuestionType.PHOTO:
        return (
            isinstance(value, list)
            and 1 <= len(value) <= question.max_photos
            and all(isinstance(file, str) and file for file in value)
        )
    if kind is QuestionType.LOCATION:
        if not isinstance(value, list) or len(value) != 2:
            return False
        lat, lon = (_decimal(part) for part in value)
        return lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180
    raise AssertionError(f"unknown question type {kind}")


def value_problem(
    question: Question, value: Any, required: bool | None = None
) -> tuple[str, dict[str, str]] | None:
    """What is wrong with one stored answer (None: nothing). A skipped answer (None) is
    wrong only where an answer is required: ``required`` as :func:`forms.engine.is_required`
    decided it for the other answers (None: the question's own ``required``)."""
    must = question.required if required is None else required
    if value is None:
        return None if not must else (MSG_NOT_ANSWERED, {})
    if question.type in (QuestionType.INTEGER, QuestionType.DECIMAL):
        return _number_problem(question, value)
    return None if _is_valid(question, value, must) else (MSG_NOT_VALID, {})


def _to_ask(form: Form, answers: Mapping[str, Any]) -> tuple[list[Question], dict[str, Any]]:
    """The questions that apply (calculates are not asked) and the answers that apply, which
    a ``required_if`` reads (as :func:`forms.engine.answers_that_apply`)."""
    relevant = relevant_questions(form, dict(answers))
    visible = {q.id: answers[q.id] for q in relevant if q.id in answers}
    return [q for q in relevant if q.type is not QuestionType.CALCULATE], visible


def answer_problems(form: Form, answers: Mapping[str, Any]) -> list[Problem]:
    """Every question that applies and is not answered as it must be, in form order; a
    ``required_if`` is read over the answers that apply, as the chat read it."""
    problems: list[Problem] = []
    questions, visible = _to_ask(form, answers)
    for question in questions:
        required = is_required(question, visible)
        if question.id not in answers:
            if required:
                problems.append(Problem(question, MSG_NOT_ANSWERED, {}))
            continue
        found = value_problem(question, answers[question.id], required)
        if found is None and answers[question.id] is not None and question.constraint:
            if not constraint_holds(question, answers[question.id], answers, today=date.today()):
                found = (MSG_NOT_VALID, {})
        if found is not None:
            problems.append(Problem(question, *found))
    return problems


def pending(form: Form, answers: Mapping[str, Any]) -> Question | None:
    """The first question that applies and still wants an answer: never asked (an optional
    one too: it has not been offered), or answered in a way that cannot be sent (skipped
    while its ``required_if`` now holds: an earlier answer changed)."""
    questions, visible = _to_ask(form, answers)
    for question in questions:
        if question.id not in answers:
            return question
        required = is_required(question, visible)
        if value_problem(question, answers[question.id], required) is not None:
            return question
    return None


# -- cross-field checks ------------------------------------------------------------------------


@dataclass(frozen=True)
class Violation:
    """A check that does not hold: the two sides, every number it read, and a fingerprint
    of those numbers (a warning confirmed for these numbers is not asked again)."""

    check: Check
    sides: Sides
    numbers: dict[str, Decimal]
    fingerprint: str


def numbers_of(form: Form, answers: Mapping[str, Any]) -> dict[str, Decimal]:
    """The number answers of the questions that apply; skipped ones are unknown."""
    found: dict[str, Decimal] = {}
    for question in applicable(form, dict(answers)):
        if question.type in (QuestionType.INTEGER, QuestionType.DECIMAL):
            number = _decimal(answers.get(question.id))
            if number is not None:
                found[question.id] = number
    return found


def history_needed(form: Form) -> set[str]:
    """Questions whose earlier answers some check reads (``usual()``)."""
    needed: set[str] = set()
    for check in form.checks:
        needed |= check.history_names()
    return needed


def violations(
    form: Form,
    answers: Mapping[str, Any],
    usual: Mapping[str, Decimal],
    *,
    involving: str | None = None,
) -> list[Violation]:
    """The checks that do not hold, in file order. A check whose numbers are not all known
    (a question not answered or not asked, no earlier period) or whose ``when`` does not
    hold is not a violation. ``involving``: only checks that read that question."""
    numbers = numbers_of(form, answers)
    found: list[Violation] = []
    for check in form.checks:
        if involving is not None and involving not in check.answer_names():
            continue
        if check.condition and holds(check.condition, numbers, usual) is not True:
            continue
        sides = compare(check.comparison, numbers, usual)
        if sides is None or sides.holds:
            continue
        read = {name: numbers[name] for name in sorted(check.answer_names())}
        read |= {
            f"{HISTORY_FUNCTION}_{name}": usual[name] for name in sorted(check.history_names())
        }
        fingerprint = ";".join(f"{name}={number}" for name, number in read.items())
        found.append(Violation(check, sides, read, fingerprint))
    return found

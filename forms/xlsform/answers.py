"""An imported form's expressions applied to a draft's answers: which questions apply
(``relevant``), whether an answer is accepted (``constraint``), whether it may be skipped
(``required`` as an expression), which options are offered (``choice_filter``) and the
values of calculates (``calculation``).

An expression that cannot be evaluated (it was checked when imported, so only a limit can
be hit) counts as not holding: a question is not asked on a guess, an answer is not taken
on one. A ``required`` is the exception and counts as holding: the answer is asked for
rather than skipped on a guess, and an answer can always be given. Answers are read as the
engine stores them (forms/xlsform/evaluate.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.i18n import N_
from forms.xlsform.evaluate import evaluate, holds, string
from forms.xlsform.expressions import COLUMN_PREFIX, ExpressionError, parse

if TYPE_CHECKING:
    from forms.schema import Form, Option, Question

MSG_CONSTRAINT = N_("This answer is not accepted here. Please check it and answer again.")
MSG_CONSTRAINT_SAID = N_("This answer is not accepted: {message}")


def _today() -> date:
    return date.today()


def expressions_hold(
    sources: Iterable[str], answers: Mapping[str, Any], ruled_out: set[str] | None = None
) -> bool:
    """Every ``relevant`` holds; answers of questions that do not apply read as empty."""
    sources = tuple(sources)
    if not sources:
        return True
    visible = {k: v for k, v in answers.items() if k not in (ruled_out or set())}
    try:
        return all(holds(source, visible, today=_today()) for source in sources)
    except ExpressionError:
        return False


def required_holds(source: str, answers: Mapping[str, Any]) -> bool:
    """Whether a question whose ``required`` is ``source`` must be answered; True when the
    expression cannot be computed (see above). An unanswered number is empty, so
    ``${courses} > 0`` does not hold before ``courses`` is answered."""
    try:
        return holds(source, answers, today=_today())
    except ExpressionError:
        return True


def constraint_holds(
    question: Question, value: Any, answers: Mapping[str, Any], *, today: date
) -> bool:
    if not question.constraint:
        return True
    try:
        return holds(
            question.constraint, {**answers, question.id: value}, current=value, today=today
        )
    except ExpressionError:
        return False


def offered(question: Question, answers: Mapping[str, Any]) -> tuple[Option, ...]:
    """The options a choice_filter leaves (every option when there is none)."""
    if not question.choice_filter:
        return question.options
    try:
        tree = parse(question.choice_filter, True)  # bare names: the choices' columns
    except ExpressionError:
        return ()
    kept = []
    for option in question.options:
        row = {COLUMN_PREFIX + key: value for key, value in option.columns}
        row[COLUMN_PREFIX + "name"] = option.key
        try:
            if holds(tree, {**answers, **row}, today=_today()):
                kept.append(option)
        except ExpressionError:
            continue
    return tuple(kept)


def calculate(form: Form, answers: dict[str, Any], questions: Iterable[Question]) -> bool:
    """Store the value of every calculate among ``questions`` (those that apply), in form
    order, each seeing the ones before; True when a value changed."""
    from forms.schema import QuestionType

    changed = False
    for question in questions:
        if question.type is not QuestionType.CALCULATE or not question.calculation:
            continue
        try:
            value = evaluate(question.calculation, answers, today=_today())
        except ExpressionError:
            value = None
        shown = None if value is None else string(value)
        if answers.get(question.id) != shown:
            answers[question.id] = shown
            changed = True
    return changed

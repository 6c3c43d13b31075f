"""The form file's cross-field checks in the conversation: which contradictions to show now,
and showing one.

A check runs as soon as the answers it reads are given (so the officer corrects while the
numbers are in mind) and again at submission. A warning confirmed for some numbers is not
asked again for the same numbers; a blocking check cannot be confirmed away.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from statistics import median
from typing import Any

from forms import validation
from forms.periods import PeriodKind
from forms.schema import Form
from forms.validation import Violation
from handlers.context import Context
from handlers.forms.draft import scope_key
from handlers.forms.prompts import prompt

# How many earlier periods ``usual()`` looks at: a year of months.
HISTORY_PERIODS = 12


def _number(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


async def usual(ctx: Context, form: Form) -> dict[str, Decimal]:
    """The median of each question ``usual()`` reads, over the same report's earlier
    periods (the same producer's months, the same commune's quarters); a question never
    answered before has none, and the checks reading it do not apply."""
    needed = validation.history_needed(form)
    if not needed or form.period is PeriodKind.NONE:
        return {}
    earlier = await ctx.stores.submissions.earlier_answers(
        form.id, scope_key(form, ctx), before=ctx.data["period"], limit=HISTORY_PERIODS
    )
    found: dict[str, Decimal] = {}
    for name in needed:
        numbers = [n for n in (_number(answers.get(name)) for answers in earlier) if n is not None]
        if numbers:
            found[name] = Decimal(median(numbers))
    return found


def to_show(ctx: Context, found: list[Violation]) -> list[Violation]:
    """Blocking ones always; warnings unless confirmed for these very numbers."""
    confirmed: dict[str, str] = ctx.data.get("confirmed", {})
    return [
        v for v in found if v.check.level == "block" or confirmed.get(v.check.id) != v.fingerprint
    ]


async def contradictions(
    ctx: Context, form: Form, *, involving: str | None = None
) -> list[Violation]:
    """The contradictions the user must see now (``involving``: only checks that read that
    question, right after it was answered)."""
    relevant = [c for c in form.checks if involving is None or involving in c.answer_names()]
    if not relevant:
        return []
    history = await usual(ctx, form) if any(c.history_names() for c in relevant) else {}
    found = validation.violations(form, ctx.data["answers"], history, involving=involving)
    return to_show(ctx, found)


async def show(ctx: Context, violation: Violation, *, then: str, question: str | None) -> None:
    """Make the contradiction the current step. ``then``: ``advance`` (go on with the form
    once it is confirmed) or ``submit`` (send once it is); ``question``: the answer that
    raised it, where /quaylai returns."""
    ctx.data["check"] = {
        "id": violation.check.id,
        "then": then,
        "question": question,
        "left": str(violation.sides.left),
        "right": str(violation.sides.right),
        "numbers": {name: str(number) for name, number in violation.numbers.items()},
        "fingerprint": violation.fingerprint,
    }
    ctx.goto(f"check:{violation.check.id}")
    await prompt(ctx)

"""The corpus of answers as people type them (tests/forms/readers/corpus/*.tsv), read the way
the bot reads them, and judged: read right, a silent misread (a wrong value stored without
asking), or safe but not right (asked or refused where the answer was clear).

Shared by tests/forms/readers/test_corpus.py (which holds the readers to ≥ 98 % right and no
silent misread) and ``python -m bench.readers`` (which prints the same figures).

Form questions are read through :func:`forms.engine.read_answer`, exactly as a conversation
reads them; ``phone`` and ``date`` (which no built-in form asks) through their readers.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from bot.messages import Inbound, InboundKind
from bot.text import clean
from forms import engine
from forms.readers import Ambiguous, NeedsConfirmation, Ok, Rejected, read_date, read_phone
from forms.schema import DEFINITIONS_DIR, Question, QuestionType, load_forms

CORPUS_DIR = Path(__file__).parent / "corpus"
TODAY = date(2024, 6, 10)
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")

RIGHT, SILENT, SAFE = "right", "silent misread", "asked or refused"


@dataclass(frozen=True)
class Case:
    """One line of the corpus."""

    source: str  # file:line
    question: str
    answer: str
    expected: str


@dataclass(frozen=True)
class Verdict:
    case: Case
    outcome: str
    got: str


def load(directory: Path = CORPUS_DIR) -> list[Case]:
    """Every case of every ``*.tsv`` file (``#`` lines are comments)."""
    cases: list[Case] = []
    for path in sorted(directory.glob("*.tsv")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            question, answer, expected = line.split("\t")[:3]
            answer = _ESCAPE.sub(lambda m: chr(int(m[1], 16)), answer)
            cases.append(Case(f"{path.name}:{number}", question, answer, expected.strip()))
    return cases


def _questions() -> dict[str, Question]:
    return {q.id: q for form in load_forms(DEFINITIONS_DIR).values() for q in form.questions}


def read(case: Case, questions: dict[str, Question]) -> Any:
    """What the bot makes of the answer."""
    if case.question == "phone":
        return read_phone(case.answer)
    if case.question == "date":
        result = read_date(case.answer, today=TODAY)
        return Ok(result.value.isoformat()) if isinstance(result, Ok) else result
    inbound = Inbound(
        channel="corpus", user_id="1", message_id="1", kind=InboundKind.TEXT, text=case.answer
    )
    return engine.read_answer(questions[case.question], inbound, today=TODAY)


def _same(kind: QuestionType | None, value: Any, expected: str, answer: str) -> bool:
    if kind in (QuestionType.INTEGER, QuestionType.DECIMAL):
        try:
            return Decimal(str(value)) == Decimal(expected)
        except InvalidOperation:
            return False
    if kind is QuestionType.YES_NO:
        return value is (expected == "yes")
    if kind is QuestionType.MULTI_CHOICE:
        return list(value) == [key for key in expected.split(",") if key]
    if kind is QuestionType.TEXT and expected == "=":
        return value == clean(answer).strip()
    return str(value) == expected


def judge(case: Case, reading: Any, kind: QuestionType | None) -> Verdict:
    """Right, silent misread or safe; see the module docstring."""
    expected = case.expected
    if isinstance(reading, Ok):
        got = repr(reading.value)
    elif isinstance(reading, NeedsConfirmation):
        got = f"confirm {reading.value!r} / {reading.alternative!r}"
    elif isinstance(reading, Ambiguous):
        got = f"ambiguous {reading.keys}"
    else:
        got = (
            f"refuse ({reading.message[:40]}…)" if isinstance(reading, Rejected) else repr(reading)
        )
    if expected == "refuse":
        outcome = (
            RIGHT if isinstance(reading, Rejected) else SILENT if isinstance(reading, Ok) else SAFE
        )
    elif expected.startswith("confirm"):
        wanted = expected.split()[1:]
        if isinstance(reading, NeedsConfirmation):
            offered = [reading.value, reading.alternative]
            fits = not wanted or any(
                v is not None and _same(kind, v, wanted[0], case.answer) for v in offered
            )
            outcome = RIGHT if fits else SAFE
        else:
            outcome = SILENT if isinstance(reading, Ok) else SAFE
    elif expected == "ambiguous":
        outcome = (
            RIGHT if isinstance(reading, Ambiguous) else SILENT if isinstance(reading, Ok) else SAFE
        )
    elif isinstance(reading, Ok):
        outcome = RIGHT if _same(kind, reading.value, expected, case.answer) else SILENT
    else:
        outcome = SAFE
    return Verdict(case, outcome, got)


def run(cases: Iterable[Case] | None = None) -> list[Verdict]:
    """Every case read and judged."""
    questions = _questions()
    verdicts = []
    for case in load() if cases is None else cases:
        question = questions.get(case.question)
        kind = question.type if question is not None else None
        if case.question == "date":
            kind = QuestionType.DATE
        verdicts.append(judge(case, read(case, questions), kind))
    return verdicts


def figures(verdicts: list[Verdict]) -> dict[str, Any]:
    """Share read right and silent misreads, overall and by corpus file."""
    by_file: dict[str, Counter[str]] = {}
    for verdict in verdicts:
        by_file.setdefault(verdict.case.source.split(":")[0], Counter())[verdict.outcome] += 1
    total = Counter(v.outcome for v in verdicts)
    count = len(verdicts)
    return {
        "answers": count,
        "right": total[RIGHT],
        "share_right": round(total[RIGHT] / count, 4) if count else 0.0,
        "silent_misreads": total[SILENT],
        "asked_or_refused": total[SAFE],
        "by_file": {name: dict(counter) for name, counter in sorted(by_file.items())},
    }


def report(verdicts: list[Verdict]) -> str:
    """The figures and every answer not read right, one per line."""
    numbers = figures(verdicts)
    lines = [
        f"corpus: {numbers['answers']} answers, {numbers['right']} read right "
        f"({numbers['share_right']:.1%}), {numbers['silent_misreads']} silent misreads, "
        f"{numbers['asked_or_refused']} asked or refused where the answer was clear"
    ]
    for name, counter in numbers["by_file"].items():
        lines.append(f"  {name}: " + ", ".join(f"{k} {v}" for k, v in sorted(counter.items())))
    for verdict in verdicts:
        if verdict.outcome != RIGHT:
            case = verdict.case
            lines.append(
                f"  {verdict.outcome}: {case.source} {case.question} {case.answer!r} "
                f"expected {case.expected}, got {verdict.got}"
            )
    return "\n".join(lines)

"""The pure part of the form engine: which questions apply, how an answer is read, how an
answer is shown. No state, no storage: the flow (``flow.py``) drives it.

Answers are kept as JSON values: numbers as strings (no float rounding), dates as ISO
strings, choices as option keys, photos as lists of file ids, locations as [lat, lon].
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.i18n import N_, Translator
from bot.messages import Inbound, InboundKind
from forms import readers
from forms.conditions import condition_holds
from forms.readers import Ambiguous, Choice, NeedsConfirmation, Ok, Rejected
from forms.readers.phone import display_phone
from forms.readers.results import show_number
from forms.schema import Form, Question, QuestionType
from forms.xlsform.answers import (
    MSG_CONSTRAINT,
    MSG_CONSTRAINT_SAID,
    constraint_holds,
    expressions_hold,
    offered,
    required_holds,
)

MSG_SEND_LOCATION = N_(
    "Please share your location with the button, or type it as "
    "latitude, longitude, for example {example}."
)
MSG_SEND_PHOTO = N_("Please send a photo, or press “Done” when you have sent them all.")
MSG_TYPE_ANSWER = N_("Please type your answer, for example {example}.")
MSG_TYPE_TEXT = N_("Please type your answer.")
MSG_PRESS_BUTTON = N_("Please press one of the buttons, or type its number.")


def _number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def relevant_questions(form: Form, answers: dict[str, Any]) -> list[Question]:
    """The questions that apply, given the answers so far (conditions evaluated in order),
    calculates included.

    A condition on a question that does not apply itself never holds, whatever answer that
    question kept from before: an answer left over from an earlier path counts for nothing.
    """
    asked: list[Question] = []
    ruled_out: set[str] = set()
    for question in form.questions:
        refs = set(question.when or {})
        if (
            refs & ruled_out
            or not condition_holds(question.when, answers)
            or not expressions_hold(question.relevant, answers, ruled_out)
        ):
            ruled_out.add(question.id)
        else:
            asked.append(question)
    return asked


def applicable(form: Form, answers: dict[str, Any]) -> list[Question]:
    """The questions to ask (a calculate is computed, never asked)."""
    return [q for q in relevant_questions(form, answers) if q.type is not QuestionType.CALCULATE]


def numbered(form: Form, answers: dict[str, Any]) -> list[Question]:
    """The questions counted and numbered ("Câu 2/8", the review, the answer to change): a
    note asks nothing, so it is shown but neither counted nor listed as an answer."""
    return [q for q in applicable(form, answers) if q.type is not QuestionType.NOTE]


def answers_that_apply(form: Form, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers of the questions that apply (calculates included): an answer kept from an
    earlier path reads as empty in an expression, as it does in a ``relevant``."""
    return {q.id: answers[q.id] for q in relevant_questions(form, dict(answers)) if q.id in answers}


def is_required(question: Question, answers: Mapping[str, Any], form: Form | None = None) -> bool:
    """Whether ``question`` must be answered now (no /boqua; refused at filing when missing):
    its ``required``, or its ``required_if`` holding over the answers given so far. The chat
    and validation both decide here, so what the chat lets skip is what filing accepts.
    With ``form`` only the answers that apply are read; without, ``answers`` are those."""
    if question.required_if is None:
        return question.required
    visible = answers if form is None else answers_that_apply(form, answers)
    return required_holds(question.required_if, visible)


def next_question(form: Form, answers: dict[str, Any], after: str | None) -> Question | None:
    """The first applicable question after ``after`` (from the start when None)."""
    questions = applicable(form, answers)
    if after is not None:
        ids = [q.id for q in form.questions]
        position = ids.index(after)
        questions = [q for q in questions if ids.index(q.id) > position]
    return questions[0] if questions else None


def choices(question: Question, answers: dict[str, Any] | None = None) -> list[Choice]:
    """The options offered (a choice_filter's, given ``answers``), as the readers take them."""
    return [
        Choice(
            key=o.key, labels=(o.vi, *([o.en] if o.en else []), *o.aliases), prefixes=o.prefixes
        )
        for o in offered(question, answers or {})
    ]


@dataclass(frozen=True)
class NeedsMore:
    """A photo question took one photo and waits for more (or "Done")."""

    value: list[str]


Reading = Ok[Any] | Rejected | NeedsConfirmation[Any] | Ambiguous | NeedsMore


def read_answer(
    question: Question,
    inbound: Inbound,
    *,
    today: date,
    current: Any = None,
    language: str = "vi",
    answers: dict[str, Any] | None = None,
    form: Form | None = None,
) -> Reading:
    """Read one answer for ``question`` from what the user sent (text, photo, location),
    then hold it to the question's constraint (an XLSForm's) given the other ``answers``.

    ``language`` picks the question's own example for the messages that refuse an answer;
    ``form`` lets a ``required_if`` read only the answers that apply (:func:`is_required`)."""
    reading = _read(
        question,
        inbound,
        today=today,
        current=current,
        language=language,
        answers=answers,
        form=form,
    )
    if isinstance(reading, Ok) and question.constraint:
        if not constraint_holds(question, reading.value, answers or {}, today=today):
            said = question.constraint_message
            if said is not None:
                return Rejected(MSG_CONSTRAINT_SAID, {"message": said(language)})
            return Rejected(MSG_CONSTRAINT)
    return reading


def _read(
    question: Question,
    inbound: Inbound,
    *,
    today: date,
    current: Any,
    language: str,
    answers: dict[str, Any] | None,
    form: Form | None,
) -> Reading:
    kind = question.type
    if kind in (QuestionType.NOTE, QuestionType.ACKNOWLEDGE):
        if inbound.kind is InboundKind.TEXT and inbound.text:
            if kind is QuestionType.NOTE:
                return Ok(True)
            result = readers.read_yes_no(inbound.text, label=_labels(question))
            if isinstance(result, Ok) and result.value:
                return Ok(True)
        return Rejected(MSG_PRESS_BUTTON)
    if kind is QuestionType.PHOTO:
        if inbound.kind is InboundKind.PHOTO and inbound.file is not None:
            photos = [*list(current or []), inbound.file.file_id]
            if len(photos) > question.max_photos:
                return Rejected(
                    N_("At most {max} photos. Press “Done” to go on."),
                    {"max": str(question.max_photos)},
                )
            return NeedsMore(photos) if len(photos) < question.max_photos else Ok(photos)
        return Rejected(MSG_SEND_PHOTO)
    if kind is QuestionType.LOCATION:
        if inbound.kind is InboundKind.LOCATION and inbound.location is not None:
            return Ok([inbound.location.latitude, inbound.location.longitude])
        if inbound.kind is InboundKind.TEXT and inbound.text:
            parts = inbound.text.replace(";", ",").split(",")
            if len(parts) == 2:
                try:
                    lat, lon = float(parts[0]), float(parts[1])
                except ValueError:
                    lat, lon = 999.0, 999.0
                if -90 <= lat <= 90 and -180 <= lon <= 180:
                    return Ok([lat, lon])
        return Rejected(MSG_SEND_LOCATION, {"example": "21.0285, 105.8542"})
    if inbound.kind is not InboundKind.TEXT or inbound.text is None:
        if kind in (QuestionType.CHOICE, QuestionType.YES_NO, QuestionType.MULTI_CHOICE):
            return Rejected(MSG_PRESS_BUTTON)
        shown = example(question, language)
        return Rejected(MSG_TYPE_ANSWER, {"example": shown}) if shown else Rejected(MSG_TYPE_TEXT)
    text = inbound.text
    if kind is QuestionType.TEXT:
        return readers.read_text(
            text,
            min_length=question.min_length,
            max_length=question.max_length,
            pattern=question.pattern,
            pattern_example=question.pattern_example,
            example=question.example(language) if question.example else None,
            language=language,
        )
    if kind is QuestionType.INTEGER:
        result = readers.read_integer(
            text,
            min_value=None if question.min is None else int(question.min),
            max_value=None if question.max is None else int(question.max),
            unit=question.unit,
            label=_labels(question),
            language=language,
        )
        return _jsonable(result)
    if kind is QuestionType.DECIMAL:
        result = readers.read_decimal(
            text,
            min_value=bound(question.min),
            max_value=bound(question.max),
            unit=question.unit,
            label=_labels(question),
            language=language,
        )
        return _jsonable(result)
    if kind is QuestionType.YES_NO:
        return readers.read_yes_no(text, label=_labels(question))
    if kind is QuestionType.DATE:
        result = readers.read_date(text, today=today, language=language)
        return Ok(result.value.isoformat()) if isinstance(result, Ok) else result
    if kind is QuestionType.PHONE:
        return readers.read_phone(text)
    if kind is QuestionType.CHOICE:
        return readers.read_choice(text, choices(question, answers))
    if kind is QuestionType.MULTI_CHOICE:
        result = readers.read_choices(
            text,
            choices(question, answers),
            min_count=question.min_choices if is_required(question, answers or {}, form) else 0,
            max_count=question.max_choices,
            everything=question.all_allowed,
        )
        return Ok(list(result.value)) if isinstance(result, Ok) else result
    raise AssertionError(f"unknown question type {kind}")


def _labels(question: Question) -> tuple[str, ...]:
    """The question's labels: a number reader knows from them what is counted, and the yes/no
    reader recognises an answer that restates the question ("không có khó khăn gì")."""
    return (question.label.vi, *([question.label.en] if question.label.en else []))


def _jsonable(result: Any) -> Reading:
    """Numbers are stored as strings: Decimal("1.5") must not become 1.4999."""
    if isinstance(result, Ok):
        return Ok(stored_number(result.value))
    if isinstance(result, NeedsConfirmation):
        alternative = None if result.alternative is None else stored_number(result.alternative)
        return NeedsConfirmation(
            stored_number(result.value), alternative, result.message, result.params
        )
    return result


def plain(number: Decimal) -> str:
    """A finite number written out with every digit and nothing more: ``1.50`` → ``1.5``,
    ``1.5E+3`` → ``1500``, ``5E-7`` → ``0.0000005`` (``format(..., "f")`` never rounds)."""
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def stored_number(value: int | Decimal) -> str:
    """A number as an answer keeps it: plainly, never ``5E-7``, which the form's own
    expressions (forms/xlsform/) would not read as a number."""
    return str(value) if isinstance(value, int) else plain(value)


def bound(limit: float | None) -> Decimal | None:
    """A form file's bound as the readers compare it: ``1000000``, not ``1000000.0``."""
    if limit is None:
        return None
    return Decimal(int(limit)) if float(limit).is_integer() else Decimal(str(limit))


def example(question: Question, language: str = "vi") -> str:
    """An answer that fits the question, numbers as the user's language writes them (Babel);
    "" when there is none to give."""
    if question.example is not None:
        return question.example(language)
    if question.type in (QuestionType.INTEGER, QuestionType.DECIMAL):
        low, high = bound(question.min), bound(question.max)
        value = Decimal(12) if question.type is QuestionType.INTEGER else Decimal("2.5")
        if low is not None and value < low:
            value = low
        if high is not None and value > high:
            value = high
        shown = show_number(value, language)
        return f"{shown} {question.unit}" if question.unit else shown
    return {
        QuestionType.DATE: "15/3/2024",
        QuestionType.PHONE: "0912 345 678",
    }.get(question.type, "")


def show_stored_number(value: Any, language: str) -> str:
    """A stored number as the user's language writes it, with every digit it has.

    ``Translator.number`` keeps three decimals at most (Babel's pattern): "500 g" at a
    question in tấn would read back as "0 tấn". A number here is never rounded, never in
    scientific notation (an older "5E-7" reads "0,0000005"), with no trailing zeros; what
    is not a number (an older form's answer) is shown as stored."""
    number = _number(value)
    if number is None or not number.is_finite():
        return str(value)
    return show_number(Decimal(plain(number)), language)


def show_answer(question: Question, value: Any, tr: Translator) -> str:
    """An answer as the user reads it back (the review, a receipt, a confirmation), in the
    user's language; numbers unrounded (:func:`show_stored_number`)."""
    if value is None:
        return tr.t("(skipped)")
    kind = question.type
    if kind in (QuestionType.INTEGER, QuestionType.DECIMAL):
        shown = show_stored_number(value, tr.language)
        return f"{shown} {question.unit}" if question.unit else shown
    if kind is QuestionType.YES_NO:
        return tr.t("Yes") if value else tr.t("No")
    if kind in (QuestionType.NOTE, QuestionType.ACKNOWLEDGE):
        return "✓"
    if kind is QuestionType.CHOICE:
        return _option_label(question, value, tr.language)
    if kind is QuestionType.MULTI_CHOICE:
        return ", ".join(_option_label(question, key, tr.language) for key in value) or "—"
    if kind is QuestionType.DATE:
        return tr.date(date.fromisoformat(value))
    if kind is QuestionType.PHONE:
        return display_phone(value)
    if kind is QuestionType.PHOTO:
        return tr.tn("{n} photo", "{n} photos", len(value))
    if kind is QuestionType.LOCATION:
        return f"{value[0]:.5f}, {value[1]:.5f}"
    return str(value)


def _option_label(question: Question, key: str, language: str) -> str:
    for option in question.options:
        if option.key == key:
            return option.label(language)
    return key

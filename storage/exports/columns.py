"""The columns of an export and how one submission becomes one row.

Headers are Vietnamese because the workbook goes to the agriculture offices as it is. Answers
are shown the way the bot reads them back to people (option labels, "Có"/"Không", phone
numbers as 0912 345 678, the sender's name capitalised, a report's status in the words of the
chat: ``bot/render.py``), except numbers and dates, which stay numbers and dates so that the
office can sum, filter and sort them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from bot import render
from bot.i18n import Translator
from forms.engine import show_answer
from forms.periods import parse_period
from forms.schema import Form, Question, QuestionType
from storage.exports.cells import Kind, Value
from storage.exports.cycle import cycle_cells, cycle_columns, has_cycle
from storage.exports.repeats import REPEAT_NUMBER, RepeatGroup, repeat_groups, repeated_ids
from storage.exports.sinks import Column
from storage.files import ref_id
from storage.models import Submission

OnTime = Callable[[Submission], bool | None]
# Whether anyone was asked for a report's period (form id, period key): not for a period that
# ended before the report was put on the calendar.
Asked = Callable[[str, str], bool]

_VI = Translator("vi")  # the workbook is Vietnamese, like its headers
ON_TIME, LATE = _VI.t(render.ON_TIME), _VI.t(render.LATE)

SUBMISSION_COLUMNS = (
    Column("Mã tỉnh", Kind.CODE),
    Column("Tỉnh"),
    Column("Mã xã", Kind.CODE),
    Column("Xã/phường"),
    Column("Kỳ báo cáo"),
    Column("Mã biên nhận"),
    Column("Phiên bản", Kind.INTEGER),
    Column("Người gửi"),
    Column("Thời gian gửi", Kind.DATETIME),
    Column("Thời gian cập nhật", Kind.DATETIME),
    Column("Đúng hạn"),
    Column("Trạng thái duyệt"),
    Column("Nhận xét duyệt", Kind.LONG_TEXT),
)

COMPLETENESS_SHEET = "Tình hình báo cáo"
# "Tình trạng": the dashboard's one state (completeness.py); "Đúng hạn": the deadline's verdict.
COMPLETENESS_COLUMNS = (
    Column("Báo cáo", Kind.TEXT),
    Column("Kỳ báo cáo"),
    Column("Mã tỉnh", Kind.CODE),
    Column("Tỉnh"),
    Column("Mã xã", Kind.CODE),
    Column("Xã/phường"),
    Column("Tình trạng"),
    Column("Mã biên nhận"),
    Column("Thời gian gửi", Kind.DATETIME),
    Column("Đúng hạn"),
)


# What ties a repeat's row to its report (the report's own key columns, in the same order).
REPEAT_KEY_COLUMNS = (
    Column("Mã tỉnh", Kind.CODE),
    Column("Tỉnh"),
    Column("Mã xã", Kind.CODE),
    Column("Xã/phường"),
    Column("Kỳ báo cáo"),
    Column("Mã biên nhận"),
)


@dataclass(frozen=True)
class UnitNames:
    """Province and commune names by code: 34 + 3,321 rows, loaded once per export."""

    provinces: dict[int, str]
    communes: dict[int, str]

    def province(self, code: int | None) -> str | None:
        return None if code is None else self.provinces.get(code)

    def commune(self, code: int | None) -> str | None:
        return None if code is None else self.communes.get(code)


# The caches below are bounded by the country's lists (34 provinces, 3,321 communes) and
# by the periods of a few years: an export asks the same few thousand questions a million
# times, and memory stays constant.


@lru_cache(maxsize=4096)
def province_code_text(code: int | None) -> str | None:
    """Official codes are written zero-padded ("01" Hà Nội), as in the government's lists."""
    return None if code is None else f"{code:02d}"


@lru_cache(maxsize=8192)
def commune_code_text(code: int | None) -> str | None:
    return None if code is None else f"{code:05d}"


@lru_cache(maxsize=4096)
def period_label(key: str) -> str | None:
    """ "2024-Q2" → "quý 2/2024"; None for forms not tied to a period."""
    if not key:
        return None
    period = parse_period(key)
    return period.label("vi") if period else key


def local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    """Spreadsheets have no time zones: write the office's wall-clock time."""
    return None if moment is None else moment.astimezone(zone).replace(tzinfo=None)


def timeliness(flag: bool | None) -> str | None:
    return None if flag is None else (ON_TIME if flag else LATE)


@lru_cache(maxsize=16)
def _review_text(status: str | None) -> str:
    return render.review_label(_VI, status)


def review_label(submission: Any) -> str:
    """The same words as /xem in the chat ("Chưa duyệt", "Cần bổ sung", "Đã duyệt")."""
    return _review_text(getattr(submission, "review_status", None))


@lru_cache(maxsize=4096)
def sender_name(name: str | None) -> str | None:
    """The sender as the chat shows them: "nguyễn văn an" typed, "Nguyễn Văn An" shown."""
    return render.display_name(name) if name else name


def question_column(question: Question) -> Column:
    if question.type is QuestionType.PHOTO:
        return Column(f"{question.label.vi} — số ảnh", Kind.INTEGER)
    kind = {
        QuestionType.INTEGER: Kind.INTEGER,
        QuestionType.DECIMAL: Kind.NUMBER,
        QuestionType.DATE: Kind.DATE,
    }.get(question.type)
    if kind is None:
        long = question.type is QuestionType.TEXT and question.max_length > 200
        kind = Kind.LONG_TEXT if long else Kind.TEXT
    return Column(question.label.vi, kind)


@dataclass(frozen=True)
class AnswerSlot:
    """One answer column of a report's row: a question's answer (``group`` None), a
    repeat's count (``question`` None), or, in CSV, a numbered question of a repeat's
    ``number``-th instance (empty past the instances filed)."""

    column: Column
    question: Question | None = None
    group: RepeatGroup | None = None
    number: int = 0


def answer_slots(form: Form, *, repeat_sheets: bool = True) -> list[AnswerSlot]:
    """The answer columns in the form's order. A repeat gives its count where its first
    question stood and, unless it has sheets of its own (``repeat_sheets``), its numbered
    questions; its "add another?" questions are never exported (repeats.py)."""
    repeated = repeated_ids(repeat_groups(form))
    slots: list[AnswerSlot] = []
    for question in form.questions:
        found = repeated.get(question.id)
        if found is None:
            slots.append(AnswerSlot(question_column(question), question))
            continue
        group, number = found
        if number == 0:
            continue  # "add another?"
        if question is group.instances[0][0]:
            slots.append(AnswerSlot(group.count_column, None, group))
        if not repeat_sheets:
            slots.append(AnswerSlot(question_column(question), question, group, number))
    return slots


def form_columns(form: Form, *, repeat_sheets: bool = True) -> list[Column]:
    """The submission's columns, one per answer (see :func:`answer_slots`), and an idea's
    OCOP cycle (cycle.py)."""
    return [
        *SUBMISSION_COLUMNS,
        *(slot.column for slot in answer_slots(form, repeat_sheets=repeat_sheets)),
        *cycle_columns(form),
    ]


def repeat_columns(group: RepeatGroup) -> list[Column]:
    """A repeat's sheet: its report's keys, the instance number, its questions."""
    return [*REPEAT_KEY_COLUMNS, REPEAT_NUMBER, *(question_column(q) for q in group.headed())]


def answer_cell(question: Question, value: Any, tr: Translator) -> Value:
    """One answer as a cell; None (skipped or not asked) is an empty cell, not "(bỏ qua)"."""
    if value is None:
        return None
    kind = question.type
    if kind is QuestionType.PHOTO:
        return photo_count(value)
    if kind in (QuestionType.INTEGER, QuestionType.DECIMAL):
        if value.__class__ is int:
            return value  # the writers' fastest case; a Decimal of it says the same
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            return str(value)
        if not number.is_finite():
            return str(value)
        # "12" is the int 12; "12.0" stays a Decimal, so that CSV keeps the digits typed.
        exponent = number.as_tuple().exponent
        return int(number) if isinstance(exponent, int) and exponent >= 0 else number
    if kind is QuestionType.DATE:
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            return str(value)
    try:
        return show_answer(question, value, tr)
    except (TypeError, ValueError, IndexError, KeyError):
        return str(value)  # an answer stored by an older form version


def has_photos(form: Form) -> bool:
    return any(question.type is QuestionType.PHOTO for question in form.questions)


def photo_count(value: Any, kept: Collection[int] | None = None) -> int | None:
    """How many photos an answer holds: the bot's stored copies (``file:42``) that are still
    kept (``kept``: the ids of stored photos; erasing a person deletes theirs), and any
    messenger file id of an older answer. The photos themselves are not in the workbook."""
    if not isinstance(value, list):
        return None
    count = 0
    for item in value:
        stored = ref_id(item)
        if stored is None or kept is None or stored in kept:
            count += 1
    return count


ANSWER_MEMO_SIZE = 4096  # distinct answers remembered per question (memory stays bounded)


def answer_converter(question: Question, tr: Translator) -> Callable[[Any], Value]:
    """:func:`answer_cell` for one question, remembering what it gave for answers already
    seen: the same counts, options and phrases come back row after row, and showing one
    (``Decimal``, ``show_answer``) costs more than looking it up. Unhashable answers
    (several options, a location) are converted each time."""
    memo: dict[tuple[type, Any], Value] = {}

    def convert(value: Any) -> Value:
        if value is None:
            return None
        key = (value.__class__, value)  # 1, 1.0 and True are equal keys otherwise
        try:
            return memo[key]
        except KeyError:
            pass
        except TypeError:
            return answer_cell(question, value, tr)
        cell = answer_cell(question, value, tr)
        if len(memo) < ANSWER_MEMO_SIZE:
            memo[key] = cell
        return cell

    return convert


class SubmissionRows:
    """Makes the rows of one form's sheet; what does not change from row to row (the
    questions, their converters, the zone) is worked out once.

    ``submission`` is anything with a submission's attributes: an ORM object, or a row of
    the submissions table's columns as the export reads them.
    """

    def __init__(
        self,
        form: Form,
        names: UnitNames,
        *,
        zone: ZoneInfo,
        on_time: OnTime | None,
        tr: Translator,
        kept_photos: Collection[int] | None = None,
        repeat_sheets: bool = True,
    ) -> None:
        self.names, self.zone, self.on_time = names, zone, on_time
        self.convert = converter_for(tr, kept_photos)
        slots = answer_slots(form, repeat_sheets=repeat_sheets)
        # The common case, a form without repeats, reads each answer by its key inline.
        self.answers = [
            (slot.question.id, self.convert(slot.question))
            for slot in slots
            if slot.question is not None and slot.group is None
        ]
        self.cells = (
            None if len(self.answers) == len(slots) else [_cell(s, self.convert) for s in slots]
        )
        self.cycle = has_cycle(form)

    def keys(self, submission: Any) -> list[Value]:
        """The values of :data:`REPEAT_KEY_COLUMNS`: what ties a repeat's row to its report."""
        names = self.names
        return [
            province_code_text(submission.province_code),
            names.province(submission.province_code),
            commune_code_text(submission.commune_code),
            names.commune(submission.commune_code),
            period_label(submission.period),
            submission.receipt,
        ]

    def __call__(self, submission: Any, sender: str | None) -> list[Value]:
        answers = submission.answers or {}
        names, zone, on_time = self.names, self.zone, self.on_time
        return [
            province_code_text(submission.province_code),
            names.province(submission.province_code),
            commune_code_text(submission.commune_code),
            names.commune(submission.commune_code),
            period_label(submission.period),
            submission.receipt,
            submission.revision,
            sender_name(sender),
            local(submission.submitted_at, zone),
            local(submission.updated_at, zone),
            timeliness(on_time(submission) if on_time else None),
            review_label(submission),
            getattr(submission, "review_comment", None),
            *(
                [convert(answers.get(key)) for key, convert in self.answers]
                if self.cells is None
                else [cell(answers) for cell in self.cells]
            ),
            *(cycle_cells(submission, zone) if self.cycle else ()),
        ]


def photo_converter(kept: Collection[int] | None) -> Callable[[Any], Value]:
    def count(value: Any) -> Value:
        return None if value is None else photo_count(value, kept)

    return count


Converter = Callable[[Any], Value]


def converter_for(
    tr: Translator, kept_photos: Collection[int] | None
) -> Callable[[Question], Converter]:
    """Each question's converter: a photo counts the photos still kept."""

    def make(question: Question) -> Converter:
        if question.type is QuestionType.PHOTO:
            return photo_converter(kept_photos)
        return answer_converter(question, tr)

    return make


def _cell(slot: AnswerSlot, make: Callable[[Question], Converter]) -> Callable[[Any], Value]:
    """One answer cell of a form with repeats, from the submission's answers."""
    group, question = slot.group, slot.question
    if question is None:
        assert group is not None
        return group.count
    key, convert = question.id, make(question)
    if group is None:
        return lambda answers: convert(answers.get(key))
    count, number = group.count, slot.number
    return lambda answers: convert(answers.get(key)) if count(answers) >= number else None


def submission_row(
    submission: Submission,
    sender: str | None,
    form: Form,
    names: UnitNames,
    *,
    zone: ZoneInfo,
    on_time: OnTime | None,
    tr: Translator,
) -> list[Value]:
    """One row on its own; an export makes a :class:`SubmissionRows` once and reuses it."""
    return SubmissionRows(form, names, zone=zone, on_time=on_time, tr=tr)(submission, sender)

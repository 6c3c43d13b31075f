"""``required`` as an expression (``${courses} > 0``), as many public forms write it: read by
``forms check``, asked as required only while it holds over the answers given so far,
checked again before filing, and kept by export so that import → export → import is the same.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from bot.messages import Inbound, InboundKind
from forms import engine, validation
from forms.readers import Ok, Rejected
from forms.schema import Form, Question, Text
from forms.xlsform import check_workbook
from forms.xlsform.answers import required_holds
from forms.xlsform.builtin import builtin_workbook
from forms.xlsform.export import source_of, workbook_bytes
from forms.xlsform.to_form import to_form
from tests.forms.xlsform.workbooks import training_report, xlsform

TODAY = date(2024, 6, 10)
CHOICES = [
    {"list_name": "yn", "name": "yes", "label": "Có"},
    {"list_name": "yn", "name": "no", "label": "Không"},
    {"list_name": "aid", "name": "capital", "label": "Vốn"},
    {"list_name": "aid", "name": "market", "label": "Thị trường"},
]


def text(value: str) -> Inbound:
    return Inbound(
        channel="console", user_id="an", message_id="1", kind=InboundKind.TEXT, text=value
    )


def training() -> Form:
    form, problems, _ = check_workbook(training_report())
    assert form is not None, problems
    return to_form(form)


def problems_of(survey: list[dict[str, Any]]) -> list[str]:
    _, problems, _ = check_workbook(xlsform(survey, CHOICES), "t")
    return [str(p) for p in problems]


def test_the_expression_is_read_and_kept() -> None:
    imported, problems, _ = check_workbook(training_report())
    assert problems == [] and imported is not None
    courses, topics, _notes = imported.questions()
    assert courses.required and courses.required_if is None
    assert not topics.required and topics.required_if == "${courses} > 0"
    question = to_form(imported).question("topics")
    assert not question.required and question.required_if == "${courses} > 0"
    assert question.required_message is not None
    assert question.required_message.vi.startswith("Anh/chị vui lòng ghi chủ đề")


def test_required_while_the_expression_holds() -> None:
    form = training()
    topics = form.question("topics")
    assert engine.is_required(topics, {"courses": "2"}, form)
    assert not engine.is_required(topics, {"courses": "0"}, form)
    # Not answered yet: an empty number makes the comparison false, as in a relevant.
    assert not engine.is_required(topics, {}, form)
    assert engine.is_required(form.question("courses"), {}, form)
    assert not engine.is_required(form.question("notes"), {"courses": "2"}, form)


def test_an_answer_that_no_longer_applies_counts_for_nothing() -> None:
    survey = [
        {"type": "select_one yn", "name": "trained", "label": "Có tập huấn?", "required": "yes"},
        {"type": "integer", "name": "courses", "label": "Số lớp", "relevant": "${trained} = 'yes'"},
        {"type": "text", "name": "topics", "label": "Chủ đề", "required": "${courses} > 0"},
    ]
    imported, problems, _ = check_workbook(xlsform(survey, CHOICES), "t")
    assert imported is not None, problems
    form = to_form(imported)
    topics = form.question("topics")
    assert engine.is_required(topics, {"trained": "yes", "courses": "3"}, form)
    # "3" was typed before "no": the courses question no longer applies, nor its answer.
    assert not engine.is_required(topics, {"trained": "no", "courses": "3"}, form)
    assert validation.answer_problems(form, {"trained": "no", "courses": "3", "topics": None}) == []


def test_a_multiple_choice_takes_none_only_when_not_required() -> None:
    survey = [
        {"type": "integer", "name": "courses", "label": "Số lớp", "required": "yes"},
        {
            "type": "select_multiple aid",
            "name": "aid",
            "label": "Hỗ trợ",
            "required": "${courses} > 0",
        },
    ]
    imported, problems, _ = check_workbook(xlsform(survey, CHOICES), "t")
    assert imported is not None, problems
    form = to_form(imported)
    aid = form.question("aid")

    def read(answers: dict[str, Any]) -> Any:
        return engine.read_answer(aid, text("không"), today=TODAY, answers=answers, form=form)

    assert isinstance(read({"courses": "2"}), Rejected)
    assert read({"courses": "0"}) == Ok([])
    assert [
        p.question.id for p in validation.answer_problems(form, {"courses": "2", "aid": []})
    ] == ["aid"]
    assert validation.answer_problems(form, {"courses": "0", "aid": []}) == []


def test_a_submission_without_it_is_refused_when_it_holds() -> None:
    form = training()
    skipped = {"courses": "2", "topics": None, "notes": None}
    problems = validation.answer_problems(form, skipped)
    assert [(p.question.id, p.message) for p in problems] == [
        ("topics", validation.MSG_NOT_ANSWERED)
    ]
    assert [p.question.id for p in validation.answer_problems(form, {"courses": "2"})] == ["topics"]
    # The chat asks it again before the review (the answer "2" was changed from "0").
    assert validation.pending(form, skipped) is form.question("topics")
    assert validation.answer_problems(form, {**skipped, "courses": "0"}) == []
    assert validation.pending(form, {**skipped, "courses": "0"}) is None
    filled = {**skipped, "topics": "Chế biến chè"}
    assert validation.answer_problems(form, filled) == []


def test_an_expression_that_cannot_be_computed_counts_as_required() -> None:
    """Only a limit can stop an expression that was checked at import; the answer is then
    asked for rather than skipped on a guess (it can always be given)."""
    source = "string-length(concat(${topics}, ${topics})) > 0"
    assert required_holds(source, {"topics": "x" * 6000})
    assert not required_holds("${courses} > 0", {"courses": "0"})
    assert required_holds("${courses} > 0", {"courses": "1"})


def test_forms_check_refuses_what_cannot_be_read() -> None:
    found = problems_of(
        [
            {"type": "integer", "name": "courses", "label": "Số lớp", "required": "yes"},
            {"type": "text", "name": "a", "label": "A", "required": "${nowhere} > 0"},
            {"type": "text", "name": "b", "label": "B", "required": "${b} != ''"},
            {"type": "text", "name": "c", "label": "C", "required": ". != ''"},
            {"type": "text", "name": "d", "label": "D", "required": "${courses} >"},
            {"type": "note", "name": "e", "label": "E", "required": "${courses} > 0"},
            {"type": "text", "name": "f", "label": "F", "required": "${later} > 0"},
            {"type": "integer", "name": "later", "label": "Later"},
        ]
    )
    assert found[:3] == [
        "survey, row 3, column D (required): ${nowhere} is not a question asked before this one",
        "survey, row 4, column D (required): ${b} is not a question asked before this one",
        "survey, row 5, column D (required): '.' (this answer) is only for a constraint",
    ]
    assert found[3].startswith("survey, row 6, column D (required): the expression cannot be used")
    assert found[4:] == [
        "survey, row 7, column D (required): a note cannot be required",
        "survey, row 8, column D (required): ${later} is not a question asked before this one",
    ]


def test_yes_and_no_are_not_expressions() -> None:
    for cell, required in (
        ("yes", True),
        ("TRUE()", True),
        ("1", True),
        ("no", False),
        ("", False),
    ):
        imported, problems, _ = check_workbook(
            xlsform([{"type": "text", "name": "a", "label": "A", "required": cell}]), "t"
        )
        assert imported is not None, problems
        (question,) = imported.questions()
        assert (question.required, question.required_if) == (required, None)


def test_import_export_import_is_unchanged() -> None:
    imported, problems, book = check_workbook(training_report())
    assert imported is not None and book is not None, problems
    source = source_of(book.sheets)
    again, problems, book_again = check_workbook(workbook_bytes(source))
    assert problems == [] and again == imported
    assert book_again is not None and source_of(book_again.sheets) == source
    # The bot's form written as an XLSForm (as a built-in one is) keeps it too.
    form = to_form(imported)
    written = builtin_workbook(form)
    (row,) = [r for r in written["survey"]["rows"] if r["name"] == "topics"]
    assert row["required"] == "${courses} > 0"
    back, problems, _ = check_workbook(workbook_bytes(written))
    assert back is not None, problems
    assert [(q.id, q.required, q.required_if) for q in to_form(back).questions] == [
        (q.id, q.required, q.required_if) for q in form.questions
    ]


def test_in_a_repeat_it_reads_its_own_instance() -> None:
    survey = [
        {"type": "begin repeat", "name": "product", "label": "Sản phẩm"},
        {"type": "integer", "name": "sold", "label": "Số đã bán", "required": "yes"},
        {"type": "decimal", "name": "price", "label": "Giá", "required": "${sold} > 0"},
        {"type": "end repeat"},
    ]
    imported, problems, _ = check_workbook(xlsform(survey, CHOICES), "t")
    assert imported is not None, problems
    form = to_form(imported)
    assert form.question("price__2").required_if == "${sold__2} > 0"
    answers = {"sold__1": "0", "product__more_1": True, "sold__2": "4"}
    assert not engine.is_required(form.question("price__1"), answers, form)
    assert engine.is_required(form.question("price__2"), answers, form)


def test_a_form_file_cannot_say_both() -> None:
    """``required_if`` with the default ``required: true`` would never let it be skipped."""
    with pytest.raises(ValidationError, match="required only while it holds"):
        Question(id="q", type="integer", label=Text(vi="Số"), required_if="${a} > 0")
    question = Question(
        id="q", type="integer", label=Text(vi="Số"), required=False, required_if="${a} > 0"
    )
    assert engine.is_required(question, {"a": "1"}) and not engine.is_required(question, {})

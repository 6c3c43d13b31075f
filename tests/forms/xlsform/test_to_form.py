"""An imported XLSForm as a form of the bot: what the engine asks, reads and computes, and
the built-in forms exported to XLSForm and imported back unchanged."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.messages import Inbound, InboundKind
from forms import engine, validation
from forms.readers import Ok, Rejected
from forms.schema import QuestionType, load_forms
from forms.xlsform import check_workbook
from forms.xlsform.answers import calculate
from forms.xlsform.builtin import builtin_workbook
from forms.xlsform.export import source_of, workbook_bytes
from forms.xlsform.to_form import MAX_REPEAT, to_form
from tests.forms.xlsform.workbooks import EN, VI, commune_report, xlsform

TODAY = date(2024, 6, 10)


def text(value: str) -> Inbound:
    return Inbound(
        channel="console", user_id="an", message_id="1", kind=InboundKind.TEXT, text=value
    )


def report() -> Any:
    form, problems, _ = check_workbook(commune_report())
    assert form is not None, problems
    return to_form(form)


def asked(answers: dict[str, Any]) -> list[str]:
    return [q.id for q in engine.applicable(report(), answers)]


def test_relevant_and_repeats() -> None:
    assert asked({}) == [
        "intro",
        "registered",
        "evaluated",
        "support",
        "product_name__1",
        "price__1",
        "product__more_1",
        "report_date",
        "confirm",
    ]
    more = asked({"evaluated": "2", "support": "other", "product__more_1": True})
    assert "stars_4" in more and "support_other" in more and "product_name__2" in more
    # A "no" at the first "add another?" rules out every later instance, whatever they kept.
    stale = {"product__more_1": False, "product__more_2": True, "product_name__3": "x"}
    assert "product_name__3" not in asked(stale) and "product__more_2" not in asked(stale)


def test_repeats_are_bounded() -> None:
    ids = [q.id for q in report().questions]
    assert f"product_name__{MAX_REPEAT}" in ids and f"product_name__{MAX_REPEAT + 1}" not in ids
    assert f"product__more_{MAX_REPEAT}" not in ids


@pytest.mark.parametrize(
    ("vi", "en", "asked_vi", "asked_en"),
    [
        # Observed: "Anh/chị có muốn thêm Lớp tập huấn nữa không?"
        (
            "Lớp tập huấn",
            "Training course",
            "thêm lớp tập huấn nữa",
            "Add another training course?",
        ),
        # An acronym or a name keeps its capitals: the second letter is a capital too.
        ("OCOP sản phẩm", "OCOP product", "thêm OCOP sản phẩm nữa", "Add another OCOP product?"),
        (
            "HTX tham gia",
            "HTX taking part",
            "thêm HTX tham gia nữa",
            "Add another HTX taking part?",
        ),
        ("sản phẩm", "product", "thêm sản phẩm nữa", "Add another product?"),
        ("Ý tưởng", "I", "thêm ý tưởng nữa", "Add another I?"),
    ],
)
def test_add_another_reads_the_label_in_mid_sentence(
    vi: str, en: str, asked_vi: str, asked_en: str
) -> None:
    survey = [
        {"type": "begin repeat", "name": "item", VI: vi, EN: en},
        {"type": "text", "name": "what", VI: "Tên", EN: "Name"},
        {"type": "end repeat"},
    ]
    settings = {"form_id": "lap", "default_language": "Tiếng Việt (vi)"}
    form, problems, _ = check_workbook(xlsform(survey, None, settings))
    assert form is not None, problems
    more = to_form(form).question("item__more_1").label
    assert asked_vi in more.vi and more.en == asked_en
    # The heading over the questions keeps the label as written.
    assert to_form(form).question("what__1").heading.vi == vi  # type: ignore[union-attr]


def test_constraints_are_read_with_the_other_answers() -> None:
    form = report()
    evaluated = form.question("evaluated")
    refused = engine.read_answer(evaluated, text("15"), today=TODAY, answers={"registered": "12"})
    assert isinstance(refused, Rejected) and refused.params == {
        "message": "Không lớn hơn số đăng ký"
    }
    english = engine.read_answer(
        evaluated, text("15"), today=TODAY, answers={"registered": "12"}, language="en"
    )
    assert isinstance(english, Rejected) and english.params == {
        "message": "No more than registered"
    }
    assert engine.read_answer(
        evaluated, text("3"), today=TODAY, answers={"registered": "12"}
    ) == Ok("3")
    future = engine.read_answer(form.question("report_date"), text("11/6/2024"), today=TODAY)
    assert isinstance(future, Rejected)


def test_calculates_and_validation_before_filing() -> None:
    form = report()
    answers: dict[str, Any] = {"registered": "12", "evaluated": "3"}
    assert calculate(form, answers, engine.relevant_questions(form, answers))
    assert answers["not_evaluated"] == "9"
    assert not calculate(form, answers, engine.relevant_questions(form, answers))
    # A stored answer that breaks its constraint (an edited draft) is caught again.
    answers |= {"evaluated": "30"}
    problems = validation.answer_problems(form, answers)
    assert [p.question.id for p in problems][:1] == ["evaluated"]


def test_notes_and_acknowledgements() -> None:
    form = report()
    assert engine.read_answer(form.question("intro"), text("tiếp"), today=TODAY) == Ok(True)
    assert engine.read_answer(form.question("confirm"), text("đồng ý"), today=TODAY) == Ok(True)
    assert isinstance(
        engine.read_answer(form.question("confirm"), text("không"), today=TODAY), Rejected
    )
    assert form.question("not_evaluated").type is QuestionType.CALCULATE
    assert "not_evaluated" not in [q.id for q in engine.applicable(form, {})]


# -- the built-in forms, to XLSForm and back -------------------------------------------------


@pytest.mark.parametrize("form_id", sorted(load_forms()))
def test_builtin_forms_round_trip(form_id: str) -> None:
    original = load_forms()[form_id]
    source = builtin_workbook(original)
    imported, problems, book = check_workbook(workbook_bytes(source))
    assert problems == [] and imported is not None and book is not None
    # Exported again, the workbook is the same, cell for cell.
    assert source_of(book.sheets) == {
        name: {"header": sheet["header"], "rows": sheet["rows"]} for name, sheet in source.items()
    }
    again = to_form(imported)
    assert [q.id for q in again.questions] == [q.id for q in original.questions]
    for before, after in zip(original.questions, again.questions, strict=True):
        assert after.label == before.label
        assert after.help == before.help
        assert after.required == before.required
        if before.type is QuestionType.YES_NO:
            assert [o.key for o in after.options] == ["yes", "no"]
        else:
            assert [(o.key, o.vi, o.en) for o in after.options] == [
                (o.key, o.vi, o.en) for o in before.options
            ]
    assert again.title.vi == original.title.vi


def test_builtin_conditions_and_bounds_survive() -> None:
    original = load_forms()["commune_report"]
    imported, _, _ = check_workbook(workbook_bytes(builtin_workbook(original)))
    assert imported is not None
    again = to_form(imported)
    for evaluated, trainings in (("0", "0"), ("2", "0"), ("0", "1"), ("3", "2")):
        answers = {"products_evaluated": evaluated, "trainings": trainings}
        assert [q.id for q in engine.applicable(again, answers)] == [
            q.id for q in engine.applicable(original, answers)
        ]
    question = again.question("trainings")
    assert isinstance(engine.read_answer(question, text("2000"), today=TODAY), Rejected)
    # A blocking cross-field check became the constraint of the last question it reads.
    stars = again.question("certified_5_stars")
    answers = {"products_evaluated": "1", "certified_3_stars": "1", "certified_4_stars": "1"}
    assert isinstance(engine.read_answer(stars, text("1"), today=TODAY, answers=answers), Rejected)

"""Form files: the built-in ones load; a broken one is refused with file, question, problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from forms.engine import applicable, condition_holds
from forms.schema import FormError, QuestionType, load_form, load_forms

GOOD = """
id: sample
title: {vi: Mẫu, en: Sample}
audience: officer
period: quarter
shared_by: commune
receipt_prefix: MAU
commands: [mau]
questions:
  - id: count
    type: integer
    label: {vi: Số lượng}
    min: 0
  - id: detail
    type: text
    label: {vi: Chi tiết}
    example: {vi: Thiếu vốn}
    when: {count: {gt: 0}}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sample.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_built_in_forms_load() -> None:
    forms = load_forms()
    assert set(forms) == {"commune_report", "product_idea", "producer_monthly"}
    groups = forms["product_idea"].question("product_group")
    assert groups.type is QuestionType.CHOICE and len(groups.options) == 6


def test_a_good_file_loads_and_conditions_apply(tmp_path: Path) -> None:
    form = load_form(write(tmp_path, GOOD))
    assert [q.id for q in applicable(form, {"count": "0"})] == ["count"]
    assert [q.id for q in applicable(form, {"count": "3"})] == ["count", "detail"]
    assert [q.id for q in applicable(form, {})] == ["count", "detail"]  # not answered yet
    assert condition_holds({"count": {"gt": 0}}, {"count": None}) is False  # skipped


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("type: integer", "type: number"), "question 'count': type: Input should be"),
        (("    min: 0", "    min: 5\n    max: 1"), "question 'count': min is larger than max"),
        (
            ("when: {count: {gt: 0}}", "when: {later: 1}"),
            "question 'detail': 'when' refers to 'later', which is not an earlier question",
        ),
        (
            ("when: {count: {gt: 0}}", "when: {count: {bigger: 0}}"),
            "question 'detail': unknown condition ['bigger']",
        ),
        (("  - id: detail", "  - id: count"), "question 'count': the id is used twice"),
        (
            ("label: {vi: Số lượng}", "label: {en: Count}"),
            "question 'count': label.vi: Field required",
        ),
        (
            ("audience: officer", "audience: everyone"),
            "audience: Input should be 'officer' or 'producer'",
        ),
        (("commands: [mau]", "commands: [mau"), "cannot be read"),
    ],
)
def test_a_broken_file_names_file_question_and_problem(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(FormError) as error:
        load_form(path)
    message = str(error.value)
    assert message.startswith(f"Form file {path}: ")
    assert expected in message


def test_two_forms_cannot_share_a_command(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(GOOD.replace("id: sample", "id: other"), encoding="utf-8")
    with pytest.raises(FormError, match="command /mau is also used by 'sample'"):
        load_forms(tmp_path)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (("id: sample", "id: " + "s" * 41), "id: String should have at most 40 characters"),
        (("  - id: count", "  - id: " + "c" * 51), "at most 50 characters"),
        (("commands: [mau]", "commands: [" + "m" * 33 + "]"), "commands.0"),
        (("commands: [mau]", "commands: [báo_cáo]"), "commands.0"),
    ],
)
def test_ids_must_fit_storage_and_the_messengers(
    tmp_path: Path, change: tuple[str, str], problem: str
) -> None:
    """Checked when the file loads, so a form never fails half-way through a report."""
    with pytest.raises(FormError) as refused:
        load_form(write(tmp_path, GOOD.replace(*change)))
    assert "sample.yaml" in str(refused.value) and problem in str(refused.value)


def test_an_option_key_must_fit_telegrams_64_bytes_of_button_data(tmp_path: Path) -> None:
    text = GOOD + (
        "  - id: kind\n    type: choice\n    label: {vi: Loại}\n    options:\n"
        "      - {key: " + "k" * 61 + ", vi: Một}\n      - {key: hai, vi: Hai}\n"
    )
    with pytest.raises(FormError, match="at most 60 characters"):
        load_form(write(tmp_path, text))
    load_form(write(tmp_path, text.replace("k" * 61, "k" * 60)))


# -- cross-field checks and how questions speak ------------------------------------------------

CHECKED = (
    GOOD
    + """  - id: done
    type: integer
    label: {vi: Đã xong}
    min: 0
checks:
  - id: done_within_count
    rule: done <= count
    level: block
    message: {vi: "Số đã xong ({left}) lớn hơn số lượng ({right}).", en: "{done} > {count}"}
"""
)


def test_checks_load_and_name_their_questions(tmp_path: Path) -> None:
    form = load_form(write(tmp_path, CHECKED))
    (check,) = form.checks
    assert check.names() == {"done", "count"} and check.level == "block"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("rule: done <= count", "rule: done <= total"),
            "check 'done_within_count': there is no question 'total'",
        ),
        (
            ("rule: done <= count", "rule: done <= detail"),
            "question 'detail' is a text, not a number",
        ),
        (("rule: done <= count", "rule: done <="), "check 'done_within_count': expected more"),
        (("rule: done <= count", "rule: open(done) > 0"), "unknown function open()"),
        (("rule: done <= count", "rule: done > 0 and count > 0"), "a rule is one comparison"),
        (("level: block", "level: maybe"), "check 'done_within_count': level: Input should be"),
        (("({right})", "({total})"), "message.vi names ['total']"),
        (("({right})", "({right)"), "message.vi"),
        (("rule: done <= count", "rule: __import__('os')"), "cannot read"),
    ],
)
def test_a_broken_check_is_refused_at_load(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    with pytest.raises(FormError) as refused:
        load_form(write(tmp_path, CHECKED.replace(*change)))
    assert expected in str(refused.value)


def test_usual_needs_a_form_with_periods(tmp_path: Path) -> None:
    text = CHECKED.replace("rule: done <= count", "rule: done <= 5 * usual(done)")
    text = text.replace("({right})", "({usual_done})").replace("{done} > {count}", "{done}")
    assert load_form(write(tmp_path, text)).checks[0].history_names() == {"done"}
    text = text.replace("period: quarter\nshared_by: commune", "period: none\nshared_by: none")
    with pytest.raises(FormError, match="needs earlier periods"):
        load_form(write(tmp_path, text))


def test_two_checks_cannot_share_an_id(tmp_path: Path) -> None:
    text = (
        CHECKED
        + """  - id: done_within_count
    rule: done >= 0
    level: warn
    message: {vi: Lặp}
"""
    )
    with pytest.raises(FormError, match="check 'done_within_count': the id is used twice"):
        load_form(write(tmp_path, text))


def test_a_text_question_needs_an_example_that_fits_it(tmp_path: Path) -> None:
    with pytest.raises(FormError, match="question 'detail': a text question needs an example"):
        load_form(write(tmp_path, GOOD.replace("    example: {vi: Thiếu vốn}\n", "")))


def test_an_optional_question_says_once_that_it_may_be_skipped(tmp_path: Path) -> None:
    text = GOOD.replace(
        "    label: {vi: Chi tiết}\n",
        "    label: {vi: Chi tiết}\n    required: false\n    help: {vi: Gõ /boqua nếu không có.}\n",
    )
    with pytest.raises(FormError, match="remove /boqua from its help"):
        load_form(write(tmp_path, text))


def test_the_built_in_checks() -> None:
    forms = load_forms()
    assert {c.id: c.level for c in forms["commune_report"].checks} == {
        "stars_within_evaluated": "block",
        "people_when_trainings": "block",
    }
    assert {c.id: c.level for c in forms["producer_monthly"].checks} == {
        "revenue_far_above_usual": "warn",
        "revenue_far_below_usual": "warn",
    }
    for form in forms.values():
        for question in form.questions:
            if question.type is QuestionType.TEXT:
                assert question.example is not None, question.id

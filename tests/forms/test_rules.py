"""The cross-field rule language (forms/rules.py) and the checker over a form's answers
(forms/validation.py): parsed without eval, unknown numbers never decide, both sides kept."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from forms.engine import applicable
from forms.rules import (
    Answer,
    Comparison,
    Number,
    Operation,
    RuleError,
    Usual,
    compare,
    history_names,
    holds,
    names,
    parse_condition,
    parse_rule,
)
from forms.schema import load_form, load_forms
from forms.validation import answer_problems, pending, violations

D = Decimal


def test_a_rule_is_parsed_with_precedence() -> None:
    rule = parse_rule("a + b * 2 <= c - (d - 1)")
    assert rule == Comparison(
        "<=",
        Operation("+", Answer("a"), Operation("*", Answer("b"), Number(D(2)))),
        Operation("-", Answer("c"), Operation("-", Answer("d"), Number(D(1)))),
    )
    assert names(rule) == {"a", "b", "c", "d"}


def test_usual_reads_earlier_periods() -> None:
    rule = parse_rule("revenue <= 5 * usual(revenue)")
    assert rule.right == Operation("*", Number(D(5)), Usual("revenue"))
    assert history_names(rule) == {"revenue"}
    assert compare(rule, {"revenue": D(100)}, {"revenue": D(10)}).holds is False  # type: ignore[union-attr]
    assert compare(rule, {"revenue": D(50)}, {"revenue": D(10)}).holds is True  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "text",
    [
        "a +",
        "a <= ",
        "a b <= c",
        "__import__('os') > 0",
        "a <= b; c",
        "open(a) > 0",
        "usual(1) > 0",
        "a = 1",
        "a <= b <= c",
        "a and b > 0",
        "",
    ],
)
def test_what_is_not_a_rule_is_refused(text: str) -> None:
    with pytest.raises(RuleError):
        parse_condition(text)


def test_a_rule_is_one_comparison() -> None:
    assert len(parse_condition("a > 0 and b > 0")) == 2
    with pytest.raises(RuleError, match="one comparison"):
        parse_rule("a > 0 and b > 0")


def test_unknown_numbers_decide_nothing() -> None:
    rule = parse_rule("a + b <= c")
    assert compare(rule, {"a": D(1), "c": D(5)}, {}) is None  # b not answered
    assert compare(parse_rule("a / b > 1"), {"a": D(1), "b": D(0)}, {}) is None
    sides = compare(rule, {"a": D(4), "b": D(3), "c": D(5)}, {})
    assert sides is not None and (sides.left, sides.right, sides.holds) == (D(7), D(5), False)
    assert holds(parse_condition("a > 0 and c > 9"), {"a": D(1), "c": D(5)}, {}) is False
    assert holds(parse_condition("a > 0 and x > 9"), {"a": D(1)}, {}) is None


def test_stars_cannot_exceed_the_products_evaluated() -> None:
    form = load_forms()["commune_report"]
    answers = {
        "products_evaluated": "2",
        "certified_3_stars": "2",
        "certified_4_stars": "1",
        "certified_5_stars": "0",
    }
    (found,) = violations(form, answers, {})
    assert found.check.id == "stars_within_evaluated" and found.check.level == "block"
    assert (found.sides.left, found.sides.right) == (D(3), D(2))
    assert found.numbers["products_evaluated"] == D(2)
    # Not all given yet: not checked.
    del answers["certified_5_stars"]
    assert violations(form, answers, {}) == []
    # Only the checks that read a given question.
    answers["certified_5_stars"] = "0"
    assert violations(form, answers, {}, involving="trainings") == []


def test_courses_need_people_trained() -> None:
    form = load_forms()["commune_report"]
    (found,) = violations(form, {"trainings": "3", "people_trained": "0"}, {})
    assert found.check.id == "people_when_trainings"
    assert violations(form, {"trainings": "3", "people_trained": "40"}, {}) == []
    # No course: the question does not apply, its old answer counts for nothing.
    assert violations(form, {"trainings": "0", "people_trained": "0"}, {}) == []


def test_revenue_far_from_the_usual_is_a_warning() -> None:
    form = load_forms()["producer_monthly"]
    usual = {"revenue": D(15_000_000)}
    (high,) = violations(form, {"revenue": "100000000"}, usual)
    assert high.check.id == "revenue_far_above_usual" and high.check.level == "warn"
    assert high.numbers == {"revenue": D(100_000_000), "usual_revenue": D(15_000_000)}
    (low,) = violations(form, {"revenue": "2000000"}, usual)
    assert low.check.id == "revenue_far_below_usual"
    assert violations(form, {"revenue": "20000000"}, usual) == []
    assert violations(form, {"revenue": "100000000"}, {}) == []  # no earlier month
    assert violations(form, {"revenue": "100000000"}, {"revenue": D(0)}) == []  # usual is 0
    assert high.fingerprint != low.fingerprint


def test_answers_are_validated_again() -> None:
    form = load_forms()["commune_report"]
    answers: dict[str, object] = {q.id: "1" for q in form.questions}
    answers |= {"difficulties": None, "proposals": "Cần thêm kinh phí"}
    assert answer_problems(form, answers) == []
    assert pending(form, answers) is None
    bad = answers | {"fairs": "1.5", "sales_points": "5000", "coops_new": "abc"}
    del bad["people_trained"]
    found = {
        (p.question.id, p.message, tuple(p.params.items())) for p in answer_problems(form, bad)
    }
    assert found == {
        ("people_trained", "not answered", ()),
        ("fairs", "must be a whole number", ()),
        ("sales_points", "must be no larger than {max}", (("max", "1000"),)),
        ("coops_new", "the answer cannot be used; please answer again", ()),
    }
    pending_question = pending(form, bad)
    assert pending_question is not None and pending_question.id == "coops_new"
    # A required question skipped is not answered; an optional one may be.
    assert [p.question.id for p in answer_problems(form, answers | {"fairs": None})] == ["fairs"]


def test_choices_and_text_are_validated_again() -> None:
    form = load_forms()["product_idea"]
    answers: dict[str, object] = {
        "producer_name": "HTX Mật ong Cao Lộc",
        "legal_form": "cooperative",
        "product_name": "Mật ong bạc hà",
        "product_group": "food",
        "description": "Mật ong hoa bạc hà",
        "raw_materials": "Đàn ong",
        "yearly_output": "1.5",
        "market": ["province", "online"],
        "certifications": [],
        "support_wanted": None,
        "photos": ["photo-1"],
    }
    assert answer_problems(form, answers) == []
    wrong = answers | {"legal_form": "bank", "market": ["moon"], "product_name": "🙂", "photos": []}
    assert {p.question.id for p in answer_problems(form, wrong)} == {
        "legal_form",
        "market",
        "product_name",
        "photos",
    }


def test_a_nested_condition_on_a_question_that_does_not_apply(tmp_path: Path) -> None:
    path = tmp_path / "nested.yaml"
    path.write_text(
        """
id: nested
title: {vi: Lồng nhau}
audience: officer
period: quarter
shared_by: commune
receipt_prefix: LN
commands: [longnhau]
questions:
  - {id: a, type: integer, label: {vi: A}}
  - {id: b, type: integer, label: {vi: B}, when: {a: {gt: 0}}}
  - {id: c, type: integer, label: {vi: C}, when: {b: {gt: 0}}}
""",
        encoding="utf-8",
    )
    form = load_form(path)
    # b's answer is left over from when a was 5: c does not apply either.
    answers = {"a": "0", "b": "3", "c": "1"}
    assert [q.id for q in applicable(form, answers)] == ["a"]
    assert answer_problems(form, answers) == []

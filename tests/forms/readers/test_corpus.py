"""Several hundred answers typed the way commune officers and producers type on phones (no
accents, abbreviations, typos, mixed separators, "ạ", emoji), each with the reading it must
get: at least 98 % read right, and not one silent misread (a wrong value stored without
asking). The figures are printed (``pytest -s``) and shown when the test fails."""

from __future__ import annotations

from tests.forms.readers.typing_corpus import figures, load, report, run


def test_the_corpus_is_large_and_covers_every_kind_of_question() -> None:
    cases = load()
    assert len(cases) >= 400
    questions = {case.question for case in cases}
    assert {"revenue", "output", "has_difficulties", "phone", "date", "legal_form"} <= questions
    assert {"market", "difficulties", "trainings", "people_trained"} <= questions


def test_answers_are_read_right_and_never_misread_silently() -> None:
    verdicts = run()
    numbers = figures(verdicts)
    print("\n" + report(verdicts))
    assert numbers["silent_misreads"] == 0, report(verdicts)
    assert numbers["share_right"] >= 0.98, report(verdicts)

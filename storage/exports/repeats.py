"""Repeats of an imported XLSForm, as an export shows them.

An XLSForm's ``begin repeat`` is asked in the chat as "add another?" and kept as numbered
answers (``product_name__1``, ``product_name__2``... up to ``MAX_REPEAT``, with the yes/no
questions ``product__more_1``... between instances: ``forms/xlsform/to_form.py``). The form
the bot runs has only the numbered questions, so the groups are found again here from their
ids (an imported name may not contain ``__``, so these ids are unambiguous).

In a workbook each repeat is a sheet of its own, one row per instance, tied to its report by
the receipt, commune and period; the report's sheet keeps one row per submission with a
count column ("… — số mục") instead of the numbered columns. A CSV file holds one table, so
it keeps the numbered columns. Either way the "add another?" answers are left out: they all
carry the same label and say nothing the count does not.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from forms.schema import Form, Question, QuestionType, Text
from storage.exports.cells import Kind, Value
from storage.exports.sinks import Column

_MORE = re.compile(r"^(?P<group>[a-z][a-z0-9_]*?)__more_(?P<number>[0-9]+)$")
_INSTANCE = re.compile(r"^(?P<base>[a-z][a-z0-9_]*?)__(?P<number>[0-9]+)(?P<other>_other)?$")
_ADD_ANOTHER = re.compile(r"thêm (?P<label>.+) nữa không\?$")

REPEAT_NUMBER = Column("Mục số", Kind.INTEGER)


@dataclass(frozen=True)
class RepeatGroup:
    """One repeat: its name, its Vietnamese label, its "add another?" questions in order,
    and its questions instance by instance (the same order in every instance)."""

    name: str
    label: str
    more: tuple[str, ...]
    instances: tuple[tuple[Question, ...], ...]

    @property
    def sheet(self) -> str:
        """The repeat's sheet, named by its label ("Sản phẩm đề xuất")."""
        return self.label[:1].upper() + self.label[1:]

    @property
    def count_column(self) -> Column:
        """The report's column that says how many instances it has."""
        return Column(f"{self.sheet} — số mục", Kind.INTEGER)

    def count(self, answers: Mapping[str, Any]) -> int:
        """Instances filed: the first when any of it (or the first "add another?") was
        answered, then one more for each "yes" in a row. A "no" ends the repeat, whatever
        later instances still hold (the chat no longer asks them)."""
        first = self.instances[0]
        if all(answers.get(q.id) is None for q in first) and answers.get(self.more[0]) is None:
            return 0
        count = 1
        for more in self.more:
            if answers.get(more) is not True:
                break
            count += 1
        return count

    def headed(self) -> list[Question]:
        """Instance 1's questions that have an answer (a note has none), labelled without
        the instance number: the repeat sheet's question columns."""
        return [_unnumbered(q) for q in self.instances[0] if q.type is not QuestionType.NOTE]


def _unnumbered(question: Question) -> Question:
    """Instance 1's question labelled as the XLSForm labels it: "Tên sản phẩm (1)" → "Tên
    sản phẩm"."""
    label = question.label
    vi = label.vi.removesuffix(" (1)")
    en = label.en.removesuffix(" (1)") if label.en else None
    return question.model_copy(update={"label": Text(vi=vi, en=en)})


def repeat_groups(form: Form) -> list[RepeatGroup]:
    """The repeats of an imported form, in the order of their first question; [] for the
    built-in forms. A group whose numbered questions are not all there is left alone (its
    questions stay ordinary columns)."""
    by_id = {q.id: q for q in form.questions}
    mores: dict[str, list[str]] = {}
    for question in form.questions:
        match = _MORE.match(question.id)
        if match and question.imported and question.type is QuestionType.YES_NO:
            mores.setdefault(match["group"], []).append(question.id)
    groups: list[tuple[int, RepeatGroup]] = []
    for name, more in mores.items():
        if more != [f"{name}__more_{k}" for k in range(1, len(more) + 1)]:
            continue
        template = _first_instance(form, more[0])
        if not template:
            continue
        instances: list[tuple[Question, ...]] = []
        for number in range(1, len(more) + 2):
            ids = [_renumbered(q.id, number) for q in template]
            if not all(i in by_id for i in ids):
                break
            instances.append(tuple(by_id[i] for i in ids))
        if len(instances) != len(more) + 1:
            continue
        label = _label(name, instances, by_id[more[0]])
        first = form.questions.index(template[0])
        groups.append((first, RepeatGroup(name, label, tuple(more), tuple(instances))))
    return [group for _, group in sorted(groups, key=lambda item: item[0])]


def _first_instance(form: Form, first_more: str) -> list[Question]:
    """The questions of instance 1: those numbered 1 right before the first "add another?"."""
    questions = list(form.questions)
    end = next(i for i, q in enumerate(questions) if q.id == first_more)
    start = end
    while start > 0:
        match = _INSTANCE.match(questions[start - 1].id)
        if match is None or match["number"] != "1":
            break
        start -= 1
    return questions[start:end]


def _renumbered(qid: str, number: int) -> str:
    match = _INSTANCE.match(qid)
    assert match is not None  # instance 1's ids all matched
    return f"{match['base']}__{number}{match['other'] or ''}"


def _label(name: str, instances: list[tuple[Question, ...]], more: Question) -> str:
    """The repeat's Vietnamese label: the heading of instance 2 ("sản phẩm (2)"), else
    what its "add another?" question names, else its XLSForm name."""
    heading = instances[1][0].heading if len(instances) > 1 else None
    if heading is not None and heading.vi.endswith(" (2)"):
        return heading.vi.removesuffix(" (2)")
    match = _ADD_ANOTHER.search(more.label.vi)
    return match["label"] if match else name


def repeated_ids(groups: Collection[RepeatGroup]) -> dict[str, tuple[RepeatGroup, int]]:
    """Each numbered question and "add another?" of the repeats: its group and instance
    (0 for an "add another?")."""
    found: dict[str, tuple[RepeatGroup, int]] = {}
    for group in groups:
        for number, questions in enumerate(group.instances, start=1):
            for question in questions:
                found[question.id] = (group, number)
        for more in group.more:
            found[more] = (group, 0)
    return found


Converter = Callable[[Any], Value]


class RepeatRows:
    """Makes the rows of one repeat's sheet: for each submission, one row per instance,
    after the keys that tie it to its report (``keys(submission)``)."""

    def __init__(
        self,
        group: RepeatGroup,
        keys: Callable[[Any], list[Value]],
        converter: Callable[[Question], Converter],
    ) -> None:
        self.group, self.keys = group, keys
        answered = [
            index for index, q in enumerate(group.instances[0]) if q.type is not QuestionType.NOTE
        ]
        # One converter per position, shared by the instances: they have the same options.
        self.converters = [(index, converter(group.instances[0][index])) for index in answered]

    def __call__(self, submission: Any) -> Iterator[list[Value]]:
        answers = submission.answers or {}
        count = self.group.count(answers)
        if not count:
            return
        keys = self.keys(submission)
        for number, questions in enumerate(self.group.instances[:count], start=1):
            yield [
                *keys,
                number,
                *[convert(answers.get(questions[i].id)) for i, convert in self.converters],
            ]

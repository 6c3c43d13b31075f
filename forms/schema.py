"""Form definitions: YAML files a non-programmer can read and change, checked when loaded.

A broken file stops start-up with a message naming the file, the question and the problem,
so a typo in a label never surfaces as a crash in the middle of an officer's report.
"""

from __future__ import annotations

import string
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from forms.periods import PeriodKind
from forms.rules import (
    HISTORY_FUNCTION,
    Comparison,
    RuleError,
    answer_names,
    history_names,
    names,
    parse_condition,
    parse_rule,
)

DEFINITIONS_DIR = Path(__file__).parent / "definitions"


class FormError(Exception):
    """A form file cannot be used; the message names the file, the question and the problem."""


# What storage and the channels can hold (checked when a form file is loaded, so that a
# form never fails half-way through a report).
MAX_FORM_ID = 40
MAX_QUESTION_ID = 50
MAX_OPTION_KEY = 60  # "c:" + key within Telegram's 64 bytes of callback data


class QuestionType(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    YES_NO = "yes_no"
    DATE = "date"
    PHONE = "phone"
    LOCATION = "location"
    PHOTO = "photo"
    # From XLSForm (forms/xlsform/): a text shown, a statement confirmed with a button, a
    # value computed from other answers and never asked.
    NOTE = "note"
    ACKNOWLEDGE = "acknowledge"
    CALCULATE = "calculate"


class Text(BaseModel):
    """A text in both languages; Vietnamese is required, English falls back to it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    vi: str = Field(min_length=1)
    en: str | None = None

    def __call__(self, language: str) -> str:
        return self.en if language == "en" and self.en else self.vi


class Option(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # A button carries "c:<key>" or "m:<key>": Telegram's callback data holds 64 bytes.
    key: str = Field(pattern=r"^[a-z0-9_]+$", max_length=MAX_OPTION_KEY)
    vi: str = Field(min_length=1)
    en: str | None = None
    aliases: tuple[str, ...] = ()
    # Words an answer may begin with, whatever follows, to mean this option: a legal form is
    # written as on the papers ("Công ty TNHH Chè Tân Cương" is an enterprise).
    prefixes: tuple[str, ...] = ()
    # An XLSForm choice's other columns (country, district...), read by a choice_filter.
    columns: tuple[tuple[str, str], ...] = ()

    def label(self, language: str) -> str:
        return self.en if language == "en" and self.en else self.vi


class Check(BaseModel):
    """A cross-field check (``forms/rules.py``): ``rule`` must hold whenever ``when`` does.

    ``block``: the report cannot be sent until an answer is corrected; ``warn``: the
    officer may confirm that the numbers are right. ``message`` names the two numbers as
    ``{left}`` and ``{right}``, any question as ``{question_id}`` and an earlier median as
    ``{usual_question_id}``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=MAX_QUESTION_ID)
    rule: str = Field(min_length=1)
    when: str | None = None
    level: Literal["block", "warn"]
    message: Text

    @model_validator(mode="after")
    def _parse(self) -> Check:
        try:
            parse_rule(self.rule)
            if self.when is not None:
                parse_condition(self.when)
        except RuleError as exc:
            raise ValueError(str(exc)) from None
        return self

    @property
    def comparison(self) -> Comparison:
        return parse_rule(self.rule)

    @property
    def condition(self) -> tuple[Comparison, ...]:
        """What must hold for the rule to apply; nothing: always."""
        return parse_condition(self.when) if self.when else ()

    def names(self) -> set[str]:
        """Every question the check reads (its own answers and earlier ones)."""
        found = names(self.comparison)
        for part in self.condition:
            found |= names(part)
        return found

    def answer_names(self) -> set[str]:
        """The questions of this report the check reads: it runs when one is answered."""
        found = answer_names(self.comparison)
        for part in self.condition:
            found |= answer_names(part)
        return found

    def history_names(self) -> set[str]:
        found = history_names(self.comparison)
        for part in self.condition:
            found |= history_names(part)
        return found

    def placeholders(self) -> set[str]:
        """What ``message`` may name."""
        return (
            {"left", "right"}
            | self.names()
            | {f"{HISTORY_FUNCTION}_{name}" for name in self.history_names()}
        )


CONDITION_OPERATORS = {"eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "answered"}


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Stored as the conversation's step (a 50-character column).
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=MAX_QUESTION_ID)
    type: QuestionType
    label: Text
    help: Text | None = None
    required: bool = True
    min: float | None = None
    max: float | None = None
    min_length: int = Field(default=1, ge=0)
    max_length: int = Field(default=1000, ge=1, le=4000)
    max_photos: int = Field(default=1, ge=1, le=20)
    min_choices: int = Field(default=1, ge=0)
    max_choices: int | None = None
    # A multi_choice where "tất cả" (all of these) can only mean every option.
    all_allowed: bool = False
    pattern: str | None = None
    pattern_example: str | None = None
    # An answer that fits this very question, shown when an answer is refused ("Thiếu vốn
    # làm bao bì" for difficulties, never a product name); a text question needs one.
    example: Text | None = None
    unit: str | None = None
    options: tuple[Option, ...] = ()
    # Ask only when earlier answers fit: {question_id: value} or {question_id: {op: value}}.
    when: dict[str, Any] | None = None
    # XLSForm expressions (forms/xlsform/expressions.py): ask only when every ``relevant``
    # holds (the question's own and its groups'); the answer must make ``constraint`` hold
    # (``.`` is the answer); a calculate's value is its ``calculation``; a choice is offered
    # when ``choice_filter`` holds for its row.
    relevant: tuple[str, ...] = ()
    constraint: str | None = None
    constraint_message: Text | None = None
    required_message: Text | None = None
    # Required only while this expression holds over the answers given so far (an XLSForm's
    # ``required`` written as ``${courses} > 0``); ``required`` is then false. Always read
    # through ``forms.engine.is_required``, by the chat and by validation alike.
    required_if: str | None = None
    calculation: str | None = None
    choice_filter: str | None = None
    # A group's label, shown as a heading before the first question asked in it.
    heading: Text | None = None
    # Imported from an XLSForm: a text question needs no example of the bot's own.
    imported: bool = False
    # An XLSForm's default: offered as a button, read as if typed.
    default: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Question:
        choice = self.type in (QuestionType.CHOICE, QuestionType.MULTI_CHOICE)
        if choice and len(self.options) < (1 if self.choice_filter else 2):
            raise ValueError("a choice question needs at least two options")
        if not choice and self.options:
            raise ValueError(f"options are only for choice questions, not {self.type}")
        keys = [o.key for o in self.options]
        if len(set(keys)) != len(keys):
            raise ValueError("two options have the same key")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is larger than max")
        if self.type is QuestionType.CALCULATE and not self.calculation:
            raise ValueError("a calculate needs a calculation")
        if self.required_if is not None and self.required:
            raise ValueError(
                "a question with required_if is required only while it holds: required: false"
            )
        if self.type is QuestionType.TEXT and self.example is None and not self.imported:
            raise ValueError("a text question needs an example (shown when an answer is refused)")
        if (
            not self.required
            and self.help
            and any(skip in self.help.vi + (self.help.en or "") for skip in ("/boqua", "/skip"))
        ):
            raise ValueError(
                "the bot already says how to skip a question that is not required: "
                "remove /boqua from its help"
            )
        if self.pattern is not None:
            import re

            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(f"pattern is not a valid regular expression: {exc}") from exc
        return self


class Form(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Stored with every submission and schedule (a 40-character column).
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=MAX_FORM_ID)
    title: Text
    audience: Literal["officer", "producer"]
    period: PeriodKind
    shared_by: Literal["commune", "user", "none"]
    receipt_prefix: str = Field(pattern=r"^[A-Z]{1,6}$")
    # Telegram's command names: 1 to 32 of a-z, 0-9 and _.
    commands: tuple[Annotated[str, Field(pattern=r"^[a-z0-9_]{1,32}$")], ...] = Field(min_length=1)
    requires_product: bool = False
    # The report's name inside a sentence ("Đã gửi báo cáo OCOP quý 2/2024 ..."); the
    # title when absent.
    short_title: Text | None = None
    questions: tuple[Question, ...] = Field(min_length=1)
    checks: tuple[Check, ...] = ()
    # An imported form's version (storage/installed_forms.py): a draft keeps the version it
    # began with. None for the forms of files.
    version: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Form:
        seen: dict[str, Question] = {}
        for question in self.questions:
            if question.id in seen:
                raise ValueError(f"question '{question.id}': the id is used twice")
            for ref, condition in (question.when or {}).items():
                if ref not in seen:
                    raise ValueError(
                        f"question '{question.id}': 'when' refers to '{ref}', "
                        "which is not an earlier question"
                    )
                if isinstance(condition, dict):
                    unknown = set(condition) - CONDITION_OPERATORS
                    if unknown:
                        raise ValueError(
                            f"question '{question.id}': unknown condition {sorted(unknown)}; "
                            f"use {sorted(CONDITION_OPERATORS)}"
                        )
            seen[question.id] = question
        if (self.period is PeriodKind.NONE) != (self.shared_by == "none"):
            raise ValueError("a form without a period cannot be shared, and the reverse")
        self._check_checks(seen)
        return self

    def _check_checks(self, questions: dict[str, Question]) -> None:
        """A check reads number questions that exist; its message names what it knows."""
        numbers = (QuestionType.INTEGER, QuestionType.DECIMAL)
        ids: set[str] = set()
        for check in self.checks:
            where = f"check '{check.id}'"
            if check.id in ids:
                raise ValueError(f"{where}: the id is used twice")
            ids.add(check.id)
            for name in sorted(check.names()):
                if name not in questions:
                    raise ValueError(f"{where}: there is no question '{name}'")
                if questions[name].type not in numbers:
                    raise ValueError(
                        f"{where}: question '{name}' is a {questions[name].type}, not a number"
                    )
            if check.history_names() and self.period is PeriodKind.NONE:
                raise ValueError(
                    f"{where}: {HISTORY_FUNCTION}() needs earlier periods; this form has none"
                )
            allowed = check.placeholders()
            for language, text in (("vi", check.message.vi), ("en", check.message.en or "")):
                try:
                    used = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
                except ValueError as exc:
                    raise ValueError(f"{where}: message.{language}: {exc}") from None
                unknown = used - allowed
                if unknown:
                    raise ValueError(
                        f"{where}: message.{language} names {sorted(unknown)}; "
                        f"it may name {sorted(allowed)}"
                    )

    def name(self, language: str) -> str:
        """The report's name inside a sentence."""
        return (self.short_title or self.title)(language)

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)


def _describe(error: dict[str, Any], data: Any) -> str:
    """Turn pydantic's location into "question 'x': field: problem"."""
    loc = list(error["loc"])
    where = []
    if len(loc) >= 2 and loc[0] in ("questions", "checks") and isinstance(loc[1], int):
        kind = "question" if loc[0] == "questions" else "check"
        items = data.get(loc[0]) if isinstance(data, dict) else None
        qid = None
        if isinstance(items, list) and loc[1] < len(items):
            item = items[loc[1]]
            qid = item.get("id") if isinstance(item, dict) else None
        where.append(f"{kind} '{qid}'" if qid else f"{kind} #{loc[1] + 1}")
        loc = loc[2:]
    if loc:
        where.append(".".join(str(part) for part in loc))
    message = error["msg"].removeprefix("Value error, ")
    return (": ".join(where) + ": " if where else "") + message


def load_form(path: Path) -> Form:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise FormError(f"Form file {path}: cannot be read: {exc}") from None
    try:
        return Form.model_validate(data)
    except ValidationError as exc:
        raise FormError(f"Form file {path}: {_describe(exc.errors()[0], data)}.") from None


def load_forms(folder: Path = DEFINITIONS_DIR) -> dict[str, Form]:
    forms: dict[str, Form] = {}
    commands: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        form = load_form(path)
        if form.id in forms:
            raise FormError(f"Form file {path}: the form id '{form.id}' is used twice.")
        for command in form.commands:
            if command in commands:
                raise FormError(
                    f"Form file {path}: command /{command} is also used by '{commands[command]}'."
                )
            commands[command] = form.id
        forms[form.id] = form
    return forms

"""Form definitions: YAML files a non-programmer can read and change, checked when loaded.

A broken file stops start-up with a message naming the file, the question and the problem,
so a typo in a label never surfaces as a crash in the middle of an officer's report.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from forms.periods import PeriodKind

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

    def label(self, language: str) -> str:
        return self.en if language == "en" and self.en else self.vi


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
    pattern: str | None = None
    pattern_example: str | None = None
    unit: str | None = None
    options: tuple[Option, ...] = ()
    # Ask only when earlier answers fit: {question_id: value} or {question_id: {op: value}}.
    when: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _check(self) -> Question:
        choice = self.type in (QuestionType.CHOICE, QuestionType.MULTI_CHOICE)
        if choice and len(self.options) < 2:
            raise ValueError("a choice question needs at least two options")
        if not choice and self.options:
            raise ValueError(f"options are only for choice questions, not {self.type}")
        keys = [o.key for o in self.options]
        if len(set(keys)) != len(keys):
            raise ValueError("two options have the same key")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is larger than max")
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
    commands: tuple[Annotated[str, Field(pattern=r"^[a-z0-9_]{1,32}$")], ...] = Field(
        min_length=1
    )
    requires_product: bool = False
    questions: tuple[Question, ...] = Field(min_length=1)

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
        return self

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)


def _describe(error: dict[str, Any], data: Any) -> str:
    """Turn pydantic's location into "question 'x': field: problem"."""
    loc = list(error["loc"])
    where = []
    if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
        questions = data.get("questions") if isinstance(data, dict) else None
        qid = None
        if isinstance(questions, list) and loc[1] < len(questions):
            item = questions[loc[1]]
            qid = item.get("id") if isinstance(item, dict) else None
        where.append(f"question '{qid}'" if qid else f"question #{loc[1] + 1}")
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

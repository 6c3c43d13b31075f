"""An imported XLSForm as the bot keeps it: questions, groups and repeats in order, labels in
every language of the workbook, expressions as written (parsed again when used).

Stored as JSON in ``installed_forms.definition`` (storage/installed_forms.py); a draft records
the form's id and version, so a newer import never changes a report already begun.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal[
    "text",
    "integer",
    "decimal",
    "select_one",
    "select_multiple",
    "date",
    "geopoint",
    "image",
    "note",
    "calculate",
    "acknowledge",
]
Labels = dict[str, str]  # language code ("vi", "en") or "default" -> text


class XChoice(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    labels: Labels
    # Other columns of the choices sheet, read by a choice_filter.
    columns: dict[str, str] = Field(default_factory=dict)


class XQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    item: Literal["question"] = "question"
    name: str
    kind: Kind
    row: int
    labels: Labels = Field(default_factory=dict)
    hints: Labels = Field(default_factory=dict)
    required: bool = False
    # ``required`` written as an expression (``${courses} > 0``): required while it holds.
    required_if: str | None = None
    required_message: Labels = Field(default_factory=dict)
    relevant: str | None = None
    constraint: str | None = None
    constraint_message: Labels = Field(default_factory=dict)
    choice_filter: str | None = None
    default: str | None = None
    calculation: str | None = None
    list_name: str | None = None
    or_other: bool = False


class XGroup(BaseModel):
    """A group (its label a heading) or a repeat (asked as "add another?")."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    item: Literal["group"] = "group"
    name: str
    row: int
    repeat: bool = False
    labels: Labels = Field(default_factory=dict)
    relevant: str | None = None
    children: tuple[XQuestion | XGroup, ...] = ()


class XForm(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    form_id: str
    version: str
    title: Labels
    default_language: str
    languages: tuple[str, ...]
    items: tuple[XQuestion | XGroup, ...]
    choices: dict[str, tuple[XChoice, ...]] = Field(default_factory=dict)

    def questions(self) -> list[XQuestion]:
        """Every question, groups and repeats opened, in order."""
        found: list[XQuestion] = []

        def walk(items: tuple[XQuestion | XGroup, ...]) -> None:
            for item in items:
                if isinstance(item, XGroup):
                    walk(item.children)
                else:
                    found.append(item)

        walk(self.items)
        return found

    def text(self, labels: Labels, language: str) -> str:
        """``labels`` in ``language``, else the form's default language, else any."""
        for key in (language, self.default_language, "default"):
            if labels.get(key):
                return labels[key]
        return next(iter(labels.values()), "")


@dataclass(frozen=True, order=True)
class Problem:
    """Why a workbook cannot be installed, at a cell (row 0: the sheet as a whole)."""

    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = self.sheet
        if self.row:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }

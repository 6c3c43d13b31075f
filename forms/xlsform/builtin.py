"""A form of the bot written as an XLSForm (``ocop-bot forms export commune_report``), so a
province starts its own report from the national one in Excel.

Labels and hints in Vietnamese and English (``label::Tiếng Việt (vi)``,
``label::English (en)``); ``when`` conditions become ``relevant``; a ``required_if`` is
written as the ``required`` expression; bounds, patterns, a phone number's shape and a
multiple choice's count become ``constraint``; yes/no becomes a ``select_one yes_no``; a cross-field check that blocks becomes a constraint on the last
question it reads (a warning, or a check on earlier periods' ``usual()``, has no XLSForm
equivalent and is listed in the ``hint`` of that question). Imported back, the form asks
the same questions with the same labels, options, conditions and bounds.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from forms.engine import bound
from forms.rules import Answer, Comparison, Number, Operation, Usual
from forms.schema import Check, Form, Question, QuestionType, Text

VI = "label::Tiếng Việt (vi)"
EN = "label::English (en)"
HEADER = [
    "type",
    "name",
    VI,
    EN,
    "hint::Tiếng Việt (vi)",
    "hint::English (en)",
    "required",
    "relevant",
    "constraint",
    "constraint_message::Tiếng Việt (vi)",
    "constraint_message::English (en)",
]
TYPES = {
    QuestionType.TEXT: "text",
    QuestionType.INTEGER: "integer",
    QuestionType.DECIMAL: "decimal",
    QuestionType.DATE: "date",
    QuestionType.PHONE: "text",
    QuestionType.LOCATION: "geopoint",
    QuestionType.PHOTO: "image",
    QuestionType.NOTE: "note",
    QuestionType.ACKNOWLEDGE: "acknowledge",
    QuestionType.CALCULATE: "calculate",
}
PHONE = r"^(\+?84|0)[0-9 .]{8,12}$"
_OPS = {"eq": "=", "ne": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "'yes'" if value else "'no'"
    if isinstance(value, int | float | Decimal):
        return str(value)
    return "'" + str(value).replace("'", "") + "'"


def relevant_of(when: dict[str, Any] | None) -> str | None:
    """``{q: v}`` / ``{q: {op: v}}`` as an XLSForm condition."""
    parts: list[str] = []
    for ref, condition in (when or {}).items():
        checks = condition if isinstance(condition, dict) else {"eq": condition}
        for op, expected in checks.items():
            if op == "answered":
                parts.append(f"${{{ref}}} {'!=' if expected else '='} ''")
            elif op in ("in", "not_in"):
                joined = " or ".join(f"${{{ref}}} = {_literal(v)}" for v in expected)
                parts.append(f"({joined})" if op == "in" else f"not({joined})")
            else:
                parts.append(f"${{{ref}}} {_OPS[op]} {_literal(expected)}")
    return " and ".join(parts) or None


def _expression(node: Any) -> str | None:
    if isinstance(node, Number):
        return str(node.value)
    if isinstance(node, Answer):
        return f"${{{node.name}}}"
    if isinstance(node, Usual):
        return None
    if isinstance(node, Operation):
        left, right = _expression(node.left), _expression(node.right)
        if left is None or right is None:
            return None
        op = "div" if node.op == "/" else node.op
        return f"({left} {op} {right})"
    return None


def check_constraint(check: Check) -> str | None:
    """A blocking check as an XPath condition (None: it has no equivalent)."""
    if check.level != "block" or check.history_names():
        return None

    def comparison(part: Comparison) -> str | None:
        left, right = _expression(part.left), _expression(part.right)
        if left is None or right is None:
            return None
        return f"{left} {'=' if part.op == '==' else part.op} {right}"

    rule = comparison(check.comparison)
    conditions = [comparison(part) for part in check.condition]
    if rule is None or None in conditions:
        return None
    if not conditions:
        return rule
    return f"not({' and '.join(c for c in conditions if c)}) or {rule}"


def _constraint(question: Question) -> str | None:
    parts: list[str] = []
    low, high = bound(question.min), bound(question.max)
    if low is not None:
        parts.append(f". >= {low}")
    if high is not None:
        parts.append(f". <= {high}")
    if question.pattern:
        parts.append(f"regex(., '{question.pattern}')")
    if question.type is QuestionType.PHONE:
        parts.append(f"regex(., '{PHONE}')")
    if question.type is QuestionType.MULTI_CHOICE and question.max_choices is not None:
        parts.append(f"count-selected(.) <= {question.max_choices}")
    return " and ".join(parts) or question.constraint


def _text(row: dict[str, str], vi_key: str, en_key: str, text: Text | None) -> None:
    if text is not None:
        row[vi_key] = text.vi
        if text.en:
            row[en_key] = text.en


def builtin_workbook(form: Form) -> dict[str, Any]:
    """The sheets (as ``installed_forms.source`` keeps them) of ``form`` as an XLSForm."""
    survey: list[dict[str, str]] = []
    choices: list[dict[str, str]] = []
    last_reader: dict[str, list[Check]] = {}
    order = [q.id for q in form.questions]
    for check in form.checks:
        names = sorted(check.answer_names(), key=order.index)
        if names:
            last_reader.setdefault(names[-1], []).append(check)
    for question in form.questions:
        row: dict[str, str] = {"name": question.id}
        if question.type is QuestionType.YES_NO:
            row["type"] = "select_one yes_no"
            if not any(c.get("list_name") == "yes_no" for c in choices):
                choices.append({"list_name": "yes_no", "name": "yes", VI: "Có", EN: "Yes"})
                choices.append({"list_name": "yes_no", "name": "no", VI: "Không", EN: "No"})
        elif question.type in (QuestionType.CHOICE, QuestionType.MULTI_CHOICE):
            kind = "select_one" if question.type is QuestionType.CHOICE else "select_multiple"
            row["type"] = f"{kind} {question.id}"
            for option in question.options:
                choice = {"list_name": question.id, "name": option.key, VI: option.vi}
                if option.en:
                    choice[EN] = option.en
                choices.append(choice)
        else:
            row["type"] = TYPES[question.type]
        _text(row, VI, EN, question.label)
        _text(row, "hint::Tiếng Việt (vi)", "hint::English (en)", question.help)
        # A required_if is written as the expression it was imported from.
        row["required"] = question.required_if or ("yes" if question.required else "no")
        relevant = " and ".join(
            part for part in (relevant_of(question.when), *question.relevant) if part
        )
        if relevant:
            row["relevant"] = relevant
        constraints = [c for c in (_constraint(question),) if c]
        messages: list[Text] = []
        for check in last_reader.get(question.id, []):
            converted = check_constraint(check)
            if converted is not None:
                constraints.append(converted)
                messages.append(check.message)
        if constraints:
            row["constraint"] = " and ".join(
                f"({c})" if len(constraints) > 1 else c for c in constraints
            )
        if messages:
            row["constraint_message::Tiếng Việt (vi)"] = " ".join(
                re.sub(r"\{[a-z_0-9]+\}", "…", m.vi) for m in messages
            )
            row["constraint_message::English (en)"] = " ".join(
                re.sub(r"\{[a-z_0-9]+\}", "…", m.en or m.vi) for m in messages
            )
        survey.append(row)
    settings = {
        "form_title": form.title.vi,
        "form_id": form.id,
        "version": form.version or "1",
        "default_language": "Tiếng Việt (vi)",
    }
    sheets = {
        "survey": {"header": HEADER, "rows": survey},
        "choices": {"header": ["list_name", "name", VI, EN], "rows": choices},
        "settings": {"header": list(settings), "rows": [settings]},
    }
    return {name: sheet for name, sheet in sheets.items() if sheet["rows"]}


def describe(source: dict[str, Any]) -> str:
    """A stable text of the sheets (tests compare two exports with it)."""
    return json.dumps(source, ensure_ascii=False, sort_keys=True)

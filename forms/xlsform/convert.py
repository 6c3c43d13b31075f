"""From a workbook's rows to an :class:`~forms.xlsform.model.XForm`, with every problem found.

Nothing outside the supported set is silently dropped: an unknown type, a column the chat
cannot honour (``appearance``, ``repeat_count``, ``media::image``...), a setting, an
expression that cannot be read or names a question that does not come before it, each is a
:class:`Problem` naming the sheet, the row and the column.
"""

from __future__ import annotations

from forms.xlsform.expressions import (
    COLUMN_PREFIX,
    ExpressionError,
    parse,
    references,
    uses_current,
)
from forms.xlsform.model import Labels, Problem, XChoice, XForm, XGroup, XQuestion
from forms.xlsform.sheets import Sheet, Workbook
from forms.xlsform.vocabulary import (
    CHOICE_MEDIA,
    CHOICE_NAME,
    FORM_ID,
    MAX_NAME,
    METADATA,
    NAME,
    PLAIN_TYPES,
    QUESTION_COLUMNS,
    SETTINGS,
    TRANSLATED,
    WHY_NOT,
    language_of,
    translated,
    yes,
)


class _Converter:
    def __init__(self, book: Workbook, form_id: str | None) -> None:
        self.book = book
        self.given_id = form_id
        self.problems: list[Problem] = list(book.problems)
        self.survey = book.sheets["survey"]
        self.names: dict[str, int] = {}  # name -> row index, in the order asked
        self.kinds: dict[str, str] = {}

    def add(self, sheet: Sheet, index: int, column: str, message: str) -> None:
        self.problems.append(sheet.problem(index, column, message))

    def run(self) -> XForm | None:
        settings = self.settings()
        self.columns()
        choices = self.choices()
        items = self.items(choices)
        languages = sorted(
            {language_of(k)[1] for k in self.survey.header if language_of(k)[0] == "label"}
        )
        default_language = settings.get("default_language", "")
        default = language_of("x::" + default_language)[1] if default_language else "default"
        if default_language and default not in languages:
            self.problems.append(
                Problem(
                    "settings",
                    2,
                    self.book.sheets["settings"].column("default_language"),
                    f"no label column is in the default language '{default_language}'",
                )
            )
        form_id = self.given_id or settings.get("form_id") or (self.book.stem or "")
        if not FORM_ID.match(form_id) or len(form_id) > 40:
            self.problems.append(
                Problem(
                    "settings",
                    2 if settings.get("form_id") else 0,
                    self.book.sheets["settings"].column("form_id"),
                    f"the form id '{form_id}' must be 1 to 40 of a-z, 0-9 and _, starting "
                    "with a letter; give one with --id",
                )
            )
        if self.problems or items is None:
            return None
        title = {default: settings["form_title"]} if settings.get("form_title") else {}
        return XForm(
            form_id=form_id,
            version=settings.get("version", "1"),
            title=title or {default: form_id},
            default_language=default,
            languages=tuple(languages) or ("default",),
            items=items,
            choices=choices,
        )

    # -- settings, columns and choices ---------------------------------------------------

    def settings(self) -> dict[str, str]:
        sheet = self.book.sheets["settings"]
        row = sheet.rows[0] if sheet.rows else {}
        for key in row:
            if key not in SETTINGS:
                self.add(
                    sheet,
                    0,
                    key,
                    f"the setting '{key}' is not supported "
                    f"(supported: {', '.join(sorted(SETTINGS))})",
                )
        for index in range(1, len(sheet.rows)):
            if sheet.rows[index]:
                self.add(sheet, index, "", "settings take one row only")
        return {k: v.strip() for k, v in row.items()}

    def columns(self) -> None:
        sheet = self.survey
        for key in sheet.header:
            base, _ = language_of(key)
            if base in QUESTION_COLUMNS and (base in TRANSLATED or "::" not in key):
                continue
            used = [i for i, row in enumerate(sheet.rows) if row.get(key)]
            if used:
                rows = ", ".join(str(i + 2) for i in used[:5]) + ("…" if len(used) > 5 else "")
                self.add(
                    sheet,
                    used[0],
                    key,
                    f"the column '{key}' is not supported (used in rows {rows})",
                )

    def choices(self) -> dict[str, tuple[XChoice, ...]]:
        sheet = self.book.sheets["choices"]
        lists: dict[str, list[XChoice]] = {}
        for index, row in enumerate(sheet.rows):
            if not row:
                continue
            list_name = (row.get("list_name") or row.get("list name") or "").strip()
            name = (row.get("name") or "").strip()
            if not list_name:
                self.add(sheet, index, "list_name", "the choice has no list_name")
                continue
            if not name:
                self.add(sheet, index, "name", "the choice has no name")
                continue
            if not CHOICE_NAME.match(name) or len(name) > 60:
                self.add(
                    sheet,
                    index,
                    "name",
                    f"the choice name '{name}' must be 1 to 60 lower-case letters a-z, digits or _",
                )
            labels = translated(row, "label")
            if not labels:
                self.add(sheet, index, "label", f"the choice '{name}' has no label")
            if any(c.name == name for c in lists.get(list_name, [])):
                self.add(sheet, index, "name", f"'{name}' is twice in the list '{list_name}'")
            columns = {}
            for key, value in row.items():
                base, _ = language_of(key)
                if base in ("list_name", "list name", "name", "label"):
                    continue
                if key.lower().startswith(CHOICE_MEDIA):
                    self.add(sheet, index, key, "pictures and sounds in choices are not shown")
                    continue
                columns[key] = value
            lists.setdefault(list_name, []).append(
                XChoice(name=name, labels=labels, columns=columns)
            )
        return {key: tuple(value) for key, value in lists.items()}

    # -- the survey ----------------------------------------------------------------------

    def items(self, choices: dict[str, tuple[XChoice, ...]]) -> tuple[XQuestion | XGroup, ...]:
        # (name, row index, repeat, labels, relevant, children)
        stack: list[tuple[str, int, bool, Labels, str | None, list[XQuestion | XGroup]]] = [
            ("", -1, False, {}, None, [])
        ]
        sheet = self.survey
        for index, row in enumerate(sheet.rows):
            if not row:
                continue
            kind = " ".join((row.get("type") or "").split())
            lowered = kind.lower().replace("_", " ")
            if not kind:
                self.add(sheet, index, "type", "the row has no type")
                continue
            if lowered in ("begin group", "begin repeat"):
                repeat = lowered == "begin repeat"
                if repeat and any(level[2] for level in stack):
                    self.add(
                        sheet, index, "type", "a repeat inside a repeat cannot be asked in a chat"
                    )
                name = self.name(index, row)
                relevant = self.expression(index, row, "relevant")
                stack.append((name, index, repeat, translated(row, "label"), relevant, []))
                continue
            if lowered in ("end group", "end repeat"):
                if len(stack) == 1 or stack[-1][2] != (lowered == "end repeat"):
                    self.add(sheet, index, "type", f"'{kind}' closes nothing that is open")
                    continue
                name, start, repeat, labels, relevant, children = stack.pop()
                stack[-1][5].append(
                    XGroup(
                        name=name,
                        row=start + 2,
                        repeat=repeat,
                        labels=labels,
                        relevant=relevant,
                        children=tuple(children),
                    )
                )
                continue
            question = self.question(index, row, kind, choices)
            if question is not None:
                stack[-1][5].append(question)
        for name, start, repeat, *_ in stack[1:]:
            what = "repeat" if repeat else "group"
            self.add(sheet, start, "type", f"the {what} '{name}' is never closed (end {what})")
        return tuple(stack[0][5])

    def name(self, index: int, row: dict[str, str]) -> str:
        name = (row.get("name") or "").strip()
        if not NAME.match(name) or len(name) > MAX_NAME:
            self.add(
                self.survey,
                index,
                "name",
                f"the name '{name}' must be 1 to {MAX_NAME} lower-case letters a-z, "
                "digits or _, starting with a letter",
            )
        elif "__" in name:
            self.add(
                self.survey,
                index,
                "name",
                f"the name '{name}' may not contain '__' (the bot numbers repeats so)",
            )
        elif name in self.names:
            self.add(
                self.survey,
                index,
                "name",
                f"the name '{name}' is also used in row {self.names[name] + 2}",
            )
        else:
            self.names[name] = index
        return name

    def expression(self, index: int, row: dict[str, str], column: str) -> str | None:
        source = (row.get(column) or "").strip()
        if not source:
            return None
        try:
            tree = parse(source, column == "choice_filter")
        except ExpressionError as exc:
            self.add(self.survey, index, column, f"the expression cannot be used: {exc}")
            return None
        for ref in sorted(references(tree)):
            if ref.startswith(COLUMN_PREFIX):
                continue
            if ref not in self.names:
                self.add(
                    self.survey,
                    index,
                    column,
                    f"${{{ref}}} is not a question asked before this one",
                )
        if uses_current(tree) and column != "constraint":
            self.add(self.survey, index, column, "'.' (this answer) is only for a constraint")
        return source

    def question(
        self, index: int, row: dict[str, str], kind: str, choices: dict[str, tuple[XChoice, ...]]
    ) -> XQuestion | None:
        sheet = self.survey
        parts = kind.split()
        base = parts[0].lower()
        list_name, or_other, mapped = None, False, PLAIN_TYPES.get(base)
        if base in ("select_one", "select_multiple", "select1"):
            mapped = "select_one" if base != "select_multiple" else "select_multiple"
            or_other = parts[-1].lower() == "or_other"
            rest = parts[1:-1] if or_other else parts[1:]
            if len(rest) != 1:
                self.add(sheet, index, "type", f"'{kind}' must name one choice list")
                return None
            list_name = rest[0]
            if list_name not in choices:
                self.add(sheet, index, "type", f"there is no choice list '{list_name}'")
            elif len(choices[list_name]) + or_other < 2 and not row.get("choice_filter"):
                self.add(
                    sheet, index, "type", f"the choice list '{list_name}' needs two choices or more"
                )
        elif mapped is None or len(parts) > 1:
            if base in METADATA:
                reason = "is filled in by the phone in ODK; the chat has no such value"
                self.add(sheet, index, "type", f"the type '{base}' {reason}")
            elif base in ("select_one_from_file", "select_multiple_from_file"):
                self.add(
                    sheet,
                    index,
                    "type",
                    "choices from a file cannot be offered in the chat; "
                    "put them on the choices sheet",
                )
            else:
                reason = WHY_NOT.get(base, "this type is not supported")
                self.add(sheet, index, "type", f"the type '{kind}': {reason}")
            return None
        name = self.name(index, row)
        labels = translated(row, "label")
        if not labels and mapped != "calculate":
            self.add(sheet, index, "label", f"the question '{name}' has no label")
        required = yes(row.get("required"))  # None: an expression, read below
        if mapped == "calculate" and not row.get("calculation"):
            self.add(sheet, index, "calculation", "a calculate needs a calculation")
        if mapped != "calculate" and row.get("calculation"):
            self.add(sheet, index, "calculation", "only a calculate takes a calculation")
        if row.get("choice_filter") and not mapped.startswith("select"):
            self.add(sheet, index, "choice_filter", "only a select takes a choice_filter")
        if self.names.get(name) == index:
            del self.names[name]  # an expression may not read its own question...
        relevant = self.expression(index, row, "relevant")
        required_if = None if required is not None else self.expression(index, row, "required")
        if mapped in ("note", "calculate") and (required or required_if):
            self.add(sheet, index, "required", f"a {mapped} cannot be required")
        calculation = self.expression(index, row, "calculation")
        choice_filter = self.expression(index, row, "choice_filter")
        if name and NAME.match(name):
            self.names[name] = index  # ...but the constraint reads it as '.' or by name
        constraint = self.expression(index, row, "constraint")
        self.kinds[name] = mapped
        return XQuestion(
            name=name,
            kind=mapped,  # type: ignore[arg-type]
            row=index + 2,
            labels=labels,
            hints=translated(row, "hint"),
            required=bool(required),
            required_if=required_if,
            required_message=translated(row, "required_message"),
            relevant=relevant,
            constraint=constraint,
            constraint_message=translated(row, "constraint_message"),
            choice_filter=choice_filter,
            default=(row.get("default") or None),
            calculation=calculation,
            list_name=list_name,
            or_other=or_other,
        )


def convert(book: Workbook, form_id: str | None = None) -> tuple[XForm | None, list[Problem]]:
    """The form a workbook describes, or None and every problem found."""
    converter = _Converter(book, form_id)
    form = converter.run()
    return form, sorted(set(converter.problems), key=lambda p: (p.sheet != "survey", p))

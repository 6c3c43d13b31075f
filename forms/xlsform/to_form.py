"""An imported XLSForm as a form of the bot (:class:`forms.schema.Form`), so that the chat,
the review, validation before filing, exports, completeness and reminders run it as they run
the built-in forms.

A group's label becomes a heading on its first question and its ``relevant`` is added to
each question in it; ``required`` written as an expression becomes ``required_if``. A
repeat is asked as "add another?": its questions are laid out ``MAX_REPEAT`` times
(``name__1``, ``name__2``...), each instance after the first asked only
when the yes/no question before it (``repeat__more_1``...) was answered yes, and references
to a question of the same instance rewritten to that instance. ``or_other`` adds the option
"other" and a text question ``name_other`` asked when it is chosen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from forms.periods import PeriodKind
from forms.schema import Form, Option, Question, QuestionType, Text
from forms.xlsform.model import Labels, XForm, XGroup, XQuestion

MAX_REPEAT = 10
# Questions whose default is offered as a button (a choice's default is one of its buttons).
_DEFAULTS = (QuestionType.TEXT, QuestionType.INTEGER, QuestionType.DECIMAL, QuestionType.DATE)
KINDS = {
    "text": QuestionType.TEXT,
    "integer": QuestionType.INTEGER,
    "decimal": QuestionType.DECIMAL,
    "select_one": QuestionType.CHOICE,
    "select_multiple": QuestionType.MULTI_CHOICE,
    "date": QuestionType.DATE,
    "geopoint": QuestionType.LOCATION,
    "image": QuestionType.PHOTO,
    "note": QuestionType.NOTE,
    "calculate": QuestionType.CALCULATE,
    "acknowledge": QuestionType.ACKNOWLEDGE,
}


@dataclass(frozen=True)
class ChatSettings:
    """What an XLSForm does not say and the bot needs: who files it, for which period, and
    the command that starts it (set when importing, changed when attached to the calendar)."""

    audience: Literal["officer", "producer"] = "officer"
    period: PeriodKind = PeriodKind.NONE
    shared_by: Literal["commune", "user", "none"] = "none"
    command: str | None = None

    def as_json(self) -> dict[str, str | None]:
        return {
            "audience": self.audience,
            "period": self.period.value,
            "shared_by": self.shared_by,
            "command": self.command,
        }

    @classmethod
    def from_json(cls, data: dict[str, str | None] | None) -> ChatSettings:
        data = data or {}
        return cls(
            audience=data.get("audience") or "officer",  # type: ignore[arg-type]
            period=PeriodKind(data.get("period") or PeriodKind.NONE.value),
            shared_by=data.get("shared_by") or "none",  # type: ignore[arg-type]
            command=data.get("command"),
        )


def text_of(labels: Labels, form: XForm) -> Text | None:
    """Vietnamese (or the form's default language) and English, from a label's languages."""
    if not labels:
        return None
    vi = labels.get("vi") or form.text(labels, form.default_language)
    return Text(vi=vi, en=labels.get("en"))


def receipt_prefix(form_id: str) -> str:
    letters = "".join(part[0] for part in form_id.split("_") if part and part[0].isalpha())
    return (letters or "F").upper()[:6]


class _Builder:
    def __init__(self, form: XForm) -> None:
        self.form = form
        self.questions: list[Question] = []

    def walk(
        self,
        items: tuple[XQuestion | XGroup, ...],
        relevant: tuple[str, ...],
        heading: Text | None,
        rename: dict[str, str],
    ) -> Text | None:
        """Lay out ``items``; returns the heading not yet shown (no question took it)."""
        for item in items:
            if isinstance(item, XGroup):
                own = relevant + ((_renamed(item.relevant, rename),) if item.relevant else ())
                label = text_of(item.labels, self.form)
                if item.repeat:
                    heading = self.repeat(item, own, label or heading)
                else:
                    heading = self.walk(item.children, own, label or heading, rename)
                continue
            self.question(item, relevant, heading, rename)
            heading = None
        return heading

    def repeat(self, group: XGroup, relevant: tuple[str, ...], heading: Text | None) -> None:
        names = {q.name for q in _questions(group.children)}
        label = text_of(group.labels, self.form) or Text(vi=group.name)
        for instance in range(1, MAX_REPEAT + 1):
            rename = {name: f"{name}__{instance}" for name in names}
            more = f"{group.name}__more_{instance - 1}"
            own = relevant + ((f"${{{more}}} = true()",) if instance > 1 else ())
            title = Text(
                vi=f"{label.vi} ({instance})", en=f"{label.en} ({instance})" if label.en else None
            )
            self.walk(
                group.children, own, title if instance > 1 or not heading else heading, rename
            )
            if instance < MAX_REPEAT:
                self.questions.append(
                    Question(
                        id=f"{group.name}__more_{instance}",
                        type=QuestionType.YES_NO,
                        label=Text(
                            vi=f"Anh/chị có muốn thêm {_in_sentence(label.vi)} nữa không?",
                            en=f"Add another {_in_sentence(label.en or label.vi)}?",
                        ),
                        relevant=own,
                        imported=True,
                    )
                )

    def question(
        self,
        item: XQuestion,
        relevant: tuple[str, ...],
        heading: Text | None,
        rename: dict[str, str],
    ) -> None:
        kind = KINDS[item.kind]
        own = relevant + ((_renamed(item.relevant, rename),) if item.relevant else ())
        required_if = _renamed(item.required_if, rename)
        qid = rename.get(item.name, item.name)
        options = self.options(item)
        label = text_of(item.labels, self.form) or Text(vi=item.name)
        if qid != item.name:  # in a repeat: "Tên sản phẩm (2)"
            number = qid.rsplit("__", 1)[1]
            label = Text(
                vi=f"{label.vi} ({number})", en=f"{label.en} ({number})" if label.en else None
            )
        self.questions.append(
            Question(
                id=qid,
                type=kind,
                label=label,
                help=text_of(item.hints, self.form),
                required=item.required and kind is not QuestionType.CALCULATE,
                required_if=required_if,
                min_choices=1 if item.required or required_if else 0,
                options=options,
                relevant=own,
                constraint=_renamed(item.constraint, rename),
                constraint_message=text_of(item.constraint_message, self.form),
                required_message=text_of(item.required_message, self.form),
                calculation=_renamed(item.calculation, rename),
                choice_filter=_renamed(item.choice_filter, rename),
                heading=heading,
                imported=True,
                default=item.default if kind in _DEFAULTS else None,
            )
        )
        if item.or_other:
            self.questions.append(
                Question(
                    id=f"{qid}_other",
                    type=QuestionType.TEXT,
                    label=Text(vi="Anh/chị vui lòng ghi rõ", en="Please specify"),
                    required=item.required,
                    required_if=required_if,
                    relevant=(*own, f"selected(${{{qid}}}, 'other')"),
                    imported=True,
                )
            )

    def options(self, item: XQuestion) -> tuple[Option, ...]:
        if item.list_name is None:
            return ()
        found = [
            Option(
                key=choice.name,
                vi=choice.labels.get("vi")
                or self.form.text(choice.labels, self.form.default_language),
                en=choice.labels.get("en"),
                columns=tuple(sorted(choice.columns.items())),
            )
            for choice in self.form.choices.get(item.list_name, ())
        ]
        if item.or_other:
            found.append(Option(key="other", vi="Khác", en="Other"))
        return tuple(found)


def _in_sentence(label: str) -> str:
    """A label written to stand alone ("Lớp tập huấn") inside a sentence: its first letter in
    lower case ("thêm lớp tập huấn nữa"), unless the first word is an acronym or a name
    whose second letter is a capital too ("OCOP", "HTX") or not a letter ("Q1")."""
    text = label.strip()
    words = text.split(maxsplit=2)
    if not words or not words[0][:1].isupper():
        return text
    first = words[0]
    second = first[1] if len(first) > 1 else (words[1][:1] if len(words) > 1 else "")
    return text[0].lower() + text[1:] if second.islower() else text


def _questions(items: tuple[XQuestion | XGroup, ...]) -> list[XQuestion]:
    found: list[XQuestion] = []
    for item in items:
        found.extend(_questions(item.children) if isinstance(item, XGroup) else [item])
    return found


_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _renamed(source: str | None, rename: dict[str, str]) -> str | None:
    """``${name}`` of the same repeat instance -> ``${name__k}``."""
    if source is None or not rename:
        return source
    return _REF.sub(lambda m: "${" + rename.get(m.group(1), m.group(1)) + "}", source)


def _shared_by(settings: ChatSettings) -> Literal["commune", "user", "none"]:
    """A report with a period is one per commune (officers) or per producer."""
    if settings.period is PeriodKind.NONE:
        return "none"
    if settings.shared_by != "none":
        return settings.shared_by
    return "commune" if settings.audience == "officer" else "user"


def to_form(form: XForm, settings: ChatSettings | None = None) -> Form:
    """The bot's form; raises pydantic's ValidationError when the bot cannot hold it."""
    settings = settings or ChatSettings()
    builder = _Builder(form)
    builder.walk(form.items, (), None, {})
    title = text_of(form.title, form) or Text(vi=form.form_id)
    return Form(
        id=form.form_id,
        title=title,
        audience=settings.audience,
        period=settings.period,
        shared_by=_shared_by(settings),
        receipt_prefix=receipt_prefix(form.form_id),
        commands=(settings.command or form.form_id[:32],),
        questions=tuple(builder.questions),
        version=form.version,
    )

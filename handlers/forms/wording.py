"""How a form names things in a sentence: the report and its period, the commune, where the
user is in the form, and a cross-field check's contradiction.

A receipt is an official acknowledgement ("Đã gửi báo cáo OCOP quý 2/2024 của xã Cao Lộc,
mã BCX-000001"; for an imported form "Đã gửi báo cáo “Tập huấn OCOP hằng tháng”, tháng
10/2026, của xã Cao Lộc, mã TH-000001"), and a user interrupted half-way needs to hear
which report they were filling and where: both are composed here, in the language of
whoever reads them.
"""

from __future__ import annotations

from decimal import Decimal

from bot.i18n import Translator
from forms import engine
from forms.periods import parse_period
from forms.rules import HISTORY_FUNCTION
from forms.schema import Check, Form
from handlers.context import Context

# Communes are stored with their kind first ("Xã Cao Lộc"); inside a Vietnamese sentence
# the kind is written in lower case ("của xã Cao Lộc").
_UNIT_WORDS = ("Xã ", "Phường ", "Thị trấn ", "Đặc khu ")


def report_name(form: Form, period_key: str, tr: Translator) -> str:
    """``báo cáo OCOP quý 2/2024``; a form without a period is named alone.

    A built-in form has a name written for a sentence (its short title). An imported form
    has only its title, written as a heading ("Tập huấn OCOP hằng tháng", "New Cascading
    Example"): it is quoted and the period set apart by commas (``báo cáo “Tập huấn OCOP
    hằng tháng”, tháng 10/2026``), so that no title runs into its period ("tháng tháng").
    """
    period = parse_period(period_key) if period_key else None
    label = period.label(tr.language) if period else ""
    if form.short_title is None:
        title = form.title(tr.language).strip()
        # "báo cáo “Báo cáo tập huấn”" would say it twice.
        if title.casefold().startswith(tr.t("report").casefold()):
            name = tr.t("“{title}”", title=title)
        else:
            name = tr.t("report “{title}”", title=title)
        return tr.t("{report}, {period}", report=name, period=label) if label else name
    name = form.name(tr.language)
    return tr.t("{report} for {period}", report=name, period=label) if label else name


def place_in_sentence(name: str, language: str) -> str:
    """``Xã Cao Lộc`` → ``xã Cao Lộc`` inside a Vietnamese sentence."""
    if language == "vi" and name.startswith(_UNIT_WORDS):
        return name[0].lower() + name[1:]
    return name


def report_of(form: Form, period_key: str, commune: str | None, tr: Translator) -> str:
    """The report as a receipt names it: a commune's report names the commune."""
    report = report_name(form, period_key, tr)
    if form.shared_by == "commune" and commune:
        place = place_in_sentence(commune, tr.language)
        if form.short_title is None:  # "báo cáo “…”, tháng 10/2026, của xã Cao Lộc"
            return tr.t("{report}, of {commune}", report=report, commune=place)
        return tr.t("{report} of {commune}", report=report, commune=place)
    return report


def where(ctx: Context, form: Form) -> str:
    """Where the user is in the open form: said after anything that interrupted it."""
    assert ctx.state is not None
    report = report_name(form, ctx.data.get("period", ""), ctx.tr)
    step = ctx.state.step
    if step.startswith(("q:", "confirm:")):
        question_id = step.split(":", 1)[1]
        ids = [q.id for q in engine.numbered(form, ctx.data["answers"])]
        if question_id in ids:
            return ctx.t(
                "You are filling in the {report}, question {n} of {total}.",
                report=report,
                n=ids.index(question_id) + 1,
                total=len(ids),
            )
    if step == "review":
        return ctx.t(
            "You are filling in the {report}: every question is answered; please check "
            "and send it.",
            report=report,
        )
    return ctx.t("You are filling in the {report}.", report=report)


def check_sentence(
    form: Form,
    check: Check,
    left: Decimal | str,
    right: Decimal | str,
    numbers: dict[str, str],
    tr: Translator,
) -> str:
    """A check's sentence from the form file, with both sides and every number it read as
    the user reads them (Babel; answers with their unit, as the review shows them)."""
    params = {
        "left": engine.show_stored_number(left, tr.language),
        "right": engine.show_stored_number(right, tr.language),
    }
    for name, number in numbers.items():
        source = name.removeprefix(f"{HISTORY_FUNCTION}_")
        params[name] = engine.show_answer(form.question(source), str(number), tr)
    return check.message(tr.language).format(**params)

"""Starting a form: who may fill it, which period it is for, and whether the shared report
was already sent (then its answers are reopened for revision instead of starting empty).

A form starts from its commands (/baocao, /dangky, ..., made at start-up by ``install``),
from a reminder's button (``@form``) or from an admin's "please fix" note (``@fix``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.render import display_name
from forms import engine, validation
from forms.periods import parse_period
from forms.registry import FORMS, add_imported, install_forms
from forms.schema import Form
from handlers.arguments import record_id
from handlers.context import Context
from handlers.forms.draft import NAME, bring_forward, form_of, scope_key, today
from handlers.forms.prompts import prompt
from handlers.forms.questions import advance
from handlers.forms.wording import where
from handlers.onboarding import NAME as ONBOARDING_FLOW
from handlers.registry import COMMANDS, action
from scheduler.filing import filing_period
from storage.models import Role, Submission, User, UserStatus
from storage.scope import scope_of


def fits_audience(user: User, form: Form) -> bool:
    """Whether the user, as storage says now, is of the form's audience and approved: asked
    when a form starts and again before each step of it (``FormFlow.guard``)."""
    role = Role.OFFICER if form.audience == "officer" else Role.PRODUCER
    return user.status == UserStatus.ACTIVE and user.role == role


async def may_fill(ctx: Context, form: Form) -> bool:
    """Only the form's audience, approved, fills it; say why not otherwise."""
    user, t = ctx.user, ctx.t
    if not user.is_registered:
        if ctx.in_conversation and ctx.state is not None and ctx.state.flow == ONBOARDING_FLOW:
            # Half-way through registering: the router has the registration say where it
            # stands and ask its question again (``Onboarding.interrupted``).
            ctx.reply(
                t(
                    "Your registration is not finished yet: once you are registered (and "
                    "approved, for a commune officer), you can send reports."
                )
            )
        else:
            ctx.reply(t("Please register first: type /start."))
        return False
    if user.status == UserStatus.DISABLED:
        ctx.reply(
            t(
                "Your account has been disabled, so you cannot send reports. Please "
                "contact your province's OCOP office."
            )
        )
        return False
    if form.audience == "officer":
        if user.role != Role.OFFICER:
            ctx.reply(t("Only commune officers send this report."))
            return False
        if user.status != UserStatus.ACTIVE:
            ctx.reply(
                t(
                    "Your registration as a commune officer is waiting for an admin's "
                    "approval. You will get a message when it is approved."
                )
            )
            return False
    if form.audience == "producer":
        if user.role != Role.PRODUCER or user.status != UserStatus.ACTIVE:
            ctx.reply(t("Only registered producers send this form."))
            return False
        if form.requires_product and not await ctx.stores.products.of_user(user.id):
            ctx.reply(
                t(
                    "This report is for producers with a registered product. Register "
                    "your product idea first with /dangky."
                )
            )
            return False
    return True


async def start_form(ctx: Context, form: Form) -> None:
    """Asking for a form already open resumes it rather than losing its answers."""
    if not await may_fill(ctx, form):
        return
    if bring_forward(ctx, lambda data: data.get("form") == form.id):
        await _resume(ctx)
        return
    period = await filing_period(
        ctx.stores.submissions,
        form.id,
        form.period,
        today(ctx),
        province_code=ctx.user.province_code,
        scope_key=scope_key(form, ctx),
    )
    data: dict[str, Any] = {
        "form": form.id,
        "period": period.key,
        "answers": {},
        "history": [],
        "base": 0,
    }
    if form.version is not None:
        data["version"] = form.version  # an imported form: finished with this version
    title = form.title(ctx.user.language)
    label = period.label(ctx.user.language)
    heading = f"{title} — {label}" if label else title
    if form.shared_by != "none":
        existing = await ctx.stores.submissions.find(form.id, period.key, scope_key(form, ctx))
        if existing is not None:
            await open_submission(ctx, form, existing)
            return
    ctx.begin(NAME, "start", data)
    total = len(engine.numbered(form, {}))
    ctx.reply(
        ctx.t(
            "{title}: {count} questions. Your answers are saved as you go. /quaylai "
            "goes back, /boqua skips a question that is not required, /huy cancels.",
            title=heading,
            count=total,
        )
    )
    await advance(ctx, after=None)


async def _resume(ctx: Context) -> None:
    """The draft already open goes on where it was: where that is, and its step again."""
    ctx.reply(ctx.t("You have this form in progress; let us continue."))
    await prompt(ctx, heading=where(ctx, form_of(ctx)))


def _drafts_of(ctx: Context, form: Form, existing: Submission) -> Callable[[dict[str, Any]], bool]:
    """Whether a draft is of ``existing``: reopened from it, or begun for the same shared
    report (form, period, who shares it) before it was sent or by another officer."""

    def same(data: dict[str, Any]) -> bool:
        if data.get("form") != existing.form_id:
            return False
        if data.get("submission") == existing.id:
            return True
        return (
            form.shared_by != "none"
            and data.get("period") == existing.period
            and scope_key(form, ctx) == existing.scope_key
        )

    return same


async def open_submission(ctx: Context, form: Form, existing: Submission) -> None:
    """Revise a sent report: its answers become the draft, starting at the review; a draft
    of it already open is resumed instead, with the answers it holds."""
    if bring_forward(ctx, _drafts_of(ctx, form, existing)):
        await _resume(ctx)
        return
    period = parse_period(existing.period)
    label = period.label(ctx.user.language) if period else existing.period
    heading = (
        f"{form.title(ctx.user.language)} — {label}" if label else form.title(ctx.user.language)
    )
    data: dict[str, Any] = {
        "form": form.id,
        "period": existing.period,
        "answers": dict(existing.answers),
        "history": [],
        "base": existing.revision,
        "submission": existing.id,
    }
    ctx.begin(NAME, "review", data)
    who = await ctx.stores.users.get(existing.updated_by or 0)
    ctx.reply(
        ctx.t(
            "{title} was already sent (receipt {receipt}, version {revision}, by {name} "
            "at {time}). You can change it and send it again.",
            title=heading,
            receipt=existing.receipt,
            revision=existing.revision,
            name=display_name(who.full_name or "") if who else "?",
            time=ctx.tr.datetime(existing.updated_at.astimezone(ctx.config.zone)),
        )
    )
    if existing.review_status == "needs_fix" and existing.review_comment:
        ctx.reply(ctx.t("An admin asked for changes: {comment}", comment=existing.review_comment))
    missing = validation.pending(form, data["answers"])
    if missing is not None:
        # The form file asks more than when it was sent, or an answer no longer fits it:
        # asked first, then the review.
        ctx.data["to_review"] = True
        ctx.goto(f"q:{missing.id}")
    await prompt(ctx)


def _register_form_commands(form: Form) -> None:
    async def starter(ctx: Context, _argument: str) -> None:
        await start_form(ctx, form)

    for name in form.commands:
        COMMANDS[name] = starter
        _FORM_COMMANDS.add(name)


# The commands that start a form; every other command (/huy, /lich...) is the bot's own.
_FORM_COMMANDS: set[str] = set()


def reserved_commands() -> set[str]:
    """Commands an imported form may not take: the bot's own (not a form's starter)."""
    return set(COMMANDS) - _FORM_COMMANDS


def install(folder: Path | None = None) -> None:
    """Load the forms (start-up) and make their commands (/baocao, /dangky, ...) work."""
    install_forms(folder, _register_form_commands)


def install_imported(versions: list[tuple[Form, bool]]) -> None:
    """The forms imported from XLSForm workbooks (every version; True: the active one),
    read from storage at start-up after the form files."""
    reserved = reserved_commands()
    add_imported(
        [(form, active) for form, active in versions if not set(form.commands) & reserved],
        _register_form_commands,
    )


@action("form")
async def open_form(ctx: Context, form_id: str) -> None:
    """A button that starts or resumes a form (reminders, an admin's "please fix" note)."""
    form = FORMS.get(form_id)
    if form is None:
        ctx.reply(ctx.t("That choice is no longer valid."))
        return
    await start_form(ctx, form)


@action("fix")
async def fix_submission(ctx: Context, argument: str) -> None:
    """The button on an admin's "needs fixing" note: reopen that very report."""
    submission_id = record_id(argument)
    submission = (
        await ctx.stores.progress.get(submission_id, scope_of(ctx.user)) if submission_id else None
    )
    form = FORMS.get(submission.form_id) if submission else None
    if submission is None or form is None or not await may_fill(ctx, form):
        if submission is None or form is None:
            ctx.reply(ctx.t("That choice is no longer valid."))
        return
    await open_submission(ctx, form, submission)

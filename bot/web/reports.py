"""A report's page: its answers, its revisions side by side (what changed marked), and the
review: "đạt" (accepted) or "cần bổ sung" (needs fixing) with a comment.

The review runs the chat's own ``@review`` action and comment step (handlers/admin_review.py)
through bot/web/actions.py: the officer is told in their chat with the same words and the
same "fix the report" button as when an admin reviews in the chat.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aiohttp import web
from sqlalchemy import select

from bot.render import display_name, review_label
from bot.web.actions import Said, as_admin, converse
from bot.web.sessions import Visit
from forms import engine
from forms.periods import parse_period
from forms.registry import FORMS
from forms.schema import Form, QuestionType
from handlers import admin_review
from handlers.context import Context
from storage.models import Commune, Province, SubmissionRevision, User
from storage.progress import Progress

SHOWN_REVISIONS = 4  # the latest ones side by side; a phone scrolls the table sideways


@dataclass(frozen=True)
class Line:
    """One question across revisions: its answers, oldest first, and which differ from
    the revision before."""

    label: str
    answers: list[str]
    changed: list[bool]


def side_by_side(form: Form, revisions: Sequence[SubmissionRevision], visit: Visit) -> list[Line]:
    """The questions any of the revisions answered, in the form's order (a note is read,
    not answered: it has no line)."""
    lines = []
    for question in form.questions:
        if question.type is QuestionType.NOTE:
            continue
        values = [r.answers.get(question.id) for r in revisions]
        if all(v in (None, "") for v in values):
            continue
        shown = [
            engine.show_answer(question, v, visit.tr) if v not in (None, "") else "—"
            for v in values
        ]
        changed = [i > 0 and shown[i] != shown[i - 1] for i in range(len(shown))]
        lines.append(Line(question.label(visit.tr.language), shown, changed))
    return lines


async def report(
    visit: Visit, *, error: str | None = None, comment: str = ""
) -> web.StreamResponse:
    """GET /admin/reports/{id}."""
    raw = visit.request.match_info["report"]
    submission = (
        await Progress(visit.db).get(int(raw), visit.scope)
        if raw.isdigit() and len(raw) < 10
        else None
    )
    form = FORMS.get(submission.form_id) if submission is not None else None
    if submission is None or form is None:
        return visit.dashboard.not_found(visit)
    tr, lang = visit.tr, visit.tr.language
    revisions = list(
        (
            await visit.db.scalars(
                select(SubmissionRevision)
                .where(SubmissionRevision.submission_id == submission.id)
                .order_by(SubmissionRevision.revision.desc())
                .limit(SHOWN_REVISIONS)
            )
        ).all()
    )[::-1]
    commune = await visit.db.get(Commune, submission.commune_code or 0)
    province = await visit.db.get(Province, submission.province_code or 0)
    author = await visit.db.get(User, submission.updated_by or 0)
    reviewer = await visit.db.get(User, submission.reviewed_by or 0)
    answers = [
        (
            question.label(lang),
            engine.show_answer(question, submission.answers.get(question.id), tr),
        )
        for question in engine.numbered(form, submission.answers)  # a note is no answer
    ]
    period = parse_period(submission.period)
    return visit.render(
        "report.html",
        submission=submission,
        title=form.title(lang),
        period=period.label(lang) if period else "",
        commune=commune,
        province=province,
        author=author,
        reviewer=reviewer,
        review=review_label(tr, submission.review_status),
        review_state=submission.review_status or "",
        author_name=display_name(author.full_name or "") if author else "—",
        reviewer_name=display_name(reviewer.full_name or "") if reviewer else "—",
        answers=answers,
        revisions=revisions,
        lines=side_by_side(form, revisions, visit) if len(revisions) > 1 else [],
        error=error,
        comment=comment,
        status=422 if error else 200,
    )


async def review(visit: Visit) -> web.StreamResponse:
    """POST /admin/reports/{id}/review: verdict "ok" or "fix" (with a comment)."""
    raw = visit.request.match_info["report"]
    verdict = visit.value("verdict")
    comment = visit.value("comment")
    if not raw.isdigit() or len(raw) >= 10 or verdict not in ("ok", "fix"):
        return visit.dashboard.not_found(visit)

    async def work(ctx: Context) -> None:
        await admin_review.review(ctx, f"{verdict}:{raw}")
        # The chat asks for the comment next; on the page it came with the button.
        await converse(ctx, [Said(comment)])

    done = await as_admin(visit.db, visit.config, visit.user, work)
    visit.enqueued = done.notified > 0
    if not done.finished:
        # The comment was refused (too short, too long): say why, keep what was typed.
        return await report(visit, error=" ".join(done.replies), comment=comment)
    return visit.redirect(f"/admin/reports/{raw}", *done.replies)

"""The draft a form conversation carries in its state, shared by every step of the flow.

State (in the conversation, committed after every message):
``form``, ``period``, ``answers``, ``history`` (questions answered, for /quaylai), ``step``
(``q:<id>``, ``confirm:<id>``, ``review``, ``pick``, ``conflict``), ``base`` (the revision
of the shared report this draft started from: 0 for a new one) and ``to_review`` (a question
changed from the review returns there).
"""

from __future__ import annotations

import uuid
from datetime import date

from forms.registry import FORMS
from forms.schema import Form
from handlers.context import Context

NAME = "form"
DONE = "done"


def form_of(ctx: Context) -> Form:
    """The form is kept by id in the state, so a redeployed definition is read afresh."""
    return FORMS[ctx.data["form"]]


def today(ctx: Context) -> date:
    """Periods and locks follow the configured zone's calendar, not the server's."""
    return ctx.now.astimezone(ctx.config.zone).date()


def scope_key(form: Form, ctx: Context) -> str:
    """Who shares one report: a commune's officers, one user, or nobody (every filing is
    its own report)."""
    if form.shared_by == "commune":
        return f"commune:{ctx.user.commune_code}"
    if form.shared_by == "user":
        return f"user:{ctx.user.id}"
    return f"own:{ctx.user.id}:{uuid.uuid4().hex[:12]}"

"""The OCOP annual cycle of a product, as rules: its states and their words, which step may
follow which, and how the council's score gives the stars.

One place defines the words of each state (gettext msgids), so the chat (``/xem``,
``/trangthai``), the admins' digest and the Excel export say the same thing. Pure: no
storage, no clock; :mod:`storage.products` applies these rules to the rows.
"""

from __future__ import annotations

from bot.i18n import N_, Translator
from storage.models import ProductStatus

S = ProductStatus

# What each state is called, wherever it is shown (lower case: it sits inside sentences;
# :func:`state_label` capitalises it for a spreadsheet cell or a line of its own).
STATE_LABELS: dict[str, str] = {
    S.SUBMITTED: N_("submitted, waiting for review"),
    S.UNDER_REVIEW: N_("under review"),
    S.NEEDS_INFO: N_("more information needed from the producer"),
    S.SELECTED: N_("selected for the OCOP cycle"),
    S.NOT_SELECTED: N_("not selected this year"),
    S.EVALUATED: N_("evaluated"),
    S.CERTIFIED: N_("certified"),
}

# The order states are counted in (digest, exports): the way along the cycle.
STATE_ORDER: tuple[str, ...] = (
    S.SUBMITTED,
    S.UNDER_REVIEW,
    S.NEEDS_INFO,
    S.SELECTED,
    S.NOT_SELECTED,
    S.EVALUATED,
    S.CERTIFIED,
)

# Which step an officer or admin may take from each state. "Evaluated" again from
# "evaluated" corrects the council's result or records a later round; from "certified" it is
# the re-evaluation of an expiring certificate. Leaving "needs more information" is also
# the producer's reply (back to "under review").
NEXT: dict[str, tuple[str, ...]] = {
    S.SUBMITTED: (S.UNDER_REVIEW, S.SELECTED, S.NOT_SELECTED, S.NEEDS_INFO),
    S.UNDER_REVIEW: (S.SELECTED, S.NOT_SELECTED, S.NEEDS_INFO),
    S.NEEDS_INFO: (S.UNDER_REVIEW, S.SELECTED, S.NOT_SELECTED),
    S.NOT_SELECTED: (S.UNDER_REVIEW,),
    S.SELECTED: (S.EVALUATED, S.NOT_SELECTED),
    S.EVALUATED: (S.CERTIFIED, S.EVALUATED),
    S.CERTIFIED: (S.EVALUATED,),
}

# Steps that need a reason the producer reads.
WITH_REASON: frozenset[str] = frozenset({S.NOT_SELECTED, S.NEEDS_INFO})

# The national ranking (Decision 148/QĐ-TTg, 2023): the council's total score out of 100
# gives 3 stars from 50, 4 from 70, 5 from 90; below 50 the product is not ranked.
STAR_BANDS: tuple[tuple[int, int], ...] = ((90, 5), (70, 4), (50, 3))
MIN_SCORE, MAX_SCORE = 0, 100
MIN_CERTIFIED_STARS = 3
# Evaluation rounds of a year: seed 001 names round 1 (before 15 May), round 2 (before
# 15 September) and one more by season for fresh produce.
ROUNDS: tuple[int, ...] = (1, 2, 3)


def may_move(current: str, to: str) -> bool:
    return to in NEXT.get(current, ())


def next_steps(current: str) -> tuple[str, ...]:
    return NEXT.get(current, ())


def stars_for(score: int) -> int | None:
    """The stars a score earns; None below the lowest band (not ranked)."""
    for floor, stars in STAR_BANDS:
        if score >= floor:
            return stars
    return None


def score_band(stars: int) -> tuple[int, int]:
    """The scores that give ``stars`` (for messages: "4 stars: 70–89")."""
    floors = dict((s, f) for f, s in STAR_BANDS)
    floor = floors[stars]
    above = [f for f, s in STAR_BANDS if s == stars + 1]
    return floor, (above[0] - 1 if above else MAX_SCORE)


def state_label(tr: Translator, status: str | None, *, capital: bool = False) -> str:
    """The words for ``status`` in ``tr``'s language (an unknown one is shown as stored)."""
    msgid = STATE_LABELS.get(status or "")
    text = tr.t(msgid) if msgid else str(status or "")
    return text[:1].upper() + text[1:] if capital else text

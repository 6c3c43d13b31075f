"""The words of the OCOP cycle: a product's standing, its history, and what the producer is
told at each step (in the producer's language, composed when the notice is queued).

Shared by the officers' and admins' view (``/xem YT-…``, handlers/product_cycle.py) and the
producer's ``/trangthai`` (handlers/products.py), so both say the same. State names come
from ``storage.products_cycle``, as in the digest and the export.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.i18n import N_, Translator
from bot.messages import Button, Outbound
from scheduler.calendar import current_calendar
from storage.models import Product, ProductEvent, ProductStatus
from storage.products_cycle import state_label

S = ProductStatus

# What the officer's or admin's button says for each step, by target state.
STEP_LABELS: dict[str, str] = {
    S.UNDER_REVIEW: N_("Start the review"),
    S.SELECTED: N_("Select for OCOP"),
    S.NOT_SELECTED: N_("Do not select"),
    S.NEEDS_INFO: N_("Ask for more information"),
    S.EVALUATED: N_("Record the evaluation"),
    S.CERTIFIED: N_("Record the certificate"),
}
# The same step from some states reads differently.
STEP_LABELS_FROM: dict[tuple[str, str], str] = {
    (S.NOT_SELECTED, S.UNDER_REVIEW): N_("Review again"),
    (S.EVALUATED, S.EVALUATED): N_("Correct the evaluation"),
    (S.CERTIFIED, S.EVALUATED): N_("Re-evaluate"),
}


def step_label(tr: Translator, current: str, to: str) -> str:
    return tr.t(STEP_LABELS_FROM.get((current, to)) or STEP_LABELS[to])


def stars_text(tr: Translator, stars: int | None) -> str:
    if not stars:
        return tr.t("not ranked (under 50 points)")
    return tr.tn("{n} star", "{n} stars", stars)


def round_text(tr: Translator, round_: int, year: int) -> str:
    return tr.t("round {round}/{year}", round=round_, year=year)


def evaluation_text(
    tr: Translator, score: int | None, stars: int | None, round_: int | None, year: int | None
) -> str | None:
    """ "72/100 điểm, 4 sao, đợt 1/2024"; None before any evaluation."""
    if score is None:
        return None
    text = tr.t("{score}/100 points, {stars}", score=tr.number(score), stars=stars_text(tr, stars))
    if round_ is not None and year is not None:
        text += ", " + round_text(tr, round_, year)
    return text


def expiry_of(product: Product) -> date | None:
    """The recorded expiry; for a certificate imported without one, the calendar's rule."""
    if product.certificate_expires is not None:
        return product.certificate_expires
    if product.certificate_date is None:
        return None
    return current_calendar().certificates.expiry(product.certificate_date)


def certificate_text(
    tr: Translator, number: str | None, granted: date | None, expires: date | None
) -> str | None:
    if granted is None:
        return None
    if number is None or expires is None:
        return tr.t("certificate of {date}", date=tr.date(granted))
    return tr.t(
        "certificate {number} of {date}, valid until {expiry}",
        number=number,
        date=tr.date(granted),
        expiry=tr.date(expires),
    )


def standing(tr: Translator, product: Product) -> str:
    """Where the product stands, with what its state holds: "đã được công nhận — 72/100
    điểm, 4 sao, đợt 1/2024 — giấy chứng nhận số 12/QĐ-UBND ngày …, hiệu lực đến …"."""
    parts = [state_label(tr, product.status)]
    if product.status in (S.NOT_SELECTED, S.NEEDS_INFO) and product.status_reason:
        parts.append(product.status_reason)
    if product.status in (S.EVALUATED, S.CERTIFIED):
        evaluation = evaluation_text(
            tr, product.score, product.stars, product.evaluation_round, product.evaluation_year
        )
        if evaluation is None and product.stars:  # imported: stars without a score
            evaluation = stars_text(tr, product.stars)
        if evaluation:
            parts.append(evaluation)
    if product.status == S.CERTIFIED:
        certificate = certificate_text(
            tr, product.certificate_number, product.certificate_date, expiry_of(product)
        )
        if certificate:
            parts.append(certificate)
    return " — ".join(parts)


def event_line(
    tr: Translator, event: ProductEvent, zone: ZoneInfo, who: Mapping[int, str] | None = None
) -> str:
    """One step of the history: "• 12/03/2024: đang xem xét — …" (and who, for officers)."""
    when = tr.date(event.created_at.astimezone(zone).date())
    parts = [state_label(tr, event.to_status)]
    details = event.details or {}
    if event.to_status == S.EVALUATED and "score" in details:
        parts.append(
            evaluation_text(
                tr,
                details["score"],
                details.get("stars"),
                details.get("round"),
                details.get("year"),
            )
            or ""
        )
    if event.to_status == S.CERTIFIED and "granted" in details:
        parts.append(
            certificate_text(
                tr,
                details.get("certificate"),
                date.fromisoformat(details["granted"]),
                date.fromisoformat(details["expires"]) if details.get("expires") else None,
            )
            or ""
        )
    if event.reason:
        if event.from_status == S.NEEDS_INFO and event.to_status == S.UNDER_REVIEW:
            parts.append(tr.t("information sent: {text}", text=event.reason))
        else:
            parts.append(event.reason)
    line = f"• {when}: " + " — ".join(p for p in parts if p)
    if who is not None and event.user_id in who:
        line += f" ({who[event.user_id]})"
    return line


def history_lines(
    tr: Translator,
    events: Sequence[ProductEvent],
    zone: ZoneInfo,
    who: Mapping[int, str] | None = None,
) -> list[str]:
    return [event_line(tr, event, zone, who) for event in events]


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def step_notice(
    tr: Translator, product: Product, receipt: str | None, event: ProductEvent
) -> Outbound:
    """What the producer is told of a step, in their language."""
    name, code = product.name, receipt or "—"
    to = event.to_status
    buttons: list[list[Button]] = []
    if to == S.UNDER_REVIEW:
        text = tr.t(
            "Your product idea “{product}” (receipt {receipt}) is under review.",
            product=name,
            receipt=code,
        )
    elif to == S.SELECTED:
        text = tr.t(
            "Your product idea “{product}” (receipt {receipt}) was selected for the OCOP "
            "cycle. Please complete the product and its file for the evaluation and ranking.",
            product=name,
            receipt=code,
        )
    elif to == S.NOT_SELECTED:
        text = tr.t(
            "Your product idea “{product}” (receipt {receipt}) was not selected this year. "
            "Reason: {reason}",
            product=name,
            receipt=code,
            reason=event.reason or "—",
        )
    elif to == S.NEEDS_INFO:
        text = tr.t(
            "To review your product idea “{product}” (receipt {receipt}), more information "
            "is needed: {reason}",
            product=name,
            receipt=code,
            reason=event.reason or "—",
        )
        buttons = [[Button(label=tr.t("Send the information"), payload=f"@ocopinfo:{product.id}")]]
    elif to == S.EVALUATED:
        text = _evaluated(tr, product)
    else:
        text = tr.t(
            "Congratulations! “{product}” is certified as an OCOP product, {stars}: {certificate}.",
            product=name,
            stars=stars_text(tr, product.stars),
            certificate=certificate_text(
                tr, product.certificate_number, product.certificate_date, expiry_of(product)
            )
            or "—",
        )
    return Outbound(text=text, buttons=buttons, language=tr.language)


def _evaluated(tr: Translator, product: Product) -> str:
    round_ = round_text(tr, product.evaluation_round or 0, product.evaluation_year or 0)
    if product.stars:
        return tr.t(
            "The OCOP council evaluated “{product}” in {round}: {score}/100 points, {stars}.",
            product=product.name,
            round=round_,
            score=tr.number(product.score or 0),
            stars=stars_text(tr, product.stars),
        )
    return tr.t(
        "The OCOP council evaluated “{product}” in {round}: {score}/100 points, under the 50 "
        "points a 3-star ranking needs. Your commune officer can advise you on improving it.",
        product=product.name,
        round=round_,
        score=tr.number(product.score or 0),
    )

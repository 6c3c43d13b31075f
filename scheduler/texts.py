"""The words of reminders and digests, in the recipient's language.

Every text names what is due, for which period, the deadline as people write it
(``15/06/2024``) and how many days are left or late, counted from the day it is written, so
a reminder caught up after downtime never says "7 days left" when one is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.i18n import Translator
from bot.messages import Button, Outbound
from storage.products_cycle import STATE_ORDER, state_label

MAX_NAMES = 30  # names listed per digest line; the rest are counted


def days_left(tr: Translator, deadline: date, today: date) -> str:
    """ "còn 3 ngày" / "hạn chót là hôm nay" / "trễ 2 ngày"."""
    left = (deadline - today).days
    if left > 0:
        return tr.tn("{n} day left", "{n} days left", left)
    if left == 0:
        return tr.t("due today")
    return tr.tn("{n} day late", "{n} days late", -left)


def report_reminder(
    tr: Translator,
    *,
    report: str,
    period: str,
    deadline: date,
    today: date,
    form_id: str,
) -> Outbound:
    if today <= deadline:
        text = tr.t(
            "Reminder: {report} — {period}.\nDeadline: {deadline} ({left}).",
            report=report,
            period=period,
            deadline=tr.date(deadline),
            left=days_left(tr, deadline, today),
        )
    else:
        text = tr.t(
            "Overdue: {report} — {period}.\nThe deadline was {deadline} ({late}). "
            "Please send it as soon as you can.",
            report=report,
            period=period,
            deadline=tr.date(deadline),
            late=days_left(tr, deadline, today),
        )
    return Outbound(
        text=text,
        buttons=[[Button(label=tr.t("Send the report"), payload=f"@form:{form_id}")]],
        language=tr.language,
    )


def campaign_reminder(
    tr: Translator, *, title: str, deadline: date, today: date, form_id: str | None
) -> Outbound:
    text = tr.t(
        "Reminder: {title}.\nDeadline: {deadline} ({left}).",
        title=title,
        deadline=tr.date(deadline),
        left=days_left(tr, deadline, today),
    )
    buttons = [[Button(label=tr.t("Open the form"), payload=f"@form:{form_id}")]] if form_id else []
    return Outbound(text=text, buttons=buttons, language=tr.language)


def certificate_reminder(tr: Translator, *, product: str, expiry: date, today: date) -> Outbound:
    return Outbound(
        text=tr.t(
            "The OCOP certificate of “{product}” expires on {date} ({left}). Please contact "
            "your commune officer to prepare its re-evaluation.",
            product=product,
            date=tr.date(expiry),
            left=days_left(tr, expiry, today),
        )
    )


@dataclass(frozen=True)
class OverdueItem:
    """One report and period of a province past its deadline, and who has not filed it."""

    report: str
    period: str
    deadline: date
    names: tuple[str, ...]
    communes: bool  # names are communes (else producers)


@dataclass(frozen=True)
class ExpiringItem:
    product: str
    producer: str
    commune: str
    expiry: date


def _names(tr: Translator, names: tuple[str, ...]) -> str:
    shown = ", ".join(names[:MAX_NAMES])
    if len(names) > MAX_NAMES:
        shown += " " + tr.t("(and {count} more)", count=len(names) - MAX_NAMES)
    return shown


def admin_digest(
    tr: Translator,
    *,
    province: str,
    today: date,
    overdue: list[OverdueItem],
    expiring: list[ExpiringItem],
    cycle: dict[str, int] | None = None,
    unreached: int = 0,
    zns: tuple[int, int] = (0, 0),
) -> Outbound:
    lines = [
        tr.t("OCOP daily digest for {province}, {date}", province=province, date=tr.date(today))
    ]
    if not overdue:
        lines.append(tr.t("Nothing is overdue."))
    for item in overdue:
        lines.append("")
        lines.append(
            tr.t(
                "Overdue: {report} — {period} (deadline {deadline}, {late}).",
                report=item.report,
                period=item.period,
                deadline=tr.date(item.deadline),
                late=days_left(tr, item.deadline, today),
            )
        )
        if item.communes:
            lines.append(
                tr.tn(
                    "{n} commune has not sent it: {names}",
                    "{n} communes have not sent it: {names}",
                    len(item.names),
                    names=_names(tr, item.names),
                )
            )
        else:
            lines.append(
                tr.tn(
                    "{n} producer has not sent it: {names}",
                    "{n} producers have not sent it: {names}",
                    len(item.names),
                    names=_names(tr, item.names),
                )
            )
    if expiring:
        lines.append("")
        lines.append(
            tr.tn(
                "{n} OCOP certificate ending soon:",
                "{n} OCOP certificates ending soon:",
                len(expiring),
            )
        )
        for cert in expiring:
            lines.append(
                tr.t(
                    "• “{product}” ({producer}, {commune}): {date} ({left})",
                    product=cert.product,
                    producer=cert.producer,
                    commune=cert.commune or "?",
                    date=tr.date(cert.expiry),
                    left=days_left(tr, cert.expiry, today),
                )
            )
    lines.extend(cycle_lines(tr, cycle or {}))
    if unreached:
        lines.append("")
        lines.append(
            tr.tn(
                "{n} reminder of the last day reached nobody: the person has not written to "
                "the Zalo OA for too long, and has no other messenger or ZNS.",
                "{n} reminders of the last day reached nobody: the people have not written to "
                "the Zalo OA for too long, and have no other messenger or ZNS.",
                unreached,
            )
        )
    if zns[0]:
        lines.append("")
        lines.append(
            tr.tn(
                "Yesterday {n} reminder went by ZNS (paid): {cost} đồng.",
                "Yesterday {n} reminders went by ZNS (paid): {cost} đồng.",
                zns[0],
                cost=tr.number(zns[1]),
            )
        )
    return Outbound(text="\n".join(lines))


def cycle_lines(tr: Translator, counts: dict[str, int]) -> list[str]:
    """How many of the province's products stand at each step of the OCOP cycle, in the
    words the chat and the export use (``storage.products_cycle``)."""
    shown = [(status, counts[status]) for status in STATE_ORDER if counts.get(status)]
    if not shown:
        return []
    lines = ["", tr.t("OCOP products of the province, by step of the cycle:")]
    for status, n in shown:
        lines.append(f"• {state_label(tr, status, capital=True)}: {tr.number(n)}")
    return lines

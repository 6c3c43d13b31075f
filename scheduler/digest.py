"""The province admins' daily digest: what is overdue in their province, and which OCOP
certificates end soon.

Sent once a day (key ``digest:<admin>:<date>``) while anything is overdue, i.e. a report
period past its deadline and not yet locked that some commune (or producer) has not filed.
When nothing is overdue it is still sent on the days a certificate of the province reaches
one of its reminder days (90, 30, 7 days before the end), so admins hear of those too. A
digest is about its day: one missed during downtime is not sent later.

"Expected" is every commune of the province (as ``/tiendo`` counts), whether or not it has
an officer in the bot: a commune nobody reports for is exactly what an admin must see.
"""

from __future__ import annotations

from datetime import date

from bot.i18n import Translator
from scheduler import texts
from scheduler.calendar import Calendar
from scheduler.planner import (
    Planned,
    Snapshot,
    Titles,
    audience_of,
    cert_reminder_today,
    digest_key,
    expiring_within,
    expiry_of,
)
from scheduler.rules import COMMUNE_OFFICERS
from storage.calendar import Person
from storage.models import Role


def overdue_items(
    calendar: Calendar,
    snapshot: Snapshot,
    province_code: int,
    language: str,
    today: date,
    titles: Titles,
) -> list[texts.OverdueItem]:
    items: list[texts.OverdueItem] = []
    communes = snapshot.communes.get(province_code, [])
    producers = [
        p for p in snapshot.people if p.role == Role.PRODUCER and p.province_code == province_code
    ]
    for form_id in calendar.rules:
        rule = calendar.rule(form_id, province_code)
        if rule is None:
            continue
        for period in rule.open_periods(today):
            deadline = rule.deadline(period)
            if deadline >= today:
                continue
            if rule.audience == COMMUNE_OFFICERS:
                names = tuple(
                    name
                    for code, name in communes
                    if (form_id, period.key, f"commune:{code}") not in snapshot.filed
                )
            else:
                names = tuple(
                    p.name
                    for p in producers
                    if _missing(rule.audience, p, form_id, period.key, snapshot)
                )
            if names:
                items.append(
                    texts.OverdueItem(
                        report=titles(form_id, language),
                        period=period.label(language),
                        deadline=deadline,
                        names=names,
                        communes=rule.audience == COMMUNE_OFFICERS,
                    )
                )
    return items


def _missing(audience: str, person: Person, form_id: str, period: str, snapshot: Snapshot) -> bool:
    scope = audience_of(audience, person)
    return scope is not None and (form_id, period, scope) not in snapshot.filed


def plan_digests(
    calendar: Calendar, snapshot: Snapshot, today: date, titles: Titles
) -> list[Planned]:
    result: list[Planned] = []
    for admin in snapshot.people:
        if admin.role != Role.PROVINCE_ADMIN or not admin.reachable or admin.province_code is None:
            continue
        province = admin.province_code
        overdue = overdue_items(calendar, snapshot, province, admin.language, today, titles)
        products = [p for p in snapshot.products if p.province_code == province]
        alert = any(cert_reminder_today(calendar, p, today) for p in products)
        if not overdue and not alert:
            continue
        expiring = sorted(
            (
                texts.ExpiringItem(
                    product=p.name,
                    producer=p.producer_name,
                    commune=p.commune_name,
                    expiry=expiry_of(calendar, p),
                )
                for p in products
                if expiring_within(calendar, p, today)
            ),
            key=lambda item: (item.expiry, item.product),
        )
        tr = Translator(admin.language)
        result.append(
            Planned(
                person=admin,
                topic="digest",
                subject=tr.t("Daily digest"),
                period=tr.date(today),
                kind="digest",
                dedupe_key=digest_key(admin.user_id, today),
                message=texts.admin_digest(
                    tr,
                    province=admin.province_name,
                    today=today,
                    overdue=overdue,
                    expiring=expiring,
                    cycle=snapshot.cycle.get(province, {}),
                    unreached=snapshot.unreached.get(province, 0),
                    zns=snapshot.zns_yesterday,
                ),
            )
        )
    return result

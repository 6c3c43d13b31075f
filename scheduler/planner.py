"""Who is reminded of what on a given day: a pure function of the calendar, the day and a
snapshot of the database.

The same plan serves the scheduled run (which writes it to the outbox) and
``ocop-bot reminders preview`` (which prints it), so what the preview shows is what would be
sent. Each planned message carries its dedupe key; writing a plan twice, or from two
workers, writes each message once.

Per person, report and period, only the latest reminder day reached counts
(:func:`scheduler.rules.latest_due`): after downtime the one still useful is sent and the
superseded ones are dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from bot.messages import Outbound
from forms.periods import Period
from scheduler import texts
from scheduler.calendar import Calendar
from scheduler.rules import COMMUNE_OFFICERS, PRODUCERS, PRODUCERS_WITH_PRODUCT, ReportRule
from storage.calendar import CertifiedProduct, Person, ReminderQueries
from storage.models import Role, utcnow
from storage.products import count_by_state
from storage.zalo_oa import ZnsSpendRows, unreached_by_province

# (form id, language) -> the form's title; given by the caller so the scheduler does not
# depend on how forms are loaded.
Titles = Callable[[str, str], str]


@dataclass(frozen=True)
class Planned:
    """One message the scheduler would write to the outbox."""

    person: Person
    topic: str  # a form id, "campaign:<key>", "certificate" or "digest"
    subject: str  # what it is about, in the person's language (report title, product)
    period: str  # the period's label, the campaign's date, the product's expiry
    kind: str  # before-7, due, after-3, digest
    dedupe_key: str
    message: Outbound


@dataclass
class Snapshot:
    """What a plan needs from the database, read in one go."""

    people: list[Person]
    filed: set[tuple[str, str, str]]
    campaign_done: dict[str, tuple[set[int], set[int]]]
    products: list[CertifiedProduct]
    communes: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    # How many products stand in each state of the OCOP cycle, by province (the digest).
    cycle: dict[int | None, dict[str, int]] = field(default_factory=dict)
    # Reminders of the last day nobody could carry (Zalo OA window), by province (the digest).
    unreached: dict[int | None, int] = field(default_factory=dict)
    # ZNS messages sent yesterday and what they cost (đồng): paid, so the digest says it.
    zns_yesterday: tuple[int, int] = (0, 0)


def reminder_key(user_id: int, topic: str, period: str, kind: str) -> str:
    return f"remind:{user_id}:{topic}:{period}:{kind}"


def digest_key(user_id: int, day: date) -> str:
    return f"digest:{user_id}:{day.isoformat()}"


def audience_of(rule_audience: str, person: Person) -> str | None:
    """The submission scope key that counts for ``person``, or None when not in the audience."""
    if rule_audience == COMMUNE_OFFICERS:
        if person.role == Role.OFFICER and person.commune_code is not None:
            return f"commune:{person.commune_code}"
        return None
    if person.role != Role.PRODUCER:
        return None
    if rule_audience == PRODUCERS or (
        rule_audience == PRODUCERS_WITH_PRODUCT and person.has_product
    ):
        return f"user:{person.user_id}"
    return None


def open_periods(
    calendar: Calendar, today: date, provinces: set[int | None]
) -> set[tuple[str, str]]:
    """Every (form, period) open today for any of ``provinces`` (their deadlines may differ)."""
    wanted: set[tuple[str, str]] = set()
    for form_id in calendar.rules:
        for province in provinces:
            rule = calendar.rule(form_id, province)
            if rule is not None:
                wanted.update((form_id, p.key) for p in rule.open_periods(today))
    return wanted


async def load_snapshot(session: AsyncSession, calendar: Calendar, today: date) -> Snapshot:
    queries = ReminderQueries(session)
    people = await queries.people()
    provinces = {p.province_code for p in people} | {None}
    filed = await queries.filed(open_periods(calendar, today, provinces))
    done: dict[str, tuple[set[int], set[int]]] = {}
    for campaign in calendar.campaigns:
        if campaign.form_id is not None and campaign.due_reminder(today) is not None:
            since = (
                datetime.combine(campaign.opens, time.min, tzinfo=calendar.zone)
                if campaign.opens
                else None
            )
            done[campaign.key] = await queries.filed_since(campaign.form_id, since)
    admin_provinces = {
        p.province_code
        for p in people
        if p.role == Role.PROVINCE_ADMIN and p.reachable and p.province_code is not None
    }
    return Snapshot(
        people=people,
        filed=filed,
        campaign_done=done,
        products=await queries.certified_products(),
        communes=await queries.communes(c for c in admin_provinces if c is not None),
        cycle=await count_by_state(session),
        unreached=await unreached_by_province(session, utcnow() - timedelta(days=1)),
        zns_yesterday=await ZnsSpendRows(session).spent(today - timedelta(days=1)),
    )


def plan_reports(
    calendar: Calendar, snapshot: Snapshot, today: date, titles: Titles
) -> list[Planned]:
    result: list[Planned] = []
    rules: dict[tuple[str, int | None], ReportRule | None] = {}
    for person in snapshot.people:
        if not person.reachable:
            continue
        tr = Translator(person.language)
        for form_id in calendar.rules:
            key = (form_id, person.province_code)
            if key not in rules:
                rules[key] = calendar.rule(form_id, person.province_code)
            rule = rules[key]
            if rule is None or not rule.reminders.enabled:
                continue
            scope = audience_of(rule.audience, person)
            if scope is None:
                continue
            for period in rule.open_periods(today):
                if (form_id, period.key, scope) in snapshot.filed:
                    continue
                due = rule.due_reminder(period, today)
                if due is None:
                    continue
                result.append(_report(person, tr, rule, period, due[1], today, titles))
    return result


def _report(
    person: Person,
    tr: Translator,
    rule: ReportRule,
    period: Period,
    kind: str,
    today: date,
    titles: Titles,
) -> Planned:
    title = titles(rule.form_id, person.language)
    label = period.label(person.language)
    return Planned(
        person=person,
        topic=rule.form_id,
        subject=title,
        period=label,
        kind=kind,
        dedupe_key=reminder_key(person.user_id, rule.form_id, period.key, kind),
        message=texts.report_reminder(
            tr,
            report=title,
            period=label,
            deadline=rule.deadline(period),
            today=today,
            form_id=rule.form_id,
        ),
    )


def plan_campaigns(calendar: Calendar, snapshot: Snapshot, today: date) -> list[Planned]:
    result: list[Planned] = []
    for campaign in calendar.campaigns:
        due = campaign.due_reminder(today)
        if due is None:
            continue
        users_done, communes_done = snapshot.campaign_done.get(campaign.key, (set(), set()))
        for person in snapshot.people:
            if not person.reachable or not campaign.applies_to(person.province_code):
                continue
            if audience_of(campaign.audience, person) is None:
                continue
            if person.user_id in users_done:
                continue
            if campaign.audience == COMMUNE_OFFICERS and person.commune_code in communes_done:
                continue
            tr = Translator(person.language)
            title = campaign.title(person.language)
            result.append(
                Planned(
                    person=person,
                    topic=f"campaign:{campaign.key}",
                    subject=title,
                    period=tr.date(campaign.deadline),
                    kind=due[1],
                    dedupe_key=reminder_key(person.user_id, "campaign", campaign.key, due[1]),
                    message=texts.campaign_reminder(
                        tr,
                        title=title,
                        deadline=campaign.deadline,
                        today=today,
                        form_id=campaign.form_id,
                    ),
                )
            )
    return result


def plan_certificates(calendar: Calendar, snapshot: Snapshot, today: date) -> list[Planned]:
    rule = calendar.certificates
    people = {p.user_id: p for p in snapshot.people}
    result: list[Planned] = []
    for product in snapshot.products:
        person = people.get(product.user_id or 0)
        if person is None or not person.reachable:
            continue
        expiry = expiry_of(calendar, product)
        due = rule.due_reminder(expiry, today)
        if due is None:
            continue
        tr = Translator(person.language)
        result.append(
            Planned(
                person=person,
                topic="certificate",
                subject=product.name,
                period=tr.date(expiry),
                kind=due[1],
                dedupe_key=reminder_key(
                    person.user_id, "certificate", f"{product.id}@{expiry.isoformat()}", due[1]
                ),
                message=texts.certificate_reminder(
                    tr, product=product.name, expiry=expiry, today=today
                ),
            )
        )
    return result


def expiry_of(calendar: Calendar, product: CertifiedProduct) -> date:
    """The recorded expiry (certificate date + 36 months when it was certified in the
    chat); else, for an imported certificate, what the calendar's validity gives."""
    return product.certificate_expires or calendar.certificates.expiry(product.certificate_date)


def cert_reminder_today(calendar: Calendar, product: CertifiedProduct, today: date) -> bool:
    expiry = expiry_of(calendar, product)
    return any(d == today for d, _ in calendar.certificates.reminder_days(expiry))


def expiring_within(calendar: Calendar, product: CertifiedProduct, today: date) -> bool:
    expiry = expiry_of(calendar, product)
    return today <= expiry <= today + timedelta(days=calendar.certificates.digest_days)

"""Completeness pages: national → province → commune, for one report and period.

Numbers come from one grouped query (storage/web_completeness.py); the province's communes
come a page at a time, filtered by state if asked. On-time counts against each province's
own deadline where it set one (the calendar, /lich), otherwise the national one.

Two kinds of numbers, both said on the page: the rates as DHIS2 defines them (every report
received counts, reviewed or not), and the communes by their one state (a reviewed report
is "needs fixing" or "accepted", not also "on time" or "late"), which the legend, the bar
and the table's filter all count alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from aiohttp import web

from bot.render import display_name
from bot.web.charts import Bar, rate_bars, state_bar
from bot.web.sessions import Visit
from forms.periods import Period, PeriodKind, current_period, next_period, parse_period
from forms.periods import previous_period as before
from forms.registry import FORMS
from forms.schema import Form
from handlers.admin_progress import percent
from scheduler.calendar import calendar_in
from storage.models import Commune, Province, utcnow
from storage.users import Users
from storage.web_completeness import (
    STATE_LABELS,
    STATES,
    AreaCounts,
    Completeness,
    Deadlines,
    State,
    total,
)
from storage.zalo_oa import unreached_by_province

PAGE_SIZE = 100


def commune_forms() -> list[Form]:
    """Reports filed once per commune and period: those completeness is about."""
    return [
        f for f in FORMS.values() if f.shared_by == "commune" and f.period is not PeriodKind.NONE
    ]


@dataclass(frozen=True)
class Choice:
    """The report and period a page is about (from the address, else the defaults)."""

    form: Form
    period: Period
    # The day the report was put on the calendar, when this period had ended before it:
    # nobody was asked for it, so the page says so instead of counting everyone missing.
    asked_from: date | None = None
    # A period typed in the box that is not one of this report's ("quý 5", a month for a
    # quarterly report): the page says so above the period it shows instead.
    unread: str | None = None

    def query(self, **more: object) -> str:
        values = {"form": self.form.id, "period": self.period.key}
        values.update({k: str(v) for k, v in more.items() if v not in (None, "")})
        return urlencode(values)


async def chosen(visit: Visit) -> Choice | None:
    forms = commune_forms()
    if not forms:
        return None
    form = FORMS.get(visit.value("form")) or forms[0]
    if form not in forms:
        form = forms[0]
    typed = visit.value("period").strip()
    period = parse_period(typed)
    unread = None
    if period is None or period.kind is not form.period:
        unread = typed[:40] or None
        period = await collecting(visit, form)
    calendar = await calendar_in(visit.db, zone=visit.zone)
    return Choice(form, period, calendar.asked_from(form.id, period.key), unread)


def not_asked(visit: Visit, choice: Choice, **crumbs: object) -> web.StreamResponse:
    """A period before the report was on the calendar: the choice of report and period,
    and why there is nothing to count."""
    return visit.render(
        "not_asked.html",
        choice=choice,
        forms=commune_forms(),
        around=periods_around(choice),
        **crumbs,
    )


async def collecting(visit: Visit, form: Form) -> Period:
    """The period being collected, as /tiendo chooses it: the previous one while it still
    takes late reports, otherwise the current one (by the database's calendar now)."""
    today = visit.today
    current = current_period(form.period, today)
    previous = before(current)
    calendar = await calendar_in(visit.db, zone=visit.zone)
    if not calendar.is_locked(form.id, previous.key, today, visit.user.province_code):
        return previous
    return current


async def deadlines(visit: Visit, choice: Choice) -> Deadlines:
    calendar = await calendar_in(visit.db, zone=visit.zone)
    return calendar.deadlines(choice.form.id, choice.period.key)


def caption(visit: Visit, area: AreaCounts) -> str:
    return f"{visit.tr.number(area.received)}/{visit.tr.number(area.expected)} · " + percent(
        visit.tr, area.received, area.expected
    )


def periods_around(choice: Choice) -> dict[str, str]:
    return {
        "previous": choice.query(period=before(choice.period).key),
        "next": choice.query(period=next_period(choice.period).key),
    }


async def national(visit: Visit) -> web.StreamResponse:
    """GET /admin/completeness: every province in scope (a province admin goes straight to
    their province)."""
    choice = await chosen(visit)
    if choice is None:
        return visit.render("empty.html", message=visit.tr.t("No report is filed per commune."))
    if not visit.national:
        return visit.redirect(
            f"/admin/completeness/{visit.user.province_code}?{choice.query()}", *visit.flash
        )
    if choice.asked_from is not None:
        return not_asked(visit, choice, province=None)
    areas = await Completeness(visit.db).by_province(
        choice.form.id, choice.period.key, visit.scope, await deadlines(visit, choice)
    )
    whole = total(areas, visit.tr.t("The whole country"))
    chart = rate_bars(
        [
            Bar(
                a.name,
                f"/admin/completeness/{a.code}?{choice.query()}",
                a.rates.reporting or 0.0,
                a.rates.timely or 0.0,
                caption(visit, a),
            )
            for a in areas
        ],
        title=visit.tr.t("Reporting rate by province"),
    )
    return visit.render(
        "completeness.html",
        choice=choice,
        forms=commune_forms(),
        areas=areas,
        whole=whole,
        chart=chart,
        around=periods_around(choice),
        lang_code=visit.tr.language,
    )


async def province(visit: Visit) -> web.StreamResponse:
    """GET /admin/completeness/{province}: the province's numbers and its communes."""
    choice = await chosen(visit)
    code = _int(visit.request.match_info["province"])
    found = await visit.db.get(Province, code) if code is not None else None
    if choice is None or found is None or not visit.scope.covers(found.code, None):
        return visit.dashboard.not_found(visit)
    if choice.asked_from is not None:
        return not_asked(visit, choice, province=found)
    state = _state(visit.value("state"))
    page = max(1, _int(visit.value("page")) or 1)
    limits = await deadlines(visit, choice)
    store = Completeness(visit.db)
    found_areas = await store.by_province(
        choice.form.id, choice.period.key, visit.scope, limits, province_code=found.code
    )
    area = found_areas[0] if found_areas else AreaCounts.empty(found.code, found.name)
    communes = await store.communes(
        choice.form.id,
        choice.period.key,
        visit.scope,
        limits,
        province_code=found.code,
        state=state,
        offset=(page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    t = visit.tr.t
    # Every commune once, in its one state; "received" (no deadline) only when there is one.
    counts = [
        (s.value, t(STATE_LABELS[s]), area.of(s))
        for s in STATES
        if s is not State.RECEIVED or area.of(s)
    ]
    pages = max(1, -(-communes.total // PAGE_SIZE))
    return visit.render(
        "province.html",
        choice=choice,
        forms=commune_forms(),
        province=found,
        area=area,
        communes=communes.rows,
        matching=communes.total,
        state=state,
        states=[(s.value, t(STATE_LABELS[s])) for s in STATES],
        state_label=lambda s: t(STATE_LABELS[State(s)]),
        chart=state_bar(counts, title=t("Communes by state")),
        counts=counts,
        page=page,
        pages=pages,
        around=periods_around(choice),
        # Reminders of the last day that reached nobody (Zalo OA window: scheduler/routing.py).
        unreached=(await unreached_by_province(visit.db, utcnow() - timedelta(days=1))).get(
            found.code, 0
        ),
    )


async def commune(visit: Visit) -> web.StreamResponse:
    """GET /admin/communes/{code}: the commune's reports, latest first, and its officers."""
    code = _int(visit.request.match_info["commune"])
    found = await visit.db.get(Commune, code) if code is not None else None
    if found is None or not visit.scope.covers(found.province_code, found.code):
        return visit.dashboard.not_found(visit)
    reports = await Completeness(visit.db).commune_reports(found.code, visit.scope)
    officers = [
        display_name(o.full_name or "") or "—"
        for o in await Users(visit.db).officers_of_commune(found.code)
    ]
    province_row = await visit.db.get(Province, found.province_code)
    return visit.render(
        "commune.html",
        commune=found,
        province=province_row,
        reports=[(r, FORMS.get(r.form_id), parse_period(r.period)) for r in reports],
        officers=officers,
        choice=await chosen(visit),
    )


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 10 else None


def _state(text: str) -> State | None:
    try:
        return State(text) if text else None
    except ValueError:
        return None

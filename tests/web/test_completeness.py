"""Completeness as DHIS2 counts it, on a seeded province: expected, received, reporting and
on-time rates, each commune's state, paging and the state filter; a province's own deadline;
the scope. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
from html import escape
from urllib.parse import quote

from bot.app import App
from bot.web.charts import COLOURS
from storage.scope import Reach, Scope
from storage.web_completeness import Completeness, Deadlines, State, total
from tests.conftest import make_settings
from tests.web.conftest import Web, page
from tests.web.seed import AFTER, DEADLINE, province_named, seed_states


async def test_counts_and_states_of_a_seeded_province(database_url: str) -> None:
    app = App(make_settings(database_url))
    await app.prepare()
    try:
        lang_son = await province_named(app, "Lạng Sơn")
        hanoi = await province_named(app, "Hà Nội")
        expected = await seed_states(app, lang_son)
        deadlines = Deadlines(DEADLINE)
        async with app.session_factory() as session:
            store = Completeness(session)
            areas = await store.by_province(
                "commune_report", "2024-Q2", Scope(Reach.NATIONAL), deadlines
            )
            by_code = {a.code: a for a in areas}
            area = by_code[lang_son.code]
            # 4 received by the deadline (the on-time rate's), but one of those was sent back
            # and one late report accepted: each commune counts in its one state.
            assert (area.expected, area.received, area.received_on_time) == (
                expected["communes"],
                7,
                4,
            )
            assert (area.on_time, area.late, area.undated) == (3, 2, 0)
            assert (area.needs_fix, area.accepted, area.missing) == (1, 1, expected["missing"])
            assert sum(area.of(s) for s in State) == area.expected
            assert len(areas) == 34 and sum(a.expected for a in areas) == 3321
            whole = total(areas, "all")
            assert (whole.expected, whole.received) == (3321, 7)
            assert abs((whole.rates.timely or 0) - 4 / 3321) < 1e-12
            # One province's scope sees only it.
            mine = await store.by_province(
                "commune_report",
                "2024-Q2",
                Scope(Reach.PROVINCE, province_code=lang_son.code),
                deadlines,
            )
            assert [a.code for a in mine] == [lang_son.code]
            # Communes by state, a page at a time.
            first = await store.communes(
                "commune_report",
                "2024-Q2",
                Scope(Reach.NATIONAL),
                deadlines,
                province_code=lang_son.code,
                offset=0,
                limit=5,
            )
            assert first.total == expected["communes"] and len(first.rows) == 5
            states = {
                state: (
                    await store.communes(
                        "commune_report",
                        "2024-Q2",
                        Scope(Reach.NATIONAL),
                        deadlines,
                        province_code=lang_son.code,
                        state=state,
                        limit=500,
                    )
                ).total
                for state in State
            }
            assert states == {
                State.ON_TIME: 3,
                State.LATE: 2,
                State.NEEDS_FIX: 1,
                State.ACCEPTED: 1,
                State.RECEIVED: 0,
                State.MISSING: expected["missing"],
            }
            # Another province's admin pages through nothing of it.
            foreign = await store.communes(
                "commune_report",
                "2024-Q2",
                Scope(Reach.PROVINCE, province_code=hanoi.code),
                deadlines,
                province_code=lang_son.code,
            )
            assert foreign.total == 0 and foreign.rows == []
            # The province's own later deadline makes the late reports on time there.
            own = Deadlines(DEADLINE, {lang_son.code: AFTER})
            [later] = await store.by_province(
                "commune_report", "2024-Q2", Scope(Reach.NATIONAL), own, province_code=lang_son.code
            )
            assert (later.received_on_time, later.on_time, later.late) == (7, 5, 0)
            # No deadline known: received, neither on time nor late.
            [unknown] = await store.by_province(
                "commune_report",
                "2024-Q2",
                Scope(Reach.NATIONAL),
                Deadlines(None),
                province_code=lang_son.code,
            )
            assert (unknown.received, unknown.received_on_time) == (7, 0)
            assert (unknown.on_time, unknown.late, unknown.undated) == (0, 0, 5)
    finally:
        await app.close()


async def test_the_pages_show_the_numbers(web: Web) -> None:
    lang_son = await province_named(web.app, "Lạng Sơn")
    expected = await seed_states(web.app, lang_son)
    client = await web.signed_in("national")
    query = "form=commune_report&period=2024-Q2"
    status, text = await page(client, f"/admin/completeness?{query}")
    assert status == 200
    # 7 of 3,321 received: formatted with enough decimals, never "0%".
    assert "<strong>3.321</strong>" in text
    assert "<strong>0,2%</strong>" in text and "<strong>0,1%</strong>" in text
    assert f'href="/admin/completeness/{lang_son.code}?{query.replace("&", "&amp;")}"' in text
    status, text = await page(client, f"/admin/completeness/{lang_son.code}?{query}")
    assert status == 200
    rate = f"{7 / expected['communes'] * 100:.1f}".replace(".", ",")
    assert rate + "%" in text
    assert text.count('class="badge missing"') == min(100, expected["missing"])
    status, text = await page(client, f"/admin/completeness/{lang_son.code}?{query}&state=late")
    assert text.count('class="badge late"') == 2 and 'class="badge missing"' not in text


def legend_of(text: str) -> dict[str, int]:
    """The province page's legend: each state's count ("late": 2)."""
    return {
        key: int(count.replace(".", ""))
        for key, count in re.findall(r'class="key (\w+)"></span>[^:<]+: ([\d.]+)', text)
    }


def bar_of(text: str) -> dict[str, int]:
    """The province page's state bar: each coloured part's count, by the state its colour
    stands for."""
    state_of = {colour: key for key, colour in COLOURS.items()}
    return {
        state_of[colour]: int(count.replace(".", ""))
        for colour, count in re.findall(
            r'<rect [^>]*fill="(#\w+)"><title>[^<:]+: ([\d.]+)</title>', text
        )
    }


async def test_the_figures_legend_and_bar_count_the_states_the_filter_lists(web: Web) -> None:
    """A commune is in one state: a report sent back for fixing or accepted counts there, not
    also as on time or late; the rates still count every report received (DHIS2)."""
    lang_son = await province_named(web.app, "Lạng Sơn")
    seeded = await seed_states(web.app, lang_son)
    client = await web.signed_in("national")
    query = f"/admin/completeness/{lang_son.code}?form=commune_report&period=2024-Q2"
    status, text = await page(client, query)
    assert status == 200
    listed = {}
    for state in ("on_time", "late", "needs_fix", "accepted", "missing"):
        _, filtered = await page(client, f"{query}&state={state}")
        listed[state] = filtered.count(f'class="badge {state}"')
    assert listed == {
        "on_time": 3,
        "late": 2,
        "needs_fix": 1,
        "accepted": 1,
        "missing": seeded["missing"],
    }
    assert legend_of(text) == listed
    assert bar_of(text) == listed
    # The rates: 7 received, 4 of them by the deadline (one of those since sent back).
    communes = seeded["communes"]
    assert re.search(r'id="received"[^>]*><span>[^<]+</span><strong>7</strong>', text)
    assert re.search(r'id="received-on-time"[^>]*><span>[^<]+</span><strong>4</strong>', text)
    on_time_rate = f"{4 / communes * 100:.1f}".replace(".", ",") + "%"
    assert re.search(
        rf'id="on-time-rate"[^>]*><span>[^<]+</span><strong>{on_time_rate}</strong>', text
    )


async def test_a_period_typed_as_officials_write_it(web: Web) -> None:
    """The period box reads "quý 2/2024" as the chat does; what is not a period of the report
    ("quý 5/2024", a month for a quarterly report) is said, above the period shown instead,
    never silently replaced."""
    lang_son = await province_named(web.app, "Lạng Sơn")
    await seed_states(web.app, lang_son)
    client = await web.signed_in("national")
    key_page = await page(client, "/admin/completeness?form=commune_report&period=2024-Q2")
    for typed in ("quý 2/2024", "Q2 2024", "quy 2 2024"):
        status, text = await page(
            client, f"/admin/completeness?form=commune_report&period={quote(typed)}"
        )
        assert status == 200 and "quý 2/2024" in text and 'role="alert"' not in text
        assert legend_numbers(text) == legend_numbers(key_page[1])
    for typed in ("quý 5/2024", "06/2024", "abc"):
        status, text = await page(
            client, f"/admin/completeness/{lang_son.code}?form=commune_report&period={quote(typed)}"
        )
        assert status == 200, text
        assert f"“{escape(typed)}” không phải kỳ của báo cáo này" in text, typed


def legend_numbers(text: str) -> list[str]:
    return re.findall(r"<strong>([\d.,%]+)</strong>", text)

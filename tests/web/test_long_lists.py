"""Every officer waiting for approval and every product of every state is reachable from the
dashboard, however many there are: "and N more" leads to the next page of the list, which
has previous and next links, keeps the order of the first page, and answers a page out of
range or malformed with a page (never a server error). A province admin's pages hold only
their province. On SQLite and PostgreSQL."""

from __future__ import annotations

from urllib.parse import urljoin

from aiohttp.test_utils import TestClient

from bot.i18n import Translator
from storage.models import ProductStatus
from storage.products_cycle import state_label
from tests.web import seed_lists as seed
from tests.web.conftest import Web, csrf_of, page
from tests.web.seed_lists import OFFICER, PRODUCT, links, numbers

vi = Translator("vi")
NEXT, PREVIOUS = vi.t("Next page"), vi.t("Previous page")


def more_officers(n: int) -> str:
    return vi.tn("and {count} more officer", "and {count} more officers", n, count=vi.number(n))


def more_products(n: int) -> str:
    return vi.t("and {count} more", count=vi.number(n))


def page_of(number: int, pages: int) -> str:
    return vi.t("Page {page} of {pages}", page=number, pages=pages)


async def follow(client: TestClient, here: str, words: str, text: str) -> tuple[str, str]:
    """Click the link saying ``words`` on the page at ``here``: (its address, its page)."""
    found = links(text)
    assert words in found, (words, sorted(found))
    there = urljoin(here, found[words])
    status, shown = await page(client, there)
    assert status == 200, (there, shown[:2000])
    return there, shown


async def test_every_pending_officer_is_reached_from_the_first_page(web: Web) -> None:
    await seed.pending_officers(web.app, "Lạng Sơn", 105, name="Cán Bộ")
    await seed.pending_officers(web.app, "Hà Nội", 3, name="Người Hà Nội")
    client = await web.signed_in("admin_ls")

    here = "/admin/approvals"
    status, text = await page(client, here)
    assert status == 200
    # The longest waiting first, a hundred to a page; the scene's own officer waits least.
    assert numbers(OFFICER, text) == list(range(1, 101))
    assert "Pending" not in text and "Người Hà Nội" not in text
    assert page_of(1, 2) in text and PREVIOUS not in links(text)

    here, text = await follow(client, here, more_officers(6), text)
    assert here == "/admin/approvals?page=2"
    assert numbers(OFFICER, text) == list(range(101, 106))
    assert "Pending" in text and "Người Hà Nội" not in text
    assert page_of(2, 2) in text
    assert NEXT not in links(text) and not any(w.startswith("và ") for w in links(text))

    back, text = await follow(client, here, PREVIOUS, text)
    assert numbers(OFFICER, text) == list(range(1, 101))
    again, text = await follow(client, back, NEXT, text)
    assert again == here and numbers(OFFICER, text) == list(range(101, 106))


async def test_a_page_of_officers_out_of_range_or_malformed_is_still_a_page(web: Web) -> None:
    await seed.pending_officers(web.app, "Lạng Sơn", 105, name="Cán Bộ")
    client = await web.signed_in("admin_ls")
    for asked in ("3", "999", "99999999999999999999"):
        status, text = await page(client, f"/admin/approvals?page={asked}")
        assert status == 200, asked
        assert numbers(OFFICER, text) == list(range(101, 106)), asked  # the last page
        assert page_of(2, 2) in text
    for asked in ("abc", "0", "-1", "1.5", "", "２"):
        status, text = await page(client, "/admin/approvals", params={"page": asked})
        assert status == 200, asked
        assert numbers(OFFICER, text) == list(range(1, 101)), asked  # the first page


async def test_deciding_on_a_later_page_comes_back_to_it(web: Web) -> None:
    await seed.pending_officers(web.app, "Lạng Sơn", 105, name="Cán Bộ")
    client = await web.signed_in("admin_ls")
    _, text = await page(client, "/admin/approvals?page=2")
    assert "Pending" in text
    done = await client.post(
        f"/admin/approvals/{web.users['pending'].id}",
        data={"csrf": csrf_of(text), "decision": "approve", "page": "2"},
        allow_redirects=False,
    )
    assert done.status == 303
    assert done.headers["Location"] == "/admin/approvals?page=2"
    _, text = await page(client, done.headers["Location"])
    assert numbers(OFFICER, text) == list(range(101, 106))
    assert "<td>Pending</td>" not in text and "Pending." in text  # the chat's answer, shown


async def test_every_product_of_a_state_is_reached_from_the_board(web: Web) -> None:
    await seed.products(web.app, "Lạng Sơn", 65, name="Mẫu SP")
    await seed.products(web.app, "Lạng Sơn", 2, name="Đang Xét", status=ProductStatus.UNDER_REVIEW)
    await seed.products(web.app, "Hà Nội", 2, name="Hà Nội SP")
    client = await web.signed_in("admin_ls")

    here = "/admin/products"
    status, text = await page(client, here)
    assert status == 200
    # The most recently moved first, thirty to a column.
    assert numbers(PRODUCT, text) == list(range(1, 31))
    assert "Đang Xét 001" in text and "Đang Xét 002" in text and "Hà Nội SP" not in text

    here, text = await follow(client, here, more_products(35), text)
    assert here == "/admin/products?status=submitted&page=2"
    assert numbers(PRODUCT, text) == list(range(31, 61))
    assert page_of(2, 3) in text and "Đang Xét" not in text and "Hà Nội SP" not in text

    here, text = await follow(client, here, NEXT, text)
    assert here == "/admin/products?status=submitted&page=3"
    assert numbers(PRODUCT, text) == list(range(61, 66))
    assert page_of(3, 3) in text and NEXT not in links(text)

    here, text = await follow(client, here, PREVIOUS, text)
    here, text = await follow(client, here, PREVIOUS, text)
    assert here == "/admin/products?status=submitted&page=1"
    assert numbers(PRODUCT, text) == list(range(1, 31))  # the board's own thirty

    # The column's title leads to its pages too; a small column is one page.
    board = state_label(vi, ProductStatus.UNDER_REVIEW, capital=True)
    _, text = await page(client, "/admin/products")
    here, text = await follow(client, "/admin/products", board, text)
    assert "Đang Xét 001" in text and NEXT not in links(text) and "Mẫu SP" not in text


async def test_a_page_of_products_out_of_range_or_malformed_is_still_a_page(web: Web) -> None:
    await seed.products(web.app, "Lạng Sơn", 35, name="Mẫu SP")
    client = await web.signed_in("admin_ls")
    for asked in ("2", "3", "999", "99999999999999999999"):
        status, text = await page(client, f"/admin/products?status=submitted&page={asked}")
        assert status == 200, asked
        assert numbers(PRODUCT, text) == list(range(31, 36)), asked
    for asked in ("abc", "0", "-2", ""):
        status, text = await page(
            client, "/admin/products", params={"status": "submitted", "page": asked}
        )
        assert status == 200, asked
        assert numbers(PRODUCT, text) == list(range(1, 31)), asked
    # An unknown state is the board; a state with nothing in it, an empty column.
    for query in ({"status": "nonsense"}, {"status": "x" * 500, "page": "2"}):
        status, text = await page(client, "/admin/products", params=query)
        assert status == 200 and numbers(PRODUCT, text) == list(range(1, 31)), query
        assert more_products(5) in links(text)
    status, text = await page(client, "/admin/products?status=certified&page=4")
    assert status == 200 and numbers(PRODUCT, text) == []


async def test_a_province_admin_pages_never_show_another_province(web: Web) -> None:
    await seed.pending_officers(web.app, "Lạng Sơn", 105, name="Cán Bộ")
    await seed.pending_officers(web.app, "Hà Nội", 3, name="Người Hà Nội")
    await seed.products(web.app, "Lạng Sơn", 35, name="Mẫu SP")
    await seed.products(web.app, "Hà Nội", 2, name="Hà Nội SP")
    hanoi = await web.signed_in("admin_hn")
    for path in ("/admin/approvals", "/admin/approvals?page=2", "/admin/approvals?page=999"):
        status, text = await page(hanoi, path)
        assert status == 200, path
        assert numbers(OFFICER, text) == [] and "Pending" not in text, path
        assert [f"Người Hà Nội 00{i}" in text for i in (1, 2, 3)] == [True] * 3, path
        assert NEXT not in links(text) and page_of(2, 2) not in text, path
    for path in (
        "/admin/products",
        "/admin/products?status=submitted",
        "/admin/products?status=submitted&page=2",
    ):
        status, text = await page(hanoi, path)
        assert status == 200, path
        assert numbers(PRODUCT, text) == [], path
        assert "Hà Nội SP 001" in text and "Hà Nội SP 002" in text, path
        assert NEXT not in links(text), path

    # The national admin: every province, by time of waiting (Hà Nội's three registered
    # among Lạng Sơn's first ones), through the same links.
    country = await web.signed_in("national")
    _, text = await page(country, "/admin/approvals")
    assert numbers(OFFICER, text) == list(range(1, 98))
    assert "Người Hà Nội 003" in text and "Pending" not in text
    _, text = await follow(country, "/admin/approvals", more_officers(9), text)
    assert numbers(OFFICER, text) == list(range(98, 106))
    assert "Pending" in text and "Người Hà Nội" not in text
    _, text = await page(country, "/admin/products")
    assert more_products(7) in links(text)

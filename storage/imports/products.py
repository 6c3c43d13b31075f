"""Recording certified OCOP products from the office's list (name, producer, commune, stars,
certificate date).

A product is the same product when its name, producer and commune match (accents and case
ignored): importing a list again changes nothing, and a later list with a new rank or date
updates the product. A product idea filed in the chat that matches is marked certified.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.text import fold
from forms.engine import choices
from forms.readers import Ok, read_choice
from forms.schema import Form, Question
from storage.imports import fields
from storage.imports.fields import PlaceFinder, Problem, collect
from storage.imports.officers import PLACE_FIELDS, place_of
from storage.imports.result import ImportReport, RowProblem
from storage.imports.tables import Cell, Field, Row
from storage.models import Commune, Product, ProductStatus

PRODUCT_FIELDS = (
    Field(
        "name",
        ("Tên sản phẩm", "Sản phẩm", "Tên SP", "Tên sản phẩm OCOP", "product", "product name"),
        required=True,
    ),
    Field(
        "producer",
        (
            "Chủ thể",
            "Chủ thể sản xuất",
            "Tên chủ thể",
            "Chủ thể OCOP",
            "Cơ sở sản xuất",
            "producer",
            "producer name",
        ),
        required=True,
    ),
    Field(
        "stars",
        ("Số sao", "Hạng sao", "Xếp hạng", "Kết quả xếp hạng", "Hạng", "Sao", "stars", "rating"),
        required=True,
    ),
    Field(
        "certificate_date",
        (
            "Ngày cấp giấy chứng nhận",
            "Ngày cấp",
            "Ngày cấp GCN",
            "Ngày chứng nhận",
            "Ngày công nhận",
            "certificate date",
            "date",
        ),
        required=True,
    ),
    Field("group", ("Nhóm sản phẩm", "Nhóm", "Nhóm SP", "product group", "group")),
    *PLACE_FIELDS,
)

Key = tuple[str, str]  # folded (name, producer) inside one commune


class GroupReader:
    """Product groups as the idea form names them (Decision 919/QĐ-TTg): typed labels,
    accents optional, become the same keys the chat stores."""

    def __init__(self, form: Form | None) -> None:
        question: Question | None = None
        if form is not None:
            try:
                question = form.question("product_group")
            except KeyError:
                question = None
        self.question = question

    def __call__(self, cell: Cell) -> str | None:
        typed = fields.text(cell)
        if typed is None or self.question is None:
            return None
        reading = read_choice(typed, choices(self.question))
        if isinstance(reading, Ok):
            return reading.value
        labels = ", ".join(option.vi for option in self.question.options)
        raise Problem(f"product group '{typed}' is not one of: {labels}")


async def import_products(
    session: AsyncSession,
    rows: list[Row],
    report: ImportReport,
    *,
    today: date,
    idea_form: Form | None,
    default_province: int | None = None,
) -> None:
    """Validate every row and add or update the good ones; bad rows go to ``report``."""
    places = await PlaceFinder.load(session)
    group_of = GroupReader(idea_form)
    known: dict[int, dict[Key, Product]] = {}
    seen: dict[tuple[int, Key], int] = {}
    for row in rows:
        report.rows += 1
        reasons: list[str] = []
        name = collect(reasons, fields.required_text, row.get("name"), "product name")
        producer = collect(reasons, fields.required_text, row.get("producer"), "producer")
        stars = collect(reasons, fields.stars, row.get("stars"))
        granted = collect(reasons, _certificate_date, row.get("certificate_date"), today)
        group = collect(reasons, group_of, row.get("group"))
        commune = collect(reasons, place_of, row, places, default_province)
        if name and producer and commune:
            where = (commune.code, (fold(name), fold(producer)))
            if where in seen:
                reasons.append(f"the same product is also on row {seen[where]}")
            seen.setdefault(where, row.number)
        if reasons or not (name and producer and commune and stars and granted):
            report.problems.append(RowProblem(row.number, "; ".join(reasons)))
            continue
        products = known.get(commune.code)
        if products is None:
            products = known[commune.code] = await _products_of(session, commune.code)
        outcome = await _upsert(session, products, commune, name, producer, stars, granted, group)
        setattr(report, outcome, getattr(report, outcome) + 1)


def _certificate_date(cell: Cell, today: date) -> date:
    return fields.day(cell, "certificate date", today=today)


async def _products_of(session: AsyncSession, commune_code: int) -> dict[Key, Product]:
    statement = select(Product).where(Product.commune_code == commune_code).order_by(Product.id)
    found: dict[Key, Product] = {}
    for product in await session.scalars(statement):
        found.setdefault((fold(product.name), fold(product.producer_name or "")), product)
    return found


async def _upsert(
    session: AsyncSession,
    products: dict[Key, Product],
    commune: Commune,
    name: str,
    producer: str,
    stars: int,
    granted: date,
    group: str | None,
) -> str:
    key = (fold(name), fold(producer))
    product = products.get(key)
    wanted = {
        "status": ProductStatus.CERTIFIED,
        "stars": stars,
        "certificate_date": granted,
        "province_code": commune.province_code,
    }
    if group is not None:
        wanted["product_group"] = group
    if product is None:
        product = Product(name=name, producer_name=producer, commune_code=commune.code, **wanted)
        session.add(product)
        await session.flush()
        products[key] = product
        return "created"
    if all(getattr(product, k) == v for k, v in wanted.items()):
        return "unchanged"
    for k, v in wanted.items():
        setattr(product, k, v)
    await session.flush()
    return "updated"

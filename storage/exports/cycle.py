"""Where each product idea stands in the OCOP cycle, as columns of its report's sheet.

An idea's row carries its state in the words the chat uses (``storage.products_cycle``
defines them once; the workbook is Vietnamese), the reason of the last step, the council's
score, stars and round, and the certificate with its expiry. Only the sheets of forms that
register products (forms not tied to a period: ideas) have these columns; the export reads
them with an outer join of the products table, made for those sheets only.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from bot.i18n import Translator
from forms.periods import PeriodKind
from forms.schema import Form
from storage.exports.cells import Kind, Value
from storage.exports.sinks import Column
from storage.models import Product
from storage.products_cycle import state_label

_VI = Translator("vi")

CYCLE_COLUMNS = (
    Column("Trạng thái OCOP"),
    Column("Ngày chuyển trạng thái", Kind.DATETIME),
    Column("Lý do / nội dung cần bổ sung", Kind.LONG_TEXT),
    Column("Điểm đánh giá", Kind.INTEGER),
    Column("Hạng sao", Kind.INTEGER),
    Column("Đợt đánh giá"),
    Column("Số giấy chứng nhận"),
    Column("Ngày cấp giấy chứng nhận", Kind.DATE),
    Column("Ngày hết hạn giấy chứng nhận", Kind.DATE),
)

# The product's columns the export reads, labelled so they sit beside the submission's.
_FIELDS = (
    "status",
    "status_changed_at",
    "status_reason",
    "score",
    "stars",
    "evaluation_round",
    "evaluation_year",
    "certificate_number",
    "certificate_date",
    "certificate_expires",
)


def has_cycle(form: Form) -> bool:
    """Whether a form's submissions become products (an idea is not tied to a period)."""
    return form.period is PeriodKind.NONE


def cycle_columns(form: Form) -> tuple[Column, ...]:
    return CYCLE_COLUMNS if has_cycle(form) else ()


def selected() -> list[Any]:
    """The product columns to add to a submission query joined with the products table."""
    return [getattr(Product, name).label(f"cycle_{name}") for name in _FIELDS]


@lru_cache(maxsize=16)
def state_text(status: str | None) -> str | None:
    """The state as the chat says it, capitalised for a cell ("Đang xem xét")."""
    return None if status is None else state_label(_VI, status, capital=True)


def cycle_cells(row: Any, zone: ZoneInfo) -> list[Value]:
    """The cycle cells of one exported row (all empty for a submission without product,
    or a row read without the products table)."""

    def field(name: str) -> Any:
        return getattr(row, f"cycle_{name}", None)

    changed = field("status_changed_at")
    round_, year = field("evaluation_round"), field("evaluation_year")
    return [
        state_text(field("status")),
        changed.astimezone(zone).replace(tzinfo=None) if changed is not None else None,
        field("status_reason"),
        field("score"),
        field("stars"),
        f"{round_}/{year}" if round_ is not None and year is not None else None,
        field("certificate_number"),
        field("certificate_date"),
        field("certificate_expires"),
    ]

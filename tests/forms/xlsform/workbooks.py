"""XLSForm workbooks the tests build themselves with openpyxl, as a person would in Excel or
LibreOffice: a header row, then one row per question."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from openpyxl import Workbook

SHARED = Path(__file__).resolve().parents[3] / ".." / "shared" / "xlsforms"
VI = "label::Tiếng Việt (vi)"
EN = "label::English (en)"


def xlsform(
    survey: list[dict[str, Any]],
    choices: list[dict[str, Any]] | None = None,
    settings: dict[str, Any] | None = None,
    *,
    extra_sheets: dict[str, list[list[Any]]] | None = None,
) -> bytes:
    """An .xlsx workbook; columns in the order they first appear (``None`` rows: empty)."""
    book = Workbook()
    book.remove(book.active)
    sheets: list[tuple[str, list[dict[str, Any]]]] = [("survey", survey)]
    if choices is not None:
        sheets.append(("choices", choices))
    if settings is not None:
        sheets.append(("settings", [settings]))
    for name, rows in sheets:
        header: list[str] = []
        for row in rows:
            header.extend(k for k in (row or {}) if k not in header)
        sheet = book.create_sheet(name)
        sheet.append(header)
        for row in rows:
            sheet.append([(row or {}).get(k) for k in header])
    for name, rows in (extra_sheets or {}).items():
        sheet = book.create_sheet(name)
        for values in rows:
            sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def commune_report() -> bytes:
    """A province's commune report in Vietnamese and English: a group, a condition, a
    constraint with its message, a calculate, a note, a choice with "other", and a repeat
    of the products proposed ("thêm nữa không?")."""
    survey = [
        {"type": "note", "name": "intro", VI: "Báo cáo OCOP của xã", EN: "Commune OCOP report"},
        {"type": "begin group", "name": "results", VI: "Kết quả", EN: "Results"},
        {
            "type": "integer",
            "name": "registered",
            "required": "yes",
            VI: "Số sản phẩm đăng ký",
            EN: "Products registered",
            "constraint": ". >= 0 and . <= 1000",
            "required_message::Tiếng Việt (vi)": "Anh/chị vui lòng nhập số sản phẩm đăng ký.",
            "required_message::English (en)": "Please give the number of products registered.",
            "constraint_message::Tiếng Việt (vi)": "Từ 0 đến 1000",
            "constraint_message::English (en)": "From 0 to 1000",
        },
        {
            "type": "integer",
            "name": "evaluated",
            "required": "yes",
            VI: "Số sản phẩm đã đánh giá",
            EN: "Products evaluated",
            "constraint": ". <= ${registered}",
            "default": "0",
            "constraint_message::Tiếng Việt (vi)": "Không lớn hơn số đăng ký",
            "constraint_message::English (en)": "No more than registered",
        },
        {
            "type": "integer",
            "name": "stars_4",
            "required": "yes",
            "relevant": "${evaluated} > 0",
            VI: "Số sản phẩm 4 sao",
            EN: "Products with 4 stars",
            "hint::Tiếng Việt (vi)": "Trong số đã đánh giá",
            "hint::English (en)": "Of those evaluated",
        },
        {
            "type": "calculate",
            "name": "not_evaluated",
            "calculation": "${registered} - ${evaluated}",
        },
        {"type": "end group"},
        {
            "type": "select_one support or_other",
            "name": "support",
            "required": "yes",
            VI: "Hỗ trợ cần nhất",
            EN: "Support most needed",
        },
        {"type": "begin repeat", "name": "product", VI: "sản phẩm đề xuất", EN: "proposed product"},
        {
            "type": "text",
            "name": "product_name",
            "required": "yes",
            VI: "Tên sản phẩm",
            EN: "Product name",
        },
        {
            "type": "decimal",
            "name": "price",
            "required": "no",
            VI: "Giá bán (nghìn đồng)",
            EN: "Price (thousand đồng)",
            "constraint": ". > 0",
        },
        {"type": "end repeat"},
        {
            "type": "date",
            "name": "report_date",
            "required": "yes",
            VI: "Ngày lập báo cáo",
            EN: "Report date",
            "constraint": ". <= today()",
        },
        {
            "type": "acknowledge",
            "name": "confirm",
            "required": "yes",
            VI: "Tôi xác nhận số liệu trên là đúng",
            EN: "I confirm these figures",
        },
    ]
    choices = [
        {"list_name": "support", "name": "packaging", VI: "Bao bì, nhãn mác", EN: "Packaging"},
        {"list_name": "support", "name": "capital", VI: "Vốn", EN: "Capital"},
        {"list_name": "support", "name": "market", VI: "Thị trường", EN: "Markets"},
    ]
    settings = {
        "form_title": "Báo cáo OCOP của xã (tỉnh)",
        "form_id": "bao_cao_xa_tinh",
        "version": "2026.1",
        "default_language": "Tiếng Việt (vi)",
    }
    return xlsform(survey, choices, settings)


def training_report() -> bytes:
    """A report whose second question is required only when the first is above zero
    (``required`` holds an expression, as in many public forms): the topics of the training
    courses, which cannot be skipped once a course was held."""
    survey = [
        {
            "type": "integer",
            "name": "courses",
            "required": "yes",
            VI: "Số lớp tập huấn đã tổ chức",
            EN: "Training courses held",
            "constraint": ". >= 0",
        },
        {
            "type": "text",
            "name": "topics",
            "required": "${courses} > 0",
            VI: "Chủ đề các lớp tập huấn",
            EN: "Topics of the courses",
            "required_message::Tiếng Việt (vi)": "Anh/chị vui lòng ghi chủ đề của các lớp đã tổ chức.",
            "required_message::English (en)": "Please give the topics of the courses held.",
        },
        {"type": "text", "name": "notes", "required": "no", VI: "Ghi chú", EN: "Notes"},
    ]
    settings = {
        "form_title": "Báo cáo tập huấn OCOP",
        "form_id": "bao_cao_tap_huan",
        "version": "1",
        "default_language": "Tiếng Việt (vi)",
    }
    return xlsform(survey, None, settings)


def monthly_training() -> bytes:
    """A monthly report whose title is written as a heading ("Tập huấn OCOP hằng tháng": no
    word naming the document, nothing for a period to follow) and a repeat whose label
    begins with a capital ("Lớp tập huấn"), as a province writes them in Excel."""
    survey = [
        {"type": "begin repeat", "name": "course", VI: "Lớp tập huấn", EN: "Training course"},
        {"type": "text", "name": "topic", "required": "yes", VI: "Chủ đề", EN: "Topic"},
        {"type": "end repeat"},
    ]
    settings = {
        "form_title": "Tập huấn OCOP hằng tháng",
        "form_id": "tap_huan_thang",
        "version": "1",
        "default_language": "Tiếng Việt (vi)",
    }
    return xlsform(survey, None, settings)

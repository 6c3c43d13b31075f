"""``forms check``: every supported type and column is read; anything else is refused with
its sheet, row, column and a reason, never ignored; real public forms either pass or are
refused for the reasons their sources say."""

from __future__ import annotations

import pytest

from forms.xlsform import check_workbook
from forms.xlsform.model import XGroup
from tests.forms.xlsform.workbooks import EN, SHARED, VI, commune_report, xlsform

CHOICES = [
    {"list_name": "yn", "name": "yes", "label": "Có"},
    {"list_name": "yn", "name": "no", "label": "Không"},
]


def problems_of(data: bytes, form_id: str | None = "t") -> list[str]:
    _, problems, _ = check_workbook(data, form_id)
    return [str(p) for p in problems]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("text", "text"),
        ("integer", "integer"),
        ("decimal", "decimal"),
        ("select_one yn", "select_one"),
        ("select_multiple yn", "select_multiple"),
        ("date", "date"),
        ("geopoint", "geopoint"),
        ("image", "image"),
        ("note", "note"),
        ("acknowledge", "acknowledge"),
    ],
)
def test_every_supported_type(kind: str, expected: str) -> None:
    form, problems, _ = check_workbook(
        xlsform([{"type": kind, "name": "q", "label": "Câu hỏi"}], CHOICES), "t"
    )
    assert problems == []
    assert form is not None and form.questions()[0].kind == expected


def test_every_supported_column() -> None:
    survey = [
        {
            "type": "integer",
            "name": "a",
            VI: "Số A",
            EN: "Number A",
            "hint::Tiếng Việt (vi)": "gợi ý",
            "hint::English (en)": "a hint",
            "required": "yes",
            "required_message::Tiếng Việt (vi)": "Bắt buộc",
            "constraint": ". > 0",
            "constraint_message::Tiếng Việt (vi)": "Lớn hơn 0",
            "default": "1",
        },
        {
            "type": "select_one yn",
            "name": "b",
            VI: "Chọn",
            "relevant": "${a} > 2",
            "required": "${a} > 3",
            "choice_filter": "name != 'no' or ${a} > 5",
        },
        {"type": "select_multiple yn or_other", "name": "o", VI: "Chọn nhiều"},
        {"type": "calculate", "name": "c", "calculation": "${a} * 2"},
        {"type": "begin group", "name": "g", VI: "Nhóm"},
        {"type": "text", "name": "d", VI: "Chữ"},
        {"type": "end group"},
        {"type": "begin repeat", "name": "r", VI: "Lặp"},
        {"type": "text", "name": "e", VI: "Tên"},
        {"type": "end repeat"},
    ]
    settings = {
        "form_title": "Thử",
        "form_id": "thu",
        "version": "3",
        "default_language": "Tiếng Việt (vi)",
    }
    form, problems, _ = check_workbook(xlsform(survey, CHOICES, settings))
    assert problems == []
    assert form is not None
    assert (form.form_id, form.version, form.default_language) == ("thu", "3", "vi")
    a, b, o, c, _d, e = form.questions()
    assert a.labels == {"vi": "Số A", "en": "Number A"} and a.hints["en"] == "a hint"
    assert a.required and a.required_message == {"vi": "Bắt buộc"} and a.default == "1"
    assert a.constraint == ". > 0" and a.constraint_message == {"vi": "Lớn hơn 0"}
    assert b.relevant == "${a} > 2" and b.choice_filter and o.or_other
    assert not b.required and b.required_if == "${a} > 3"
    assert c.calculation == "${a} * 2"
    group, repeat = form.items[4], form.items[5]
    assert isinstance(group, XGroup) and not group.repeat and group.labels == {"vi": "Nhóm"}
    assert isinstance(repeat, XGroup) and repeat.repeat and repeat.children[0] == e


def test_refusals_name_sheet_row_and_column() -> None:
    survey = [
        {"type": "text", "name": "a", "label": "A", "appearance": "multiline"},
        None,  # an empty row keeps the numbering of the sheet
        {"type": "time", "name": "b", "label": "B"},
        {"type": "start", "name": "c"},
        {"type": "integer", "name": "d", "label": "D", "relevant": "${zz} > 1"},
        {"type": "integer", "name": "e", "label": "E", "constraint": "pulldata('x', 'y')"},
        {"type": "select_one nolist", "name": "f", "label": "F"},
        {"type": "text", "name": "a", "label": "again"},
        {"type": "begin group", "name": "g", "label": "G"},
        {"type": "text", "name": "Upper", "label": "U", "required": "${zz} = 'x'"},
    ]
    settings = {"form_id": "t", "style": "pages"}
    found = problems_of(xlsform(survey, CHOICES, settings))
    assert found == [
        "survey, row 2, column D (appearance): the column 'appearance' is not supported "
        "(used in rows 2)",
        "survey, row 4, column A (type): the type 'time': times of day are not asked in the "
        "chat; use a text or a date",
        "survey, row 5, column A (type): the type 'start' is filled in by the phone in ODK; "
        "the chat has no such value",
        "survey, row 6, column E (relevant): ${zz} is not a question asked before this one",
        "survey, row 7, column F (constraint): the expression cannot be used: the function "
        "pulldata() is not supported (at 1)",
        "survey, row 8, column A (type): there is no choice list 'nolist'",
        "survey, row 9, column B (name): the name 'a' is also used in row 2",
        "survey, row 10, column A (type): the group 'g' is never closed (end group)",
        "survey, row 11, column B (name): the name 'Upper' must be 1 to 50 lower-case letters "
        "a-z, digits or _, starting with a letter",
        "survey, row 11, column G (required): ${zz} is not a question asked before this one",
        "settings, row 2, column B (style): the setting 'style' is not supported (supported: "
        "default_language, form_id, form_title, version)",
    ]


def test_a_workbook_that_is_not_one() -> None:
    (only,) = problems_of(b"not a workbook")
    assert only.startswith(": the file cannot be read as an .xlsx workbook")


def test_refused_sheets_and_a_missing_id() -> None:
    data = xlsform(
        [{"type": "text", "name": "a", "label": "A"}],
        extra_sheets={"external_choices": [["list_name", "name"], ["x", "y"]]},
    )
    found = problems_of(data, None)
    assert "external_choices: choices from an external file cannot be offered in a chat" in found
    assert any("the form id '' must be" in p and "--id" in p for p in found)


def test_the_vietnamese_commune_report() -> None:
    form, problems, _ = check_workbook(commune_report())
    assert problems == []
    assert form is not None and form.form_id == "bao_cao_xa_tinh"
    assert form.languages == ("en", "vi")


# -- real public forms (../shared/xlsforms, see SOURCES.md) -------------------------------

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/xlsforms is not here")


@needs_shared
@pytest.mark.parametrize(("name", "questions"), [("ona_cascading.xlsx", 2), ("ona_gps.xlsx", 1)])
def test_real_forms_that_run(name: str, questions: int) -> None:
    form, problems, _ = check_workbook(SHARED / name)
    assert problems == []
    assert form is not None and len(form.questions()) == questions


@needs_shared
@pytest.mark.parametrize(
    ("name", "reasons"),
    [
        ("pyxform_pull_data.xlsx", ["the function pulldata() is not supported"]),
        (
            "correlaid_testA_range.xlsx",
            [
                "the type 'range': a slider cannot be shown",
                "the column 'parameters'",
                "the setting 'id_string' is not supported",
            ],
        ),
        (
            "correlaid_all_types_survey.xlsx",
            [
                "the type 'audit' is filled in by the phone",
                "the type 'time'",
                "the type 'rank aspects': ranking cannot be done",
                "the type 'datetime'",
            ],
        ),
        (
            "correlaid_mitwirken_umfrage.xlsx",
            [
                "column C (appearance): the column 'appearance' is not supported",
                "the setting 'style' is not supported",
            ],
        ),
        (
            "hotosm_Emergency.xlsx",
            [
                "the type 'audio': voice recordings are not taken",
                "the type 'start' is filled",
                "the form id '2021-07-14 10:44:41.285000' must be",
            ],
        ),
        (
            "pyxform_UCL_Biomass_Plot_Form.xlsx",
            [
                "choices from a file cannot be offered",
                "the function sqrt() is not supported",
                "cannot read “‘other’”",
                "a repeat inside a repeat cannot be asked",
            ],
        ),
    ],
)
def test_real_forms_refused_with_reasons(name: str, reasons: list[str]) -> None:
    form, problems, _ = check_workbook(SHARED / name)
    assert form is None
    text = "\n".join(str(p) for p in problems)
    for reason in reasons:
        assert reason in text
    assert all(p.sheet for p in problems)

"""Answer readers: every accepted form, every rejection, and no crash on any input."""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forms import readers
from forms.readers import (
    MESSAGES,
    Ambiguous,
    Choice,
    NeedsConfirmation,
    Ok,
    Rejected,
    read_choice,
    read_choices,
    read_date,
    read_decimal,
    read_integer,
    read_phone,
    read_text,
    read_yes_no,
)

TODAY = date(2024, 6, 10)

LEGAL_FORMS = (
    Choice("enterprise", ("Doanh nghiệp", "Enterprise")),
    Choice("coop", ("Hợp tác xã", "Cooperative", "HTX")),
    Choice("team", ("Tổ hợp tác", "Cooperative group", "THT")),
    Choice("household", ("Hộ kinh doanh", "Household business")),
)
PRODUCT_GROUPS = (
    Choice("food", ("Thực phẩm", "Food")),
    Choice("drink", ("Đồ uống", "Drinks")),
    Choice("herbal", ("Dược liệu và sản phẩm từ dược liệu", "Herbal and medicinal products")),
    Choice("craft", ("Hàng thủ công mỹ nghệ", "Handicrafts")),
    Choice("ornamental", ("Sinh vật cảnh", "Ornamental plants and animals")),
    Choice(
        "tourism",
        (
            "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch",
            "Community and eco-tourism services",
        ),
    ),
)
STARS = (
    Choice("3", ("3 sao", "3 stars")),
    Choice("4", ("4 sao", "4 stars")),
    Choice("5", ("5 sao", "5 stars")),
)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def assert_well_formed(result: object) -> None:
    """A result of a known type; any message has all its placeholders filled."""
    assert isinstance(result, Ok | Rejected | NeedsConfirmation | Ambiguous)
    if isinstance(result, Rejected | NeedsConfirmation):
        assert result.message
        assert result.message in MESSAGES
        assert all(isinstance(v, str) for v in result.params.values())
        assert readers.placeholders(result.message) <= set(result.params)
        assert result.message.format(**result.params)
    if isinstance(result, Ambiguous):
        assert len(result.keys) >= 2


def assert_rejected(result: object, message: str) -> Rejected:
    assert isinstance(result, Rejected), result
    assert result.message == message
    assert result.params.get("example"), "every rejection shows an example"
    assert_well_formed(result)
    return result


# --------------------------------------------------------------------------- messages


def test_every_message_asks_for_something_and_every_rejection_shows_an_example() -> None:
    confirmations = {readers.MSG_CONFIRM_NUMBER, readers.MSG_CONFIRM_NUMBER_OR}
    assert len(set(MESSAGES)) == len(MESSAGES), "msgids are distinct"
    for message in MESSAGES:
        if message not in confirmations:
            assert "{example}" in message, message


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        (" 12 ", 12),
        ("1.500", 1500),
        ("1 234", 1234),
        ("1\u00a0234", 1234),
        ("12.000.000", 12_000_000),
        ("1,234,567", 1_234_567),
        ("2 triệu", 2_000_000),
        ("2 trieu", 2_000_000),
        ("2tr", 2_000_000),
        ("2TR", 2_000_000),
        ("500k", 500_000),
        ("3 nghìn", 3000),
        ("3 ngàn", 3000),
        ("2 tỷ", 2_000_000_000),
        ("2 ty", 2_000_000_000),
        ("1,5 triệu", 1_500_000),
        ("1.5tr", 1_500_000),
        ("2tr5", 2_500_000),
        ("2 triệu 500", 2_500_000),
        ("2 triệu 500 nghìn", 2_500_000),
        ("2 triệu 500.000", 2_500_000),
        ("2 triệu rưỡi", 2_500_000),
        ("1 tỷ 2", 1_200_000_000),
        ("5 trăm", 500),
        ("không", 0),
        ("0", 0),
        ("１２", 12),
        ("12.", 12),
        (nfd("2 triệu"), 2_000_000),
    ],
)
def test_integer_accepted(text: str, expected: int) -> None:
    result = read_integer(text)
    assert result == Ok(expected)
    assert type(result.value) is int


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,5", "1234.5"),
        ("1234.5", "1234.5"),
        ("1,5", "1.5"),
        ("1,25", "1.25"),
        ("0.5", "0.5"),
        ("0,500", "0.5"),
        ("1,234.5", "1234.5"),
        ("1.234.567,89", "1234567.89"),
        ("1 234,5", "1234.5"),
        ("1.500", "1500"),
        ("2,5 triệu", "2500000"),
        ("12", "12"),
        ("1.2345", "1.2345"),
    ],
)
def test_decimal_accepted(text: str, expected: str) -> None:
    result = read_decimal(text)
    assert result == Ok(Decimal(expected))
    assert isinstance(result.value, Decimal)


@pytest.mark.parametrize(
    ("text", "value", "alternative"),
    [
        ("1.5", "1.5", "15"),
        ("2.25", "2.25", "225"),
        ("1,500", "1.5", "1500"),
    ],
)
def test_decimal_ambiguous_needs_confirmation(text: str, value: str, alternative: str) -> None:
    result = read_decimal(text)
    assert isinstance(result, NeedsConfirmation)
    assert result.value == Decimal(value)
    assert result.alternative == Decimal(alternative)
    assert result.message == readers.MSG_CONFIRM_NUMBER_OR
    assert result.params == {"value": value, "alternative": alternative}
    assert_well_formed(result)


def test_decimal_bounds_settle_an_ambiguity() -> None:
    # 15 is out of range, so 1.5 is the only reading: no question needed.
    assert read_decimal("1.5", max_value=10) == Ok(Decimal("1.5"))
    # Only the unlikely reading fits: ask rather than store it silently.
    result = read_decimal("1.5", min_value=10)
    assert isinstance(result, NeedsConfirmation)
    assert (result.value, result.alternative) == (Decimal(15), None)
    assert result.message == readers.MSG_CONFIRM_NUMBER
    assert_well_formed(result)


def test_integer_comma_thousands_is_confirmed() -> None:
    result = read_integer("1,500")
    assert isinstance(result, NeedsConfirmation)
    assert (result.value, result.alternative) == (1500, None)
    assert type(result.value) is int
    assert result.params == {"value": "1500"}


@pytest.mark.parametrize("text", ["1.5", "1,5", "2.25", "0.5", "1234.5", "1.234,5", "1,5 kg"])
def test_integer_rejects_fractions(text: str) -> None:
    result = assert_rejected(read_integer(text, unit="kg"), readers.MSG_WHOLE_NUMBER)
    assert result.params["example"] == "12 kg"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "12 5",
        "1.2.3",
        "1,2,3",
        "10-12",
        "12abc",
        "🙂",
        "1..5",
        "tr",
        ",5",
        "2 tỷ 3 tỷ",
        "1" * 100,
        "½",
        "٣",
    ],
)
def test_number_rejections(text: str) -> None:
    assert_rejected(read_integer(text), readers.MSG_WHOLE_NUMBER)
    assert_rejected(read_decimal(text), readers.MSG_NUMBER)


def test_negative_numbers_need_a_negative_minimum() -> None:
    assert_rejected(read_integer("-5"), readers.MSG_NOT_NEGATIVE)
    assert_rejected(read_decimal("âm 5"), readers.MSG_NOT_NEGATIVE)
    assert_rejected(read_integer("-5", min_value=0), readers.MSG_NUMBER_TOO_SMALL)
    assert read_integer("-5", min_value=-10) == Ok(-5)
    assert read_integer("−5", min_value=-10) == Ok(-5)
    assert read_decimal("-1,5", min_value=-10) == Ok(Decimal("-1.5"))


def test_number_bounds_name_the_bound() -> None:
    small = assert_rejected(read_integer("5", min_value=10), readers.MSG_NUMBER_TOO_SMALL)
    assert small.params == {"min": "10", "example": "10"}
    large = assert_rejected(read_integer("50", max_value=10), readers.MSG_NUMBER_TOO_LARGE)
    assert large.params == {"max": "10", "example": "10"}
    large = assert_rejected(
        read_decimal("7", max_value=Decimal("5.5"), unit="tấn"), readers.MSG_NUMBER_TOO_LARGE
    )
    assert large.params == {"max": "5.5", "example": "5.5 tấn"}
    assert read_integer("10", min_value=10, max_value=10) == Ok(10)


def test_number_example_respects_bounds() -> None:
    result = assert_rejected(read_integer("abc", min_value=100), readers.MSG_WHOLE_NUMBER)
    assert result.params["example"] == "100"


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("1,5 tấn", "tấn", "1.5"),
        ("1,5 tan", "tấn", "1.5"),
        ("1,5 TẤN", "tấn", "1.5"),
        (nfd("1,5 tấn"), "tấn", "1.5"),
        ("1,5", "tấn", "1.5"),
        ("500kg", "tấn", "0.5"),
        ("3 tạ", "tấn", "0.3"),
        ("1,5 tấn", "kg", "1500"),
        ("500kg", "kg", "500"),
        ("500 kg", "kg", "500"),
        ("2 yến", "kg", "20"),
        ("3 tạ", "kg", "300"),
        ("1 tấn rưỡi", "kg", "1500"),
        ("250 g", "kg", "0.25"),
        ("2tr", "đồng", "2000000"),
        ("2 triệu đồng", "đồng", "2000000"),
        ("2.000.000đ", "đồng", "2000000"),
        ("2.000.000 VNĐ", "VND", "2000000"),
        ("500k", "VND", "500000"),
        ("500", "triệu đồng", "500"),
        ("500 triệu", "triệu đồng", "500"),
        ("2 tỷ", "triệu đồng", "2000"),
        ("2 triệu đồng", "triệu đồng", "2"),
        ("2 ha", "m2", "20000"),
        ("25 người", "người", "25"),
        ("25 nguoi", "người", "25"),
        ("50 tấn/năm", "tấn/năm", "50"),
        ("50 tấn", "tấn/năm", "50"),
        ("500 kg/năm", "tấn/năm", "0.5"),
    ],
)
def test_units(text: str, unit: str, expected: str) -> None:
    assert read_decimal(text, unit=unit) == Ok(Decimal(expected))


def test_units_on_integer_questions() -> None:
    assert read_integer("1,5 tấn", unit="kg") == Ok(1500)
    assert_rejected(read_integer("500kg", unit="tấn"), readers.MSG_WHOLE_NUMBER)


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("5 ha", "tấn"),
        ("5 kg", "đồng"),
        ("5 tấn", "người"),
        ("5 con", "người"),
        ("5 lít", "kg"),
        ("5 kg/tháng", "tấn/năm"),
    ],
)
def test_units_that_do_not_fit(text: str, unit: str) -> None:
    result = assert_rejected(read_decimal(text, unit=unit), readers.MSG_WRONG_UNIT)
    assert result.params["unit"] == unit
    assert result.params["example"].endswith(unit)


def test_unit_without_a_unit_question_is_not_a_number() -> None:
    assert_rejected(read_decimal("5 kg"), readers.MSG_NUMBER)


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15/3/2024", date(2024, 3, 15)),
        ("15-03-2024", date(2024, 3, 15)),
        ("15.03.2024", date(2024, 3, 15)),
        ("15 / 3 / 2024", date(2024, 3, 15)),
        ("15/3/24", date(2024, 3, 15)),
        ("15/3", date(2024, 3, 15)),
        ("15/03/2024.", date(2024, 3, 15)),
        ("１５/３/２０２４", date(2024, 3, 15)),
        ("2024-03-15", date(2024, 3, 15)),
        ("hôm nay", TODAY),
        ("hom nay", TODAY),
        ("Hôm nay", TODAY),
        (nfd("hôm nay"), TODAY),
        ("today", TODAY),
        ("hôm qua", date(2024, 6, 9)),
        ("hom qua", date(2024, 6, 9)),
        ("yesterday", date(2024, 6, 9)),
        ("hôm kia", date(2024, 6, 8)),
        ("ngày mai", date(2024, 6, 11)),
        ("ngày 15 tháng 3 năm 2024", date(2024, 3, 15)),
        ("ngay 15 thang 3 nam 2024", date(2024, 3, 15)),
        ("ngày 15 tháng 3", date(2024, 3, 15)),
        ("15 tháng 3 2024", date(2024, 3, 15)),
        ("ngày 15/3/2024", date(2024, 3, 15)),
        ("29/2/2024", date(2024, 2, 29)),
    ],
)
def test_date_accepted(text: str, expected: date) -> None:
    assert read_date(text, today=TODAY) == Ok(expected)


@pytest.mark.parametrize(
    "text", ["", "abc", "15", "15/3/202", "2024", "🙂", "1/2/3/4", "x" * 10_000]
)
def test_date_not_a_date(text: str) -> None:
    result = assert_rejected(read_date(text, today=TODAY), readers.MSG_DATE)
    assert result.params["example"] == "10/06/2024"


@pytest.mark.parametrize(
    "text", ["31/2/2024", "29/2/2023", "32/1", "0/1/2024", "15/13/2024", "15/3/1800", "2024-02-30"]
)
def test_date_does_not_exist(text: str) -> None:
    assert_rejected(read_date(text, today=TODAY), readers.MSG_DATE_INVALID)


def test_date_bounds() -> None:
    early = assert_rejected(
        read_date("1/1/2020", today=TODAY, min_date=date(2024, 1, 1)), readers.MSG_DATE_TOO_EARLY
    )
    assert early.params == {"min": "01/01/2024", "example": "01/01/2024"}
    late = assert_rejected(
        read_date("ngày mai", today=TODAY, max_date=TODAY), readers.MSG_DATE_TOO_LATE
    )
    assert late.params == {"max": "10/06/2024", "example": "10/06/2024"}
    inside = read_date("1/1/2024", today=TODAY, min_date=date(2024, 1, 1), max_date=TODAY)
    assert inside == Ok(date(2024, 1, 1))


def test_date_relative_at_the_edge_of_the_calendar() -> None:
    assert_rejected(read_date("hôm qua", today=date.min), readers.MSG_DATE_INVALID)
    assert_rejected(read_date("ngày mai", today=date.max), readers.MSG_DATE_INVALID)


def test_date_example_stays_within_bounds() -> None:
    result = read_date("abc", today=TODAY, max_date=date(2024, 1, 31))
    assert isinstance(result, Rejected)
    assert result.params["example"] == "31/01/2024"


# --------------------------------------------------------------------------- yes / no


@pytest.mark.parametrize(
    "text",
    [
        "có",
        "co",
        "Có",
        nfd("Có"),
        "yes",
        "YES",
        "y",
        "ok",
        "OK",
        "đồng ý",
        "dong y",
        "1",
        "dạ có",
        "có ạ",
        "có rồi",
        "vâng",
        "👍",
        "👍🏽",
        "✅",
        "có.",
    ],
)
def test_yes(text: str) -> None:
    assert read_yes_no(text) == Ok(True)


@pytest.mark.parametrize(
    "text",
    [
        "không",
        "khong",
        "Không",
        nfd("Không"),
        "ko",
        "k",
        "no",
        "n",
        "N",
        "0",
        "dạ không",
        "không ạ",
        "chưa",
        "không có",
        "👎",
    ],
)
def test_no(text: str) -> None:
    assert read_yes_no(text) == Ok(False)


@pytest.mark.parametrize("text", ["", "maybe", "có lẽ", "2", "🙂", "có không"])
def test_yes_no_rejected(text: str) -> None:
    assert_rejected(read_yes_no(text), readers.MSG_YES_NO)


# --------------------------------------------------------------------------- choices


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("1", "enterprise"),
        ("2", "coop"),
        (" 2. ", "coop"),
        ("số 2", "coop"),
        ("Hợp tác xã", "coop"),
        ("hop tac xa", "coop"),
        ("HỢP TÁC XÃ", "coop"),
        (nfd("Hợp tác xã"), "coop"),
        ("hoptacxa", "coop"),
        ("htx", "coop"),
        ("HTX", "coop"),
        ("tht", "team"),
        ("dn", "enterprise"),
        ("doanh", "enterprise"),
        ("hop tac", "coop"),
        ("cooperative", "coop"),
        ("household", "household"),
        ("kinh doanh", "household"),
    ],
)
def test_choice_accepted(text: str, key: str) -> None:
    assert read_choice(text, LEGAL_FORMS) == Ok(key)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("do uong", "drink"),
        ("thu cong", "craft"),
        ("du lich", "tourism"),
        ("food", "food"),
        ("3", "herbal"),
        ("sinh vat", "ornamental"),
    ],
)
def test_choice_product_groups(text: str, key: str) -> None:
    assert read_choice(text, PRODUCT_GROUPS) == Ok(key)


@pytest.mark.parametrize(
    ("text", "options", "keys"),
    [
        ("ho", LEGAL_FORMS, ("coop", "household")),
        ("coop", LEGAL_FORMS, ("coop", "team")),
        ("du", PRODUCT_GROUPS, ("drink", "herbal")),
        # "3" is the third option (5 sao) and also the label "3 sao".
        ("3", STARS, ("3", "5")),
    ],
)
def test_choice_ambiguous(text: str, options: tuple[Choice, ...], keys: tuple[str, ...]) -> None:
    assert read_choice(text, options) == Ambiguous(keys)


def test_choice_number_label_agreeing_with_position() -> None:
    assert read_choice("1", STARS) == Ok("3")
    assert read_choice("4 sao", STARS) == Ok("4")


@pytest.mark.parametrize("text", ["", "xyz", "🙂", "a", "hợp tác xã nông nghiệp"])
def test_choice_no_match(text: str) -> None:
    assert_rejected(read_choice(text, LEGAL_FORMS), readers.MSG_CHOICE)


@pytest.mark.parametrize("text", ["0", "9", "99999999"])
def test_choice_number_out_of_range(text: str) -> None:
    result = assert_rejected(read_choice(text, LEGAL_FORMS), readers.MSG_CHOICE_NUMBER)
    assert result.params["count"] == "4"


def test_choice_without_options() -> None:
    assert_rejected(read_choice("1", ()), readers.MSG_CHOICE)


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("1, 3", ("enterprise", "team")),
        ("1 3", ("enterprise", "team")),
        ("1,3", ("enterprise", "team")),
        ("1;3", ("enterprise", "team")),
        ("3, 1, 1", ("enterprise", "team")),
        ("1 và 3", ("enterprise", "team")),
        ("1 va 3", ("enterprise", "team")),
        ("1 and 3", ("enterprise", "team")),
        ("1\n3", ("enterprise", "team")),
        ("htx và dn", ("enterprise", "coop")),
        ("htx dn", ("enterprise", "coop")),
        ("hop tac xa, doanh nghiep", ("enterprise", "coop")),
        ("2", ("coop",)),
        ("không", ()),
    ],
)
def test_choices_accepted(text: str, keys: tuple[str, ...]) -> None:
    assert read_choices(text, LEGAL_FORMS) == Ok(keys)


def test_choices_label_containing_a_separator() -> None:
    herbal = "Dược liệu và sản phẩm từ dược liệu"
    assert read_choices(herbal, PRODUCT_GROUPS) == Ok(("herbal",))
    tourism = "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch"
    assert read_choices(tourism, PRODUCT_GROUPS) == Ok(("tourism",))
    assert read_choices("thực phẩm, đồ uống", PRODUCT_GROUPS) == Ok(("food", "drink"))


def test_choices_ambiguous_part() -> None:
    assert read_choices("ho, dn", LEGAL_FORMS) == Ambiguous(("coop", "household"))


def test_choices_rejections() -> None:
    unknown = assert_rejected(read_choices("1, xyz", LEGAL_FORMS), readers.MSG_CHOICE_UNKNOWN_PART)
    assert unknown.params["part"] == "xyz"
    out_of_range = assert_rejected(read_choices("1, 7", LEGAL_FORMS), readers.MSG_CHOICE_NUMBER)
    assert out_of_range.params["count"] == "4"
    assert_rejected(read_choices("", LEGAL_FORMS), readers.MSG_CHOICES)
    too_few = assert_rejected(
        read_choices("1", LEGAL_FORMS, min_count=2), readers.MSG_CHOICES_TOO_FEW
    )
    assert too_few.params == {"min": "2", "example": "1, 2"}
    assert_rejected(read_choices("không", LEGAL_FORMS, min_count=1), readers.MSG_CHOICES_TOO_FEW)
    too_many = assert_rejected(
        read_choices("1, 2, 3", LEGAL_FORMS, max_count=2), readers.MSG_CHOICES_TOO_MANY
    )
    assert too_many.params == {"max": "2", "example": "1, 2"}


# --------------------------------------------------------------------------- text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Mật ong bạc hà  ", "Mật ong bạc hà"),
        (nfd("Chè Shan tuyết"), unicodedata.normalize("NFC", "Chè Shan tuyết")),
        ("Thiếu vốn\r\nThiếu nhân lực", "Thiếu vốn\nThiếu nhân lực"),
        ("a\x00b", "ab"),
        ("12", "12"),
        ("Giỏ mây 🧺", "Giỏ mây 🧺"),
    ],
)
def test_text_accepted(text: str, expected: str) -> None:
    result = read_text(text)
    assert result == Ok(expected)
    assert unicodedata.is_normalized("NFC", result.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", readers.MSG_TEXT_EMPTY),
        ("   \n\t", readers.MSG_TEXT_EMPTY),
        ("\x00\x01", readers.MSG_TEXT_EMPTY),
        ("😀😀", readers.MSG_TEXT_NO_WORDS),
        ("!!! ...", readers.MSG_TEXT_NO_WORDS),
        ("a", readers.MSG_TEXT_TOO_SHORT),
        ("x" * 101, readers.MSG_TEXT_TOO_LONG),
    ],
)
def test_text_rejected(text: str, message: str) -> None:
    assert_rejected(read_text(text, min_length=2, max_length=100), message)


def test_text_length_counts_composed_characters() -> None:
    assert read_text(nfd("ầầầ"), max_length=3) == Ok("ầầầ")
    too_long = assert_rejected(read_text("x" * 11, max_length=10), readers.MSG_TEXT_TOO_LONG)
    assert too_long.params["length"] == "11"
    assert too_long.params["max"] == "10"


def test_text_pattern() -> None:
    kwargs = {"pattern": r"[0-9]{10}", "pattern_example": "0101234567"}
    assert read_text("0101234567", **kwargs) == Ok("0101234567")
    result = assert_rejected(read_text("01012", **kwargs), readers.MSG_TEXT_PATTERN)
    assert result.params["example"] == "0101234567"


def test_text_optional_and_custom_example() -> None:
    assert read_text("  ", min_length=0) == Ok("")
    result = assert_rejected(read_text("", example="Thiếu vốn"), readers.MSG_TEXT_EMPTY)
    assert result.params["example"] == "Thiếu vốn"


# --------------------------------------------------------------------------- phone


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0912 345 678", "+84912345678"),
        ("0912345678", "+84912345678"),
        ("0912.345.678", "+84912345678"),
        ("0912-345-678", "+84912345678"),
        ("+84912345678", "+84912345678"),
        ("+84 912 345 678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("0084912345678", "+84912345678"),
        ("(+84) 912-345-678", "+84912345678"),
        ("０９１２３４５６７８", "+84912345678"),
        ("024 3823 4567", "+842438234567"),
        ("(024) 3823 4567", "+842438234567"),
    ],
)
def test_phone_accepted(text: str, expected: str) -> None:
    assert read_phone(text) == Ok(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", readers.MSG_PHONE),
        ("abc", readers.MSG_PHONE),
        ("0912abc678", readers.MSG_PHONE),
        ("+-()", readers.MSG_PHONE),
        ("1" * 50, readers.MSG_PHONE),
        ("123", readers.MSG_PHONE_INVALID),
        ("01234567890", readers.MSG_PHONE_INVALID),
        ("0912 345 678 999", readers.MSG_PHONE_INVALID),
        ("+1 650 253 0000", readers.MSG_PHONE_NOT_VN),
        ("+33 1 42 68 53 00", readers.MSG_PHONE_NOT_VN),
    ],
)
def test_phone_rejected(text: str, message: str) -> None:
    result = assert_rejected(read_phone(text), message)
    assert result.params == {"example": "0912 345 678"}


# --------------------------------------------------------------------------- properties

# Arbitrary text, plus text built from the characters the parsers care about so that
# Hypothesis reaches deep into them rather than failing at the first character.
NUMBERISH = st.text(alphabet="0123456789.,  -+/kKtrieuyđàâăậtấnạgmhđồngVNDvàrưỡi%", max_size=30)
DATEISH = st.text(alphabet="0123456789/-. ngàyháăm", max_size=25)
ANY_TEXT = st.one_of(st.text(), NUMBERISH, DATEISH, st.text(max_size=2000))
NFD_TEXT = ANY_TEXT.map(nfd)
INPUTS = st.one_of(ANY_TEXT, NFD_TEXT)
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(
    text=INPUTS,
    low=st.none() | st.integers(-100, 100),
    unit=st.sampled_from([None, "kg", "tấn", "đồng", "triệu đồng", "người", "tấn/năm", "%"]),
)
def test_property_integer(text: str, low: int | None, unit: str | None) -> None:
    result = read_integer(
        text, min_value=low, max_value=None if low is None else low + 500, unit=unit
    )
    assert_well_formed(result)
    assert not isinstance(result, Ambiguous)
    if isinstance(result, Ok | NeedsConfirmation):
        assert type(result.value) is int


@PROPERTY
@given(text=INPUTS, unit=st.sampled_from([None, "kg", "tấn", "VND", "m2"]))
def test_property_decimal(text: str, unit: str | None) -> None:
    result = read_decimal(text, unit=unit)
    assert_well_formed(result)
    assert not isinstance(result, Ambiguous)
    if isinstance(result, Ok | NeedsConfirmation):
        assert isinstance(result.value, Decimal)
        assert result.value >= 0


@PROPERTY
@given(text=INPUTS, today=st.dates())
def test_property_date(text: str, today: date) -> None:
    result = read_date(text, today=today)
    assert_well_formed(result)
    assert isinstance(result, Ok | Rejected)


@PROPERTY
@given(text=INPUTS)
def test_property_yes_no(text: str) -> None:
    result = read_yes_no(text)
    assert_well_formed(result)
    assert isinstance(result, Ok | Rejected)


@PROPERTY
@given(text=INPUTS, options=st.sampled_from([LEGAL_FORMS, PRODUCT_GROUPS, STARS, ()]))
def test_property_choice(text: str, options: tuple[Choice, ...]) -> None:
    result = read_choice(text, options)
    assert_well_formed(result)
    keys = {option.key for option in options}
    if isinstance(result, Ok):
        assert result.value in keys
    if isinstance(result, Ambiguous):
        assert set(result.keys) <= keys


@PROPERTY
@given(
    text=st.one_of(INPUTS, st.text(alphabet="0123456789 ,;và", max_size=20)),
    options=st.sampled_from([LEGAL_FORMS, PRODUCT_GROUPS, STARS, ()]),
    min_count=st.integers(0, 3),
)
def test_property_choices(text: str, options: tuple[Choice, ...], min_count: int) -> None:
    result = read_choices(text, options, min_count=min_count, max_count=min_count + 1)
    assert_well_formed(result)
    if isinstance(result, Ok):
        order = [option.key for option in options]
        assert list(result.value) == sorted(set(result.value), key=order.index)
        assert min_count <= len(result.value) <= min_count + 1


@PROPERTY
@given(text=INPUTS, min_length=st.integers(0, 5))
def test_property_text(text: str, min_length: int) -> None:
    result = read_text(text, min_length=min_length, max_length=50)
    assert_well_formed(result)
    if isinstance(result, Ok):
        assert unicodedata.is_normalized("NFC", result.value)
        assert len(result.value) <= 50
        assert "\x00" not in result.value
        result.value.encode("utf-8")


@PROPERTY
@given(text=st.one_of(INPUTS, st.text(alphabet=string.digits + " +().-", max_size=25)))
def test_property_phone(text: str) -> None:
    result = read_phone(text)
    assert_well_formed(result)
    if isinstance(result, Ok):
        assert result.value.startswith("+84")
        assert read_phone(result.value) == result


@pytest.mark.parametrize(
    "reader",
    [
        lambda text: read_integer(text, unit="kg"),
        lambda text: read_decimal(text),
        lambda text: read_date(text, today=TODAY),
        read_yes_no,
        lambda text: read_choice(text, PRODUCT_GROUPS),
        lambda text: read_choices(text, PRODUCT_GROUPS),
        read_text,
        read_phone,
    ],
)
@pytest.mark.parametrize(
    "text",
    [
        "",
        "9" * 10_000,
        "1." * 5_000,
        "a" * 10_000,
        "\x00\x01\x1b[31m",
        "\ud800",
        "\u202e1234",
        "{example}",
        nfd("Hợp tác xã") * 500,
        "𝟏𝟐",
        "١٢",
    ],
)
def test_awkward_inputs_never_raise(reader: Callable[[str], object], text: str) -> None:
    assert_well_formed(reader(text))

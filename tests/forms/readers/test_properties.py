"""Every reader is total on any text (never raises, always a proper result), and the promises
of issue 13 hold whatever is typed: money is whole đồng, a count is a whole number within
its bounds, cleaning is idempotent. Hypothesis builds answers from the words the readers
care about, so that it reaches deep into them rather than failing at the first word."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from bot.text import clean
from forms.readers import (
    Ambiguous,
    NeedsConfirmation,
    Ok,
    Rejected,
    nouns,
    read_date,
    read_decimal,
    read_integer,
    read_phone,
    read_text,
    read_yes_no,
)
from forms.readers.words import digits_for_words, frame, words
from tests.forms.readers.common import INPUTS, PROPERTY, TODAY, assert_well_formed

LABELS = (
    "Số sản phẩm đã được đánh giá, phân hạng trong kỳ",
    "Số lượt người được tập huấn",
    "Số HTX, doanh nghiệp mới thành lập hoặc được củng cố",
    "Doanh thu trong tháng (đồng)",
    "Sản lượng mỗi năm (tấn)",
    "Tháng này có khó khăn, vướng mắc không?",
)
TOKENS = (
    "12", "1,5", "1.5", "1.500", "2tr5", "15", "0", "-3", "~", "+", ">", "/", "$", "khoảng",
    "tầm", "hơn", "trên", "trở lên", "dạ", "ạ", "nhé", "có", "không", "ko", "chưa", "k", "ừ",
    "sp", "sản phẩm", "lớp", "người", "ng", "htx", "cơ sở", "triệu", "tr", "tỷ", "k", "nghìn",
    "trăm", "chục", "củ", "rưỡi", "nửa", "đồng", "đ", "VNĐ", "tấn", "tạ", "kg", "kí", "t",
    "tháng", "năm", "mỗi", "một", "hai", "ba", "mười", "mươi", "lăm", "linh", "sao", "3 sao",
    "mùng", "ngày", "thg", "10:30", "10h", "15/3", "2024", "sđt", "0912345678", "+84", "👍",
    "\u200b", "\u00a0", ",", ".", "(", ")", "doanh thu", "sản lượng", "đô", "usd",
)  # fmt: skip
TYPED = st.lists(st.sampled_from(TOKENS), max_size=12).map(" ".join)
ANSWERS = st.one_of(INPUTS, TYPED)
LANGUAGES = st.sampled_from(["vi", "en", "xx", ""])


@PROPERTY
@given(text=ANSWERS, language=LANGUAGES)
def test_money_is_whole_dong_whatever_is_typed(text: str, language: str) -> None:
    result = read_decimal(text, min_value=0, max_value=10**12, unit="đồng", language=language)
    assert_well_formed(result)
    if isinstance(result, Ok):
        assert result.value == result.value.to_integral_value()
    if isinstance(result, NeedsConfirmation):
        for value in (result.value, result.alternative):
            assert value is None or value == value.to_integral_value()


@PROPERTY
@given(text=ANSWERS, label=st.sampled_from(LABELS), language=LANGUAGES)
def test_counts_are_whole_and_within_bounds(text: str, label: str, language: str) -> None:
    result = read_integer(text, min_value=0, max_value=10_000, label=label, language=language)
    assert_well_formed(result)
    assert not isinstance(result, Ambiguous)
    if isinstance(result, Ok | NeedsConfirmation):
        assert type(result.value) is int
        assert 0 <= result.value <= 10_000


@PROPERTY
@given(text=ANSWERS, label=st.sampled_from(LABELS), unit=st.sampled_from(["tấn", "kg", "tấn/năm"]))
def test_quantities_are_total(text: str, label: str, unit: str) -> None:
    result = read_decimal(text, min_value=0, max_value=10**6, unit=unit, label=(label, "x"))
    assert_well_formed(result)
    if isinstance(result, Ok):
        assert isinstance(result.value, Decimal) and 0 <= result.value <= 10**6


@PROPERTY
@given(text=ANSWERS, label=st.sampled_from((None, *LABELS)))
def test_yes_no_is_total(text: str, label: str | None) -> None:
    result = read_yes_no(text, label=label)
    assert_well_formed(result)
    assert isinstance(result, Ok | Rejected)


@PROPERTY
@given(text=ANSWERS, language=LANGUAGES)
def test_dates_phones_and_text_are_total(text: str, language: str) -> None:
    assert_well_formed(read_date(text, today=TODAY, min_date=TODAY, language=language))
    assert_well_formed(read_phone(text))
    assert_well_formed(read_text(text, max_length=20, language=language))


@PROPERTY
@given(text=ANSWERS, label=st.sampled_from(LABELS))
def test_the_words_around_an_answer_are_peeled_totally(text: str, label: str) -> None:
    question = nouns.context([label])
    tokens = words(text)
    framed = frame(tokens, question.words)
    assert len(framed.core) <= len(tokens)
    digits = digits_for_words(framed.core)
    assert len(digits) <= len(framed.core)
    assert isinstance(nouns.fit(digits, question), nouns.Fit)


@PROPERTY
@given(text=st.one_of(st.text(), TYPED))
def test_cleaning_is_idempotent_and_leaves_nothing_invisible(text: str) -> None:
    once = clean(text)
    assert clean(once) == once
    assert not any(ch in once for ch in "\u200b\u200c\u200d\u2060\ufeff\u00a0\u00ad\r")

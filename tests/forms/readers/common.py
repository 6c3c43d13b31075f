"""What the reader tests share: option lists, result checks and Hypothesis strategies."""

from __future__ import annotations

import unicodedata
from datetime import date

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from forms.readers import (
    MESSAGES,
    Ambiguous,
    Choice,
    NeedsConfirmation,
    Ok,
    Rejected,
    placeholders,
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
        assert placeholders(result.message) <= set(result.params)
        assert result.message.format(**result.params)
    if isinstance(result, Ambiguous):
        assert len(result.keys) >= 2


def assert_rejected(result: object, message: str) -> Rejected:
    assert isinstance(result, Rejected), result
    assert result.message == message
    assert result.params.get("example"), "every rejection shows an example"
    assert_well_formed(result)
    return result


# Arbitrary text, plus text built from the characters the parsers care about so that
# Hypothesis reaches deep into them rather than failing at the first character.
NUMBERISH = st.text(alphabet="0123456789.,  -+/kKtrieuyđàâăậtấnạgmhđồngVNDvàrưỡi%", max_size=30)
DATEISH = st.text(alphabet="0123456789/-. ngàyháăm", max_size=25)
ANY_TEXT = st.one_of(st.text(), NUMBERISH, DATEISH, st.text(max_size=2000))
NFD_TEXT = ANY_TEXT.map(nfd)
INPUTS = st.one_of(ANY_TEXT, NFD_TEXT)
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

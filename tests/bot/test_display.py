"""Names, phone numbers and report statuses are shown one way: in the chat, in /toi and in
the exported workbook (``bot/render.py``)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bot import render
from bot.i18n import Translator
from bot.render import display_name, display_phone, review_label
from storage.exports import columns
from storage.models import ReviewStatus
from storage.personal_data import mentions


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("nguyễn văn an", "Nguyễn Văn An"),
        ("NGUYỄN VĂN AN", "Nguyễn Văn An"),
        ("đặng thị ưng", "Đặng Thị Ưng"),
        ("Nguyễn Thị Hoa", "Nguyễn Thị Hoa"),
        ("nguyễn văn AN", "Nguyễn Văn AN"),  # mixed case: its capitals were meant
        ("h'hen niê", "H'Hen Niê"),  # Ê Đê names: each part capitalised
        ("y-moan ênuôl", "Y-Moan Ênuôl"),
        ("nguye\u0302\u0303n va\u0306n an", "Nguyễn Văn An"),  # typed decomposed (NFD)
        ("", ""),
    ],
)
def test_names_are_shown_capitalised(typed: str, shown: str) -> None:
    assert display_name(typed) == shown


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+84912345678", "0912 345 678"),
        ("+842438234567", "024 3823 4567"),
        ("+842633822888", "0263 3822 888"),
        ("not a phone", "not a phone"),  # shown as stored rather than lost
    ],
)
def test_phones_are_shown_one_way(stored: str, shown: str) -> None:
    assert display_phone(stored) == shown


def test_one_phone_helper_everywhere() -> None:
    from forms import engine
    from forms.readers import phone

    assert phone.display_phone is display_phone
    assert engine.display_phone is display_phone


def test_every_review_state_has_a_label() -> None:
    assert set(render.REVIEW_LABELS) == {None, *(status.value for status in ReviewStatus)}


@pytest.mark.parametrize("status", [None, *ReviewStatus])
def test_review_states_read_the_same_in_the_chat_and_in_excel(status: str | None) -> None:
    chat = review_label(Translator("vi"), status)
    assert columns.review_label(SimpleNamespace(review_status=status)) == chat
    assert chat in {"Chưa duyệt", "Cần bổ sung", "Đã duyệt"}
    assert review_label(Translator("en"), status) in {"Not reviewed", "Needs fixing", "Accepted"}


def test_timeliness_reads_the_same_in_the_chat_and_in_excel() -> None:
    vi = Translator("vi")
    assert (columns.ON_TIME, columns.LATE) == (vi.t(render.ON_TIME), vi.t(render.LATE))
    assert (columns.ON_TIME, columns.LATE) == ("Đúng hạn", "Trễ hạn")
    # The completeness sheet's states are the dashboard's: tests/storage/
    # test_export_completeness_states.py.


def test_the_export_shows_the_sender_as_the_chat_does() -> None:
    assert columns.sender_name("nguyễn văn an") == "Nguyễn Văn An"
    assert columns.sender_name(None) is None


def test_a_declined_consent_masks_the_name_as_typed_and_as_shown() -> None:
    """The summary before the consent question shows the name capitalised: masking it must
    find that spelling too, not only the one typed."""
    assert {"nguyễn văn an", "Nguyễn Văn An"} <= set(mentions("nguyễn văn an", None))

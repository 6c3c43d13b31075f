"""Choices: by number, label, initials or words; several at once; ambiguity."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forms.readers import Ambiguous, Choice, Ok, Rejected, read_choice, read_choices
from forms.readers.results import (
    MSG_CHOICE,
    MSG_CHOICE_NUMBER,
    MSG_CHOICE_UNKNOWN_PART,
    MSG_CHOICES,
    MSG_CHOICES_TOO_FEW,
    MSG_CHOICES_TOO_MANY,
)
from tests.forms.readers.common import (
    INPUTS,
    LEGAL_FORMS,
    PRODUCT_GROUPS,
    PROPERTY,
    STARS,
    assert_rejected,
    assert_well_formed,
    nfd,
)


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
        # Starts "Hợp tác xã", and is every word of "Tổ hợp tác" but the first: both fit.
        ("hop tac", LEGAL_FORMS, ("coop", "team")),
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


@pytest.mark.parametrize(
    "text",
    [
        "",
        "xyz",
        "🙂",
        "a",
        "htx hay dn",
        "không phải htx",
        # A label followed by more words is not that option: typed text is also read as
        # a button press, and "Tôi đồng ý một phần" must not press "Tôi đồng ý".
        "hợp tác xã nông nghiệp",
        "HTX nông nghiệp",
    ],
)
def test_choice_no_match(text: str) -> None:
    assert_rejected(read_choice(text, LEGAL_FORMS), MSG_CHOICE)


def test_a_button_is_not_pressed_by_a_longer_answer() -> None:
    consent = (Choice("yes", ("Tôi đồng ý",)), Choice("no", ("Không đồng ý",)))
    assert isinstance(read_choice("tôi đồng ý một phần", consent), Rejected)
    assert read_choice("dạ tôi đồng ý ạ", consent) == Ok("yes")
    assert read_choice("tôi không đồng ý", consent) == Ok("no")
    yes_no = (Choice("y", ("Có",)), Choice("n", ("Không",)))
    for text in ("có lẽ", "có thể", "không biết", "có không"):
        assert isinstance(read_choice(text, yes_no), Rejected), text


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("dạ chọn 2 ạ", "coop"),
        ("htx ạ", "coop"),
        ("phương án 4", "household"),
    ],
)
def test_choice_with_words_around_it(text: str, key: str) -> None:
    assert read_choice(text, LEGAL_FORMS) == Ok(key)


@pytest.mark.parametrize("text", ["0", "9", "99999999"])
def test_choice_number_out_of_range(text: str) -> None:
    result = assert_rejected(read_choice(text, LEGAL_FORMS), MSG_CHOICE_NUMBER)
    assert result.params["count"] == "4"


def test_choice_without_options() -> None:
    assert_rejected(read_choice("1", ()), MSG_CHOICE)


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
    unknown = assert_rejected(read_choices("1, xyz", LEGAL_FORMS), MSG_CHOICE_UNKNOWN_PART)
    assert unknown.params["part"] == "xyz"
    out_of_range = assert_rejected(read_choices("1, 7", LEGAL_FORMS), MSG_CHOICE_NUMBER)
    assert out_of_range.params["count"] == "4"
    assert_rejected(read_choices("", LEGAL_FORMS), MSG_CHOICES)
    too_few = assert_rejected(read_choices("1", LEGAL_FORMS, min_count=2), MSG_CHOICES_TOO_FEW)
    assert too_few.params == {"min": "2", "example": "1, 2"}
    assert_rejected(read_choices("không", LEGAL_FORMS, min_count=1), MSG_CHOICES_TOO_FEW)
    too_many = assert_rejected(
        read_choices("1, 2, 3", LEGAL_FORMS, max_count=2), MSG_CHOICES_TOO_MANY
    )
    assert too_many.params == {"max": "2", "example": "1, 2"}


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


# An option may declare the words an answer begins with (forms/definitions/product_idea.yaml):
# a legal form is typed as written on the papers.
PREFIXED = (
    Choice("coop", ("Hợp tác xã", "HTX"), prefixes=("htx", "hop tac xa")),
    Choice("enterprise", ("Doanh nghiệp",), prefixes=("doanh nghiep", "cong ty", "cty")),
    Choice("team", ("Tổ hợp tác",), prefixes=("to hop tac",)),
    Choice("household", ("Hộ kinh doanh",), prefixes=("ho kinh doanh",)),
)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("HTX nông nghiệp", "coop"),
        ("hợp tác xã dịch vụ nông nghiệp Tân Phú", "coop"),
        ("công ty tnhh", "enterprise"),
        ("Công ty cổ phần chè Tân Cương", "enterprise"),
        ("cty TNHH", "enterprise"),
        ("doanh nghiệp tư nhân", "enterprise"),
        ("dạ hộ kinh doanh cá thể ạ", "household"),
        ("tổ hợp tác sản xuất chè", "team"),
        ("htx", "coop"),
    ],
)
def test_choice_by_a_declared_prefix(text: str, key: str) -> None:
    assert read_choice(text, PREFIXED) == Ok(key)


@pytest.mark.parametrize(
    "text", ["htx hay công ty", "công ty chưa thành lập", "không phải htx", "trang trại", "ctyx"]
)
def test_choice_by_a_prefix_needs_a_decided_answer(text: str) -> None:
    assert isinstance(read_choice(text, PREFIXED), Rejected), text


@pytest.mark.parametrize(
    "text", ["ko co", "k co", "không có", "không có ạ", "chưa có", "chưa có gì", "không có gì"]
)
def test_choices_none_said_as_a_no(text: str) -> None:
    """At an optional question, every common way to say "none" (the yes/no reader's no)."""
    assert read_choices(text, LEGAL_FORMS) == Ok(())


@pytest.mark.parametrize("text", ["tất cả", "tat ca", "chọn tất cả", "hết", "all"])
def test_choices_all(text: str) -> None:
    every = tuple(c.key for c in LEGAL_FORMS)
    assert read_choices(text, LEGAL_FORMS, everything=True) == Ok(every)


def test_choices_all_only_when_all_may_be_chosen() -> None:
    """Only where the question says "all" can only mean every option, and no maximum
    forbids it; elsewhere "tất cả" is refused, never guessed."""
    assert isinstance(read_choices("tất cả", LEGAL_FORMS), Rejected)
    assert isinstance(read_choices("tất cả", LEGAL_FORMS, max_count=2, everything=True), Rejected)


def test_choices_none_is_not_a_label_that_begins_with_no() -> None:
    """An option whose label is itself a no ("Không") is that option, not none."""
    options = (Choice("yes", ("Có",)), Choice("no", ("Không",)))
    assert read_choices("không", options) == Ok(())  # as before: the none word
    options = (Choice("a", ("Chưa có chứng nhận",)), Choice("b", ("VietGAP",)))
    assert read_choices("chưa có chứng nhận", options) == Ok(("a",))


def test_product_idea_options_as_people_name_them() -> None:
    """The form file's aliases and prefixes: "attp", "liên hiệp HTX …"."""
    from forms.engine import choices
    from forms.schema import load_forms

    form = load_forms()["product_idea"]
    certifications = choices(form.question("certifications"))
    assert read_choices("attp", certifications) == Ok(("food_safety",))
    assert read_choices("vietgap, attp", certifications) == Ok(("vietgap", "food_safety"))
    legal = choices(form.question("legal_form"))
    assert read_choice("liên hiệp htx", legal) == Ok("cooperative")
    assert read_choice("Liên hiệp hợp tác xã chè Thái Nguyên", legal) == Ok("cooperative")

"""ID numbers as officials type them and as Excel damages them."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from fulian.core.idnumber import IdNumber, check_digit, parse_id_number

TODAY = datetime.date(2026, 6, 1)


def make(first17: str) -> str:
    """A valid ID number from its first 17 digits."""
    return first17 + check_digit(first17)


def error_code(raw: object) -> str:
    with pytest.raises(ValidationError) as caught:
        parse_id_number(raw, today=TODAY)
    assert caught.value.messages[0]  # every error explains itself
    return str(caught.value.code)


def test_check_digit_follows_gb_11643() -> None:
    # The standard's own worked example.
    assert check_digit("11010519491231002") == "X"
    assert check_digit("43022319900101123") == "5"
    with pytest.raises(ValueError, match="17 ASCII digits"):
        check_digit("4302231990010112")


def test_a_valid_number_tells_area_birth_date_and_gender() -> None:
    assert parse_id_number("430223199001011235", today=TODAY) == IdNumber(
        value="430223199001011235",
        area="430223",
        birth_date=datetime.date(1990, 1, 1),
        gender="M",  # 17th digit 3 is odd
    )
    assert parse_id_number(make("43022319850315002"), today=TODAY).gender == "F"


def test_x_check_digit_is_accepted_in_any_case_and_width() -> None:
    assert make("11010519491231002").endswith("X")
    for typed in ("11010519491231002X", "11010519491231002x", "11010519491231002Ｘ"):
        assert parse_id_number(typed, today=TODAY).value == "11010519491231002X"


def test_spaces_full_width_digits_and_a_leading_apostrophe_are_tidied() -> None:
    assert parse_id_number(" 430223 19900101 1235\u3000", today=TODAY).value == "430223199001011235"
    assert parse_id_number("４３０２２３１９９００１０１１２３５", today=TODAY).value == "430223199001011235"
    assert parse_id_number("'430223199001011235", today=TODAY).value == "430223199001011235"


def test_a_15_digit_number_becomes_its_18_digit_form() -> None:
    parsed = parse_id_number("430223900101123", today=TODAY)
    assert parsed.value == "430223199001011235"
    assert parsed.birth_date == datetime.date(1990, 1, 1)
    # A numeric cell holding a 15-digit number is exact, so it is read too.
    assert parse_id_number(430223900101123.0, today=TODAY).value == "430223199001011235"
    assert parse_id_number(430223900101123, today=TODAY).value == "430223199001011235"


def test_scientific_notation_text_is_reported_as_excels_doing() -> None:
    for text in ("4.30223E+17", "4.30223e17", "4.30223199001011E+17"):
        assert error_code(text) == "excel_scientific"
    with pytest.raises(ValidationError) as caught:
        parse_id_number("4.30223E+17", today=TODAY)
    assert "scientific notation (4.30223E+17)" in caught.value.messages[0]
    assert "Text" in caught.value.messages[0]


def test_numbers_excel_rounded_to_15_digits_are_reported_as_truncated() -> None:
    assert error_code(4.30223199001011e17) == "excel_truncated"
    assert error_code(430223199001011000) == "excel_truncated"
    assert error_code("430223199001011000") == "excel_truncated"  # pasted from Excel's display
    with pytest.raises(ValidationError) as caught:
        parse_id_number(4.30223199001011e17, today=TODAY)
    assert "15 significant digits" in caught.value.messages[0]


def test_a_number_ending_in_000_with_a_correct_check_digit_is_valid() -> None:
    # 0 is the right check digit for some numbers ending in 00: those are real.
    assert check_digit("43022319900101200") == "0"
    assert parse_id_number("430223199001012000", today=TODAY).value == "430223199001012000"


def test_wrong_length_or_characters() -> None:
    assert error_code("43022319900101123") == "length"
    assert error_code("4302231990010112356") == "length"
    assert error_code("") == "length"
    assert error_code(None) == "length"
    assert error_code("43022319900101123A") == "length"
    assert error_code("4302231990O1011236") == "length"  # letter O for zero
    with pytest.raises(ValidationError) as caught:
        parse_id_number("43022319900101123", today=TODAY)
    assert "this one has 17" in caught.value.messages[0]


def test_a_mistyped_digit_fails_the_check_digit_without_revealing_it() -> None:
    assert make("43022319900101003") == "43022319900101003X"
    with pytest.raises(ValidationError) as caught:
        parse_id_number("430223199001010031", today=TODAY)
    assert caught.value.code == "check_digit"
    assert "X" not in caught.value.messages[0]
    assert error_code("430223199001011253") == "check_digit"  # two digits swapped


def test_impossible_future_and_too_old_birth_dates() -> None:
    assert error_code(make("43022319901301123")) == "birth_date"  # month 13
    assert error_code(make("43022319900230123")) == "birth_date"  # 30 February
    assert error_code(make("43022320260602123")) == "birth_date"  # tomorrow
    assert error_code(make("43022318991231123")) == "birth_date"
    assert parse_id_number(make("43022320260601123"), today=TODAY).birth_date == TODAY
    with pytest.raises(ValidationError) as caught:
        parse_id_number(make("43022319901301123"), today=TODAY)
    assert "19901301" in caught.value.messages[0]


def test_the_first_two_digits_must_be_a_province() -> None:
    assert error_code(make("10022319900101123")) == "area"
    assert error_code(make("99022319900101123")) == "area"
    for province in ("11", "46", "65", "71", "81", "82", "83", "91"):
        assert parse_id_number(make(f"{province}022319900101123"), today=TODAY).area == f"{province}0223"


def test_today_defaults_to_the_local_date() -> None:
    assert parse_id_number("430223199001011235").birth_date == datetime.date(1990, 1, 1)
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    with pytest.raises(ValidationError):
        parse_id_number(make(f"430223{tomorrow:%Y%m%d}123"))

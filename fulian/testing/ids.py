"""Valid made-up ID numbers for tests, from a division code, a birth date and a gender."""

from fulian.core.idnumber import check_digit


def id_number(area: str = "430223", birth: str = "19800101", gender: str = "F", seq: str = "12") -> str:
    """``id_number("430225", "19750302", "F")`` → an 18-character number with a valid check digit."""
    sex = "2" if gender == "F" else "1"
    first17 = f"{area}{birth}{seq}{sex}"
    return first17 + check_digit(first17)

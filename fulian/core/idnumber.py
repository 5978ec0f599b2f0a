"""Mainland resident ID numbers (居民身份证号码, GB 11643-1999).

An ID number is 18 characters: a 6-digit administrative division code (where it was first
issued), the birth date as YYYYMMDD, a 3-digit sequence number (odd for men, even for women)
and a check digit (0-9 or X) computed over the first 17. Numbers issued before 1999 had 15
digits (a 2-digit year, no check digit); they are still found in old rosters and are read as
their 18-digit form.

Most bad ID numbers in an upload were damaged by Excel, not mistyped: a column left as
"General" turns ``430223199001011236`` into ``4.30223E+17`` on screen and keeps only 15
significant digits (``430223199001011000``) in the file. Those get their own error codes so
the message can say how to repair the file rather than "invalid".
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from operator import mul

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

# Weight of position i (0-based) is 2**(17 - i) mod 11; the remainder of the weighted sum
# picks the check character.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"
PROVINCE_CODES = frozenset(
    {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37"}
    | {"41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"}
    | {"71", "81", "82", "83", "91"}
)
# ASCII digits only: ``\d`` would also accept Arabic-Indic and other Unicode digits.
_ID18_RE = re.compile(r"[0-9]{17}[0-9X]")
_ID15_RE = re.compile(r"[0-9]{15}")
# What Excel shows, and what a CSV saved from Excel holds, once it has turned the number
# into a float: 4.30223E+17, 4.30223199001011e17.
_SCIENTIFIC_RE = re.compile(r"[0-9](?:\.[0-9]+)?E\+?[0-9]{1,2}")
_WHITESPACE_RE = re.compile(r"\s+")
# A spreadsheet keeps 15 significant digits of a number; an 18-digit ID number held as a
# number has lost its last digits (and a float cannot even hold 17 digits exactly).
_PRECISION_LOST_AT = 10**16


@dataclass(frozen=True)
class IdNumber:
    """A valid ID number and what it says about its holder."""

    value: str  # 18 characters, a final "X" in upper case
    area: str  # the first 6 digits
    birth_date: datetime.date
    gender: str  # "F" or "M"


def check_digit(first17: str) -> str:
    """The GB 11643 check character ("0"-"9" or "X") for the first 17 digits of an ID number."""
    if not (len(first17) == 17 and first17.isascii() and first17.isdigit()):
        raise ValueError(f"expected 17 ASCII digits, got {first17!r}")
    total = sum(map(mul, map(int, first17), _WEIGHTS))
    return _CHECK_CHARACTERS[total % 11]


def parse_id_number(raw: object, *, today: datetime.date | None = None) -> IdNumber:
    """Read an ID number as typed or as a spreadsheet cell holds it, or explain what is wrong.

    Accepts text (spaces, full-width digits and a lower-case or full-width x are tidied), and
    the int or float a numeric spreadsheet cell gives. A 15-digit number is converted to 18
    digits. Raises ValidationError with one of the codes ``excel_scientific``,
    ``excel_truncated``, ``length``, ``area``, ``birth_date``, ``check_digit``; ``today``
    (default: today's local date) bounds the birth date.
    """
    text = _as_text(raw)

    if _SCIENTIFIC_RE.fullmatch(text):
        raise ValidationError(
            _(
                "Excel has turned this ID number into a number in scientific notation (%(value)s), "
                "which has lost its last digits. Set the ID number column to Text "
                "(Format Cells → Text) and type the ID numbers again."
            ),
            code="excel_scientific",
            params={"value": text},
        )

    if _ID15_RE.fullmatch(text):
        first17 = f"{text[:6]}19{text[6:]}"
        value = first17 + check_digit(first17)
    elif _ID18_RE.fullmatch(text):
        value = text
    elif text and len(text) in (15, 18):
        raise ValidationError(
            _("An ID number may contain only digits and, as its last character, the letter X."),
            code="length",
        )
    else:
        raise ValidationError(
            _(
                "An ID number has 18 characters (17 digits and a final digit or X); "
                "this one has %(count)d. Check for missing or extra digits."
            ),
            code="length",
            params={"count": len(text)},
        )

    check_ok = check_digit(value[:17]) == value[17]
    if not check_ok and value.endswith("000"):
        # A real ID number can end in 000 only if 0 happens to be its check digit.
        raise _truncated()

    _check_area(value)
    birth_date = _check_birth_date(value, today or timezone.localdate())

    if not check_ok:
        raise ValidationError(
            _(
                "The last character of this ID number does not match the other 17 (GB 11643 check "
                "digit). Check the number for a mistyped or swapped digit."
            ),
            code="check_digit",
        )
    return IdNumber(
        value=value,
        area=value[:6],
        birth_date=birth_date,
        gender="M" if int(value[16]) % 2 else "F",
    )


def _as_text(raw: object) -> str:
    """The candidate ID number as text, or a ValidationError for a number Excel has damaged."""
    if isinstance(raw, bool) or raw is None:
        return ""
    if isinstance(raw, int | float):
        if raw != raw or raw in (float("inf"), float("-inf")):  # NaN, infinities
            return ""
        if abs(raw) >= _PRECISION_LOST_AT:
            raise _truncated()
        if isinstance(raw, float):
            if not raw.is_integer():
                return repr(raw)
            raw = int(raw)
        return str(raw)
    # NFKC turns full-width digits and Ｘ into ASCII.
    text = unicodedata.normalize("NFKC", str(raw))
    text = _WHITESPACE_RE.sub("", text).upper()
    # A leading apostrophe is how Excel users force text; it comes through in copied cells.
    return text.removeprefix("'")


def _truncated() -> ValidationError:
    return ValidationError(
        _(
            "Excel has stored this ID number as a number, which keeps only 15 significant digits, "
            "so its last digits became 000. Set the ID number column to Text "
            "(Format Cells → Text) and type the ID numbers again."
        ),
        code="excel_truncated",
    )


def _check_area(value: str) -> None:
    if value[:2] not in PROVINCE_CODES:
        raise ValidationError(
            _(
                "The first 6 digits of this ID number (%(area)s) are not a division code: "
                "%(province)s is not a province code. Check the first digits for a typo."
            ),
            code="area",
            params={"area": value[:6], "province": value[:2]},
        )


def _check_birth_date(value: str, today: datetime.date) -> datetime.date:
    digits = value[6:14]
    try:
        birth_date = datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        birth_date = None
    if birth_date is None or not datetime.date(1900, 1, 1) <= birth_date <= today:
        raise ValidationError(
            _(
                "Digits 7 to 14 of an ID number are the birth date (YYYYMMDD); "
                "%(digits)s is not a possible birth date. Check those digits for a typo."
            ),
            code="birth_date",
            params={"digits": digits},
        )
    return birth_date

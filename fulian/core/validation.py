"""Checks shared by the forms, the API and the spreadsheet imports of people and households,
so that one rule gives one message wherever the value was typed."""

from __future__ import annotations

import datetime
import re
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fulian.core.idnumber import parse_id_number
from fulian.core.personal import normalise_mobile, validate_mobile
from fulian.core.pinyin import fit_keys, search_keys

KEYS_MAX_LENGTH = 400

# Typed text is printable: no control character (C0, DEL, C1) and no lone surrogate half. A
# multi-line field (notes) keeps tabs and line breaks; any other field refuses them too.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_MULTILINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _refuse(pattern: re.Pattern[str], value: Any) -> None:
    found = pattern.search(value) if isinstance(value, str) else None
    if found is not None:
        raise ValidationError(
            _("Remove the control character U+%(code)04X: only printable text is accepted here."),
            code="control_character",
            params={"code": ord(found.group())},
        )


def single_line_text(value: Any) -> None:
    """A validator for one line of typed text (a name, an address, a reason)."""
    _refuse(_CONTROL, value)


def multiline_text(value: Any) -> None:
    """A validator for text of several lines (notes): tabs and line breaks allowed."""
    _refuse(_CONTROL_MULTILINE, value)


class Problems:
    """Field → errors, collected so that every problem of a record is reported at once. Each
    keeps its code and params (``message`` is the template they fill), so that an import can
    store the problem as a code and put it into words in its reader's language."""

    def __init__(self) -> None:
        self.errors: dict[str, list[ValidationError]] = {}

    def add(self, field: str, message: str, *, code: str | None = None, params: dict[str, Any] | None = None) -> None:
        self.add_error(field, ValidationError(message, code=code, params=params))

    def add_error(self, field: str, error: ValidationError) -> None:
        self.errors.setdefault(field, []).extend(error.error_list)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def clean_identity(
    values: dict[str, Any],
    problems: Problems,
    *,
    id_field: str = "id_number",
    today: datetime.date | None = None,
) -> None:
    """Normalise the ID number, and derive the birth date and gender from it; a birth date or
    gender that contradicts the ID number is a problem on that field (it is one or the other)."""
    raw = values.get(id_field)
    if raw in (None, ""):
        values[id_field] = ""
        return
    try:
        parsed = parse_id_number(raw, today=today)
    except ValidationError as e:
        problems.add_error(id_field, e)
        return
    values[id_field] = parsed.value
    birth = values.get("birth_date")
    if birth and birth != parsed.birth_date:
        problems.add(
            "birth_date",
            _("The date of birth %(given)s contradicts the ID number, which says %(derived)s."),
            code="birth_date_contradicts_id",
            params={"given": birth, "derived": parsed.birth_date},
        )
    values["birth_date"] = parsed.birth_date
    gender = values.get("gender")
    if gender and gender != parsed.gender:
        problems.add(
            "gender", _("The gender contradicts the ID number (its 17th digit)."), code="gender_contradicts_id"
        )
    values["gender"] = parsed.gender


def clean_mobile(values: dict[str, Any], problems: Problems, *, field: str = "mobile") -> None:
    raw = values.get(field)
    if raw in (None, ""):
        values[field] = ""
        return
    try:
        validate_mobile(str(raw))
    except ValidationError as e:
        problems.add_error(field, e)
        return
    values[field] = normalise_mobile(str(raw))


@lru_cache(maxsize=100_000)
def name_keys(name: str) -> str:
    """The pinyin search keys of a name, cut to whole variants that fit the column (cached:
    names repeat, and an import of a county computes tens of thousands)."""
    # The leading space stays: ``LIKE '% zth%'`` finds the first variant from its start too.
    return " " + fit_keys(search_keys(name).lstrip(), KEYS_MAX_LENGTH - 1)

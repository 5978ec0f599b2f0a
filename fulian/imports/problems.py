"""What an import found wrong, kept as a code and its values and put into words when read.

A preview is checked in the background, in the uploader's language, and read later by whoever
opens it (another member of staff, in English or Chinese; the API). So a problem is stored as
``{"code": "mobile_digits", "params": {"value": "1380733000", "digits": 10}}`` and
:func:`render` turns it into the reader's language with the template :data:`MESSAGES` holds for
its code. Every template names the value the row holds (``value``, the cell as written, cut to
:data:`VALUE_CHARS` characters; an ID number masked). Reports stored before codes existed keep
their ``message``: it is shown as it was written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fulian.core.personal import mask_id_number, normalise_mobile
from fulian.core.spreadsheets.base import error_text
from fulian.orgs.choices import Level
from fulian.people.choices import PostKind

# A cell quoted in a message: enough to find it in the file, never a paragraph.
VALUE_CHARS = 40
# Columns whose cells are shown masked in a message: the preview is read by others than the
# uploader, later. A phone number that is wrong is shown as typed (it reaches nobody).
MASKED_FIELDS = frozenset({"id_number"})
# A message a check gave only as text, in the checker's language (shown as it is).
TEXT = "text"
_SCIENTIFIC = re.compile(r"[0-9.]+E\+?[0-9]+", re.IGNORECASE)


MESSAGES: dict[str, Promise] = {
    # The same record twice in one file.
    "duplicate_id": _("%(value)s has the same ID number as row %(row)s of this file."),
    "duplicate_name": _("%(value)s is also in row %(row)s of this file, with the same place and phone."),
    "duplicate_chair": _("%(value)s is a second chair of the same federation: row %(row)s names its chair already."),
    # The cells of a row.
    "name_required": _("The name is empty."),
    "name_too_long": _("The name “%(value)s” is too long: a name has at most %(n)s characters."),
    "control_character": _(
        "“%(value)s” holds the control character U+%(code)s: remove it, only printable text is accepted."
    ),
    "choice_unknown": _("“%(value)s” is not one of: %(known)s."),
    "date_invalid": _("“%(value)s” is not a date; write it as 1975-03-02."),
    "date_future": _("The date %(value)s is in the future."),
    "mobile_digits": _(
        "The phone number “%(value)s” has %(digits)s digits; a mainland mobile number has 11, such as 13812345678."
    ),
    "mobile_invalid": _(
        "“%(value)s” is not a mainland mobile number: it has 11 digits and starts with 13 to 19, such as 13812345678."
    ),
    "id_excel_scientific": _(
        "Excel has turned the ID number into a number in scientific notation (“%(value)s”), which has lost its "
        "last digits. Set the ID number column to Text (Format Cells → Text) and type the ID numbers again."
    ),
    "id_excel_truncated": _(
        "Excel has stored the ID number %(value)s as a number, which keeps only 15 significant digits, so its "
        "last digits became 000. Set the ID number column to Text (Format Cells → Text) and type the ID numbers "
        "again."
    ),
    "id_characters": _("The ID number “%(value)s” may contain only digits and, as its last character, the letter X."),
    "id_length": _(
        "The ID number “%(value)s” has %(count)s characters; an ID number has 18 (17 digits and a final digit "
        "or X). Check for missing or extra digits."
    ),
    "id_area": _(
        "The ID number %(value)s does not start with a division code: %(province)s is not a province code. "
        "Check the first digits for a typo."
    ),
    "id_birth_date": _(
        "The ID number %(value)s does not hold a possible birth date in digits 7 to 14 (%(digits)s). Check those "
        "digits for a typo."
    ),
    "id_check_digit": _(
        "The last character of the ID number %(value)s does not match the other 17 (GB 11643 check digit). "
        "Check the number for a mistyped or swapped digit."
    ),
    "birth_date_contradicts_id": _("The date of birth %(value)s contradicts the ID number, which says %(derived)s."),
    "gender_contradicts_id": _("The gender “%(value)s” contradicts the ID number (its 17th digit)."),
    "members_not_number": _("“%(value)s” is not a number of people: write a whole number, such as 4."),
    "members_range": _("%(value)s people: enter a whole number of people from 1 to %(n)s."),
    "category_unknown": _("Unknown category “%(value)s”; use %(known)s."),
    "formula_uncalculated": _(
        "Cell %(cell)s holds a formula whose result was never calculated (the file was made by a program, not "
        "saved by Excel or WPS). Open the file in Excel or WPS, save it and upload it again."
    ),
    # Places.
    "place_required": _("The %(level)s is empty: enter it."),
    "place_no_code": _("No %(level)s with code %(value)s in %(org)s."),
    "place_no_name": _("No %(level)s named “%(value)s” in %(org)s."),
    "place_ambiguous": _("%(count)s places are named “%(value)s” in %(org)s: add a township column, or give the code."),
    "org_not_found": _("No organisation named “%(value)s” in %(org)s."),
    "group_ambiguous": _(
        "%(village)s has several groups numbered %(number)s (%(names)s): give the group's code instead of “%(value)s”."
    ),
    "group_no_code": _("%(village)s has no group with code %(value)s."),
    "group_not_allowed": _(
        "%(village)s has no group “%(value)s”, and you may not add groups there: ask whoever manages the "
        "organisations of %(village)s to add it, or leave the cell empty."
    ),
    "group_name_too_long": _("The group's name “%(value)s” is too long (at most %(n)s characters)."),
    # Against what is stored.
    "person_on_roster": _("A person with the ID number %(value)s is already on the roster."),
    "person_archived": _("A person with the ID number %(value)s is in the archive: restore her record instead."),
    "person_same_name": _("%(value)s is already on the roster of %(org)s."),
    "chair_taken": _(
        "%(org)s already has a chair in term %(term)s: %(holder)s. End her post or open the next term (change-over) "
        "on the roster of %(org)s, then upload the file again."
    ),
    "post_held": _("%(value)s already holds the post %(post)s in this term; change it on her page."),
    "household_registered": _("A household with the head's ID number %(value)s is already registered."),
    "household_archived": _(
        "The ID number %(value)s belongs to an archived household: restore that household instead."
    ),
    "household_same_name": _("The household of %(value)s is already registered in %(org)s."),
    # Responsibility assignments (包干分配表, ``fulian.grid.imports``). Where a rule is the grid
    # service's own (``fulian.grid.services``), the message is the service's: the same text, and
    # so the same translation. A household target is given as ``household`` (its head's name) and
    # shown as ``target``, "household of …" in the reader's language (``render``).
    "assign_member_unknown": _("No executive member named “%(value)s” holds a post at %(org)s."),
    "assign_member_other_key": _(
        "%(value)s of %(org)s has another ID number or mobile number than this row gives: check them."
    ),
    "assign_member_ambiguous": _(
        "%(count)s executive members of %(org)s are named “%(value)s”: add her ID number or mobile number."
    ),
    "assign_post_ended": _("%(person)s's post ended on %(date)s: she can no longer take responsibility."),
    "assign_before_post": _("The assignment cannot start before her post did (%(date)s)."),
    "assign_end_before_start": _("The assignment cannot end before it starts."),
    "assign_target_required": _(
        "The target is empty: enter a township, village or group, or 户 with the head of household's name."
    ),
    "assign_target_ambiguous": _("%(count)s places are named “%(value)s” in %(org)s: give the code of the one meant."),
    "assign_head_required": _("This row is for a household (户): enter the head of household's name."),
    "assign_household_unknown": _("No household with the head “%(value)s” in %(org)s."),
    "assign_household_other_key": _(
        "The household of %(value)s in %(org)s has another ID number or phone than this row gives: check them."
    ),
    "assign_household_ambiguous": _(
        "%(count)s households in %(org)s have the head “%(value)s”: add the head's ID number or phone."
    ),
    "assign_target_level": _("%(target)s cannot be assigned to an executive member of %(org)s: %(rule)s."),
    "assign_household_elsewhere": _(
        "%(target)s is not in %(org)s: a village executive member takes households of her own village."
    ),
    "assign_target_archived": _("%(target)s is archived."),
    "assign_partner_required": _("Name the grid worker she shares the area with (合力联动)."),
    "assign_overlap": _("%(person)s is already responsible for %(target)s from %(start)s to %(end)s."),
    "assign_overlap_open": _("%(person)s is already responsible for %(target)s from %(start)s."),
    "assign_nearby": _("%(target)s already has %(person)s in one-to-one responsibility (就近包保) at that time."),
    "assign_overlap_row": _(
        "Row %(row)s of this file already makes %(person)s responsible for %(target)s at overlapping dates."
    ),
    "assign_nearby_row": _(
        "Row %(row)s of this file already gives %(target)s to %(person)s in one-to-one responsibility (就近包保) "
        "at overlapping dates."
    ),
    "assign_mode_required": _("The mode is empty: enter one of %(known)s."),
    "assign_too_long": _("“%(value)s” is too long: at most %(n)s characters."),
}

# Notices: what the import does that its rows do not show (it is not a problem: the rows import).
NOTICES: dict[str, Promise] = {
    "term_overdue": _(
        "Term %(term)s of %(org)s was due to end on %(end)s, but has not been changed over: the posts this file "
        "gives there (rows: %(rows)s) go into it. If a new term has begun, open it first on the roster of "
        "%(org)s (change-over), then upload the file again."
    ),
    "term_opened": _(
        "%(org)s has no open term (term %(last)s ended on %(ended)s): the import opens term %(term)s for the "
        "posts this file gives there (rows: %(rows)s)."
    ),
    "post_before_term": _(
        "The start dates of rows %(rows)s are before term %(term)s of %(org)s began (%(start)s): those posts "
        "belong to a term that has ended. They are imported into term %(term)s, from %(start)s; to keep them as "
        "posts of the earlier term, leave them out of this file."
    ),
    "term_first": _(
        "%(org)s has no term yet: the import opens term 1 for the posts this file gives there (rows: %(rows)s)."
    ),
}

# The text of a problem's link, by code (the link itself is stored with the problem).
LINKS: dict[str, Promise] = {
    "chair_taken": _("Roster and change-over of %(org)s"),
    "term_overdue": _("Roster and change-over of %(org)s"),
}

# The rule of a 执委's level, by the level of her federation (the assignment import's
# ``assign_target_level``): the grid service's words (``fulian.grid.services.target_check``).
ASSIGN_RULES: dict[str, Promise] = {
    Level.CITY: _("a city executive member takes counties of her city"),
    Level.COUNTY: _("a county executive member takes townships of her county"),
    Level.TOWNSHIP: _("a township executive member takes villages of her township"),
    Level.VILLAGE: _("a village executive member takes her own village, its groups or its households"),
}

# Values stored as a code and shown in the reader's language.
_PARAM_LABELS: dict[str, Callable[[Any], Any]] = {
    "level": lambda value: Level(value).label,
    "post": lambda value: PostKind(value).label,
    "rule": lambda value: ASSIGN_RULES.get(value, value),
}

# A validator's code (``fulian.core``) → the code of its message here.
VALIDATION_CODES = {
    "name_required": "name_required",
    "name_too_long": "name_too_long",
    "control_character": "control_character",
    "excel_scientific": "id_excel_scientific",
    "excel_truncated": "id_excel_truncated",
    "characters": "id_characters",
    "length": "id_length",
    "area": "id_area",
    "birth_date": "id_birth_date",
    "check_digit": "id_check_digit",
    "birth_date_contradicts_id": "birth_date_contradicts_id",
    "gender_contradicts_id": "gender_contradicts_id",
    "date_future": "date_future",
    "members_range": "members_range",
}


@dataclass(frozen=True)
class Msg:
    """A problem (or notice) as stored: its code and the values its message names."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)
    # A page that helps (the roster where the chair's post is ended): a path, shown as a link.
    link: str = ""

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "params": dict(self.params)}
        if self.link:
            data["link"] = self.link
        return data

    def __str__(self) -> str:
        return render(self.code, self.params)


def msg(code: str, *, link: str = "", **params: Any) -> Msg:
    """A problem with ``code``'s message; ``params`` are what it names (plain JSON values)."""
    assert code in MESSAGES or code in NOTICES or code == TEXT, code
    return Msg(code, {key: _plain(value) for key, value in params.items()}, link)


def text(message: str) -> Msg:
    """A message given only as text (already in the checker's language)."""
    return Msg(TEXT, {"text": str(message)})


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def render(code: str, params: Mapping[str, Any], *, templates: Mapping[str, Promise] | None = None) -> str:
    """The message of ``code`` in the active language; an unknown code (from a later version)
    shows its values rather than nothing."""
    if code == TEXT:
        return str(params.get("text", ""))
    template = (templates or MESSAGES).get(code) or NOTICES.get(code)
    shown = {key: (_PARAM_LABELS[key](value) if key in _PARAM_LABELS else value) for key, value in params.items()}
    if "household" in shown and "target" not in shown:  # an assignment's target: a household
        shown["target"] = _("household of %(name)s") % {"name": shown["household"]}
    if template is None:
        return "；".join(f"{key}: {value}" for key, value in shown.items()) or code
    try:
        return str(template) % shown
    except (KeyError, TypeError, ValueError):
        return str(template)


def shown(problem: Mapping[str, Any]) -> dict[str, Any]:
    """A stored problem (or notice) as a reader sees it: its ``message`` (and ``link_text``) in the
    active language. A problem stored before codes existed keeps its ``message``."""
    item = dict(problem)
    code = item.get("code")
    if code is None:
        item.setdefault("message", "")
        return item
    params = item.get("params") or {}
    item["message"] = render(code, params)
    if item.get("link") and code in LINKS:
        item["link_text"] = render(code, params, templates=LINKS)
    return item


def batch_message(batch: Any) -> str:
    """What a batch's ``message`` says, in the active language when it is the file's own error
    (not a spreadsheet, no header…), kept with its template; any other message as it was written."""
    report = batch.report or {}
    text_of = report.get("file_error_text") or {}
    if batch.message and text_of.get("template") and batch.message == report.get("file_error"):
        return error_text(text_of["template"], text_of.get("params") or {})
    return str(batch.message)


def shown_all(problems: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [shown(p) for p in problems]


def cell_text(field_name: str, value: Any) -> str:
    """A cell as a message quotes it: cut short, an ID number masked."""
    if value is None:
        return ""
    text_value = value.isoformat() if hasattr(value, "isoformat") else str(value)
    text_value = " ".join(text_value.split())
    # A fragment of 10 characters or fewer (a division code and a year at most) is shown as typed:
    # masked it would read "****", and nobody could find the mistake.
    if field_name in MASKED_FIELDS and len(text_value) > 10 and not _SCIENTIFIC.fullmatch(text_value):
        text_value = mask_id_number(text_value.upper())
    if len(text_value) > VALUE_CHARS:
        text_value = text_value[: VALUE_CHARS - 1] + "…"
    return text_value


def from_validation(field_name: str, error: ValidationError, value: Any) -> Msg:
    """A validator's error (a code and its params, ``fulian.core``) as a problem naming ``value``,
    the cell as written; an error without a known code keeps its text."""
    code = VALIDATION_CODES.get(error.code or "")
    params = dict(error.params or {})
    if error.code == "invalid_mobile":
        # Counted as the check reads it: without +86, spaces and dashes.
        digits = len(re.sub(r"\D", "", normalise_mobile(str(value or ""))))
        code = "mobile_invalid" if digits == 11 else "mobile_digits"
        params["digits"] = digits
    if code is None:
        return text(" ".join(error.messages))
    if error.code == "length" and "count" not in params:
        code = "id_characters"
    if error.code == "control_character":
        params["code"] = f"{params.get('code', 0):04X}"
    params["value"] = cell_text(field_name, value)
    return msg(code, **params)

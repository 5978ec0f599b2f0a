"""The responsibility assignment import (包干分配表): one assignment per row — a 执委 of a
federation takes a township, a village, a group or a household, in one of the four modes.

Every row is checked by the rules ``fulian.grid.services.assignment_create`` keeps (her level,
her post's dates, the uploader's reach, overlaps with stored assignments and with the other rows
of the file, 就近包保 one to one) and nothing is written at the preview; the commit writes the
valid rows through that same service, so no rule is kept twice on the write side. An import can
be undone while none of its assignments changed since. It only adds: a row never updates a
stored assignment (ending or changing one is done on its page, keeping the history).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fulian.grid import services
from fulian.grid.choices import Mode
from fulian.grid.imports.rows import COLUMNS, Entry, clean_row, prepare
from fulian.grid.imports.stored import check_stored, undo_blockers, undo_delete, write
from fulian.households.models import Household
from fulian.imports.engine import ImportKind, register
from fulian.imports.places import place_label
from fulian.orgs.models import Organisation
from fulian.people.choices import post_title


def _describe(entry: Entry) -> list[tuple[str, str]]:
    target = entry.target
    return [
        (_("Executive member"), entry.post.person.name),
        (_("Post"), post_title(entry.post.org.display_name, entry.post.kind)),
        (_("Responsible for"), place_label(target) if isinstance(target, Organisation) else _household(target)),
        (_("Mode"), str(Mode(entry.mode).label)),
        (_("Start date"), entry.start_date.isoformat()),
        (_("End date"), entry.end_date.isoformat() if entry.end_date else ""),
    ]


def _household(household: Household) -> str:
    return f"{services.target_label(household)} · {place_label(household.org)}"


def _duplicate_keys(entry: Entry) -> Iterable[tuple[Any, ...]]:
    # Two rows for the same target are compared by their dates (``check_stored``), not a key.
    return ()


ASSIGNMENTS = ImportKind(
    name="assignments",
    label=lambda: str(gettext_lazy("Responsibility assignment list")),
    name_field="member_name",
    columns=COLUMNS,
    required=["member_name"],
    template_headers={
        "member_org": "执委所在组织",
        "member_name": "执委姓名",
        "member_id_number": "执委身份证号",
        "member_mobile": "执委手机",
        "target": "包保对象",
        "head_name": "户主姓名",
        "head_id_number": "户主身份证号",
        "head_mobile": "户主电话",
        "mode": "包保方式",
        "partner": "合力联动网格员",
        "start_date": "开始日期",
        "end_date": "结束日期",
        "note": "备注",
    },
    template_example=[
        "回龙村",
        "周桂姣",
        "",
        "13807330000",
        "第一村民小组",
        "",
        "",
        "",
        "就近包保",
        "",
        "2026-01-01",
        "",
        "",
    ],
    text_columns=["member_id_number", "member_mobile", "head_id_number", "head_mobile"],
    change_action="grid.assign",
    prepare=prepare,
    clean_row=clean_row,
    duplicate_keys=_duplicate_keys,
    check_stored=check_stored,
    write_records=write,
    describe=_describe,
    undo_blockers=undo_blockers,
    undo_delete=undo_delete,
    # Add-only: no ``match_stored``/``diff``/``update_records``; a stored assignment is ended or
    # changed on its page, which keeps the history.
)
register(ASSIGNMENTS)

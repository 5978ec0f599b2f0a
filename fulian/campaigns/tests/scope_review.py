"""The review pages' routes (``views/review.py``): 新市镇's staff never reach 炎陵县's stage,
household, sheet, photo, result or flag. A stage has no organisation of its own: its pages
are scoped by its campaign (the case names Campaign; the object is the campaign's first stage)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from fulian.campaigns.models import Campaign, Entry, Flag, Result, ScoreSheet, SheetPhoto, Stage
from fulian.campaigns.tests import helpers as h
from fulian.campaigns.tests.scope_cases import (
    INSIDER,
    OUTSIDER,
    make_campaign,
    make_entry,
    make_flag,
    make_rater_assignment,
    make_result,
    make_sheet,
)
from fulian.people.tests.helpers import jpeg
from fulian.testing.scope import ScopeCase


def make_stage(world: Any) -> Stage:
    return h.first_stage(make_campaign(world))


def make_sheet_photo(world: Any) -> SheetPhoto:
    assignment = make_rater_assignment(world)
    sheet = h.score(world, assignment, Decimal("0.9"), photos=[(None, SimpleUploadedFile("p.jpg", jpeg()))])
    return sheet.photos.get()


def _case(model: Any, make: Any, detail: list[tuple[Any, ...]]) -> ScopeCase:
    return ScopeCase(model=model, make=make, outsider=OUTSIDER, insider=INSIDER, detail=detail)


CASES = [
    _case(
        Campaign,
        make_stage,
        [
            ("campaigns:stage", "get"),
            ("campaigns:ranking", "get"),
            ("campaigns:flags", "get"),
            ("campaigns:stage_promote", "get"),
            ("campaigns:stage_promote", "post", 400),  # not confirmed
            ("campaigns:stage_assign", "post", 302),  # no organisation: back with a message
            ("campaigns:stage_rank", "post", 302),
            ("campaigns:flags_find", "post", 302),
        ],
    ),
    _case(Entry, make_entry, [("campaigns:entry_raters", "get"), ("campaigns:entry_raters", "post", 400)]),
    _case(
        ScoreSheet,
        make_sheet,
        [
            ("campaigns:sheet_detail", "get"),
            ("campaigns:sheet_supersede", "get"),
            ("campaigns:sheet_supersede", "post", 400),  # no reason
        ],
    ),
    # A sheet's photo is served only to those who see the sheet.
    _case(ScoreSheet, make_sheet_photo, [("campaigns:sheet_photo", "get")]),
    _case(Result, make_result, [("campaigns:result_adjust", "post", 400)]),
    _case(Flag, make_flag, [("campaigns:flag_clear", "get"), ("campaigns:flag_clear", "post", 400)]),
]

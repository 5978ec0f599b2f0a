"""The campaigns' API routes in the scope tests: every route taking an id answers 404 to 新市镇's
staff for a record of 炎陵县 (its actions too, before reading the body), and every list leaves
the record out for them. The insider's statuses are those of an empty request."""

from __future__ import annotations

from typing import Any

from fulian.campaigns.models import (
    Award,
    Campaign,
    Entry,
    Nomination,
    Objection,
    Publicity,
    RaterAssignment,
    Result,
    Rubric,
    ScoreSheet,
    Stage,
)
from fulian.campaigns.tests import helpers as h
from fulian.campaigns.tests.scope_cases import (
    INSIDER,
    OUTSIDER,
    make_award,
    make_campaign,
    make_entry,
    make_nomination,
    make_objection,
    make_publicity,
    make_rater_assignment,
    make_result,
    make_rubric,
    make_sheet,
)
from fulian.testing.scope import ScopeCase


def make_stage(world: Any) -> Stage:
    return h.first_stage(make_campaign(world))


def _every(_obj: Any) -> dict[str, str]:
    return {}


def _case(model: Any, make: Any, **routes: Any) -> ScopeCase:
    return ScopeCase(model=model, make=make, outsider=OUTSIDER, insider=INSIDER, **routes)


CASES = [
    _case(
        Campaign,
        make_campaign,
        detail=[
            ("api:campaign-detail", "get"),
            ("api:campaign-detail", "patch", 200),  # nothing to change
            ("api:campaign-open", "post", 400),  # already under way
        ],
        lists=[("api:campaign-list", lambda c: {"year": str(c.year)})],
    ),
    _case(
        Rubric,
        make_rubric,
        detail=[
            ("api:campaign-rubric-detail", "get"),
            ("api:campaign-rubric-detail", "patch", 400),  # no sections
            ("api:campaign-rubric-new-version", "post", 201),
        ],
        lists=[("api:campaign-rubric-list", _every)],
    ),
    _case(
        Nomination,
        make_nomination,
        detail=[
            ("api:campaign-nomination-detail", "get"),
            ("api:campaign-nomination-accept", "post", 400),  # a public nomination: which household?
            ("api:campaign-nomination-merge", "post", 400),
            ("api:campaign-nomination-reject", "post", 400),
        ],
        lists=[("api:campaign-nomination-list", lambda n: {"status": "pending"})],
    ),
    _case(
        Entry,
        make_entry,
        detail=[("api:campaign-entry-detail", "get")],
        lists=[("api:campaign-entry-list", lambda e: {"status": "active"})],
    ),
    _case(
        Result,
        make_result,
        detail=[("api:campaign-result-detail", "get"), ("api:campaign-result-adjust", "post", 400)],
        lists=[("api:campaign-result-list", _every)],
    ),
    _case(
        RaterAssignment,
        make_rater_assignment,
        detail=[("api:campaign-rater-detail", "get"), ("api:campaign-rater-detail", "delete", 204)],
        lists=[("api:campaign-rater-list", lambda a: {"scored": "false"})],
    ),
    _case(
        ScoreSheet,
        make_sheet,
        detail=[("api:campaign-sheet-detail", "get"), ("api:campaign-sheet-supersede", "post", 400)],
        lists=[("api:campaign-sheet-list", lambda s: {"status": "submitted"})],
    ),
    _case(
        Stage,
        make_stage,
        detail=[
            ("api:campaign-stage-detail", "get"),
            ("api:campaign-stage-rank", "post", 200),
            ("api:campaign-stage-promote", "post", 400),  # not ranked before
            ("api:campaign-stage-publish", "post", 400),
            ("api:campaign-stage-assign-raters", "post", 400),  # which organisation?
        ],
    ),
    _case(
        Publicity,
        make_publicity,
        detail=[("api:campaign-publicity-detail", "get")],
        lists=[("api:campaign-publicity-list", _every)],
    ),
    _case(
        Objection,
        make_objection,
        detail=[("api:campaign-objection-detail", "get"), ("api:campaign-objection-handle", "post", 400)],
        lists=[("api:campaign-objection-list", lambda o: {"status": "open"})],
    ),
    _case(
        Award,
        make_award,
        detail=[("api:campaign-award-detail", "get"), ("api:campaign-award-revoke", "post", 400)],
        lists=[("api:campaign-award-list", lambda a: {"revoked": "false"})],
    ),
]

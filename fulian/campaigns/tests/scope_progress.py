"""The progress part's routes in the scope tests (see ``scope_cases.py``)."""

from __future__ import annotations

from typing import Any

from fulian.campaigns.models import Award, Campaign, Objection, Publicity, ReminderRun, Stage
from fulian.campaigns.tests.scope_cases import (
    INSIDER,
    OUTSIDER,
    make_award,
    make_campaign,
    make_objection,
    make_publicity,
    make_ranked_stage,
)
from fulian.testing.scope import ScopeCase


def make_reminder_run(world: Any) -> ReminderRun:
    campaign = make_campaign(world)
    return ReminderRun.objects.create(campaign=campaign, org=world.org("yanling"), status="done")


def _case(model: Any, make: Any, **routes: Any) -> ScopeCase:
    return ScopeCase(model=model, make=make, outsider=OUTSIDER, insider=INSIDER, **routes)


CASES = [
    _case(
        Campaign,
        make_campaign,
        detail=[
            ("campaigns:progress", "get"),
            ("campaigns:award_list", "get"),
            ("campaigns:progress_raters", "get"),
            # No org given: the insider's home within the campaign; nobody overdue → back to the page.
            ("campaigns:reminders_send", "post", 302),
        ],
    ),
    _case(
        Stage,
        make_ranked_stage,
        detail=[("campaigns:publicity_open", "get"), ("campaigns:publicity_open", "post", 400)],
    ),
    _case(Publicity, make_publicity, detail=[("campaigns:publicity_detail", "get")]),
    _case(
        Objection,
        make_objection,
        detail=[("campaigns:objection_detail", "get"), ("campaigns:objection_detail", "post", 400)],
    ),
    _case(Award, make_award, detail=[("campaigns:award_detail", "get"), ("campaigns:award_detail", "post", 400)]),
    _case(ReminderRun, make_reminder_run, detail=[("campaigns:reminder_status", "get")]),
]

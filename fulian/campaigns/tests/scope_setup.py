"""The set-up pages' routes for the scope tests: a campaign and a rubric of 炎陵县, which
新市镇's staff never see and 炎陵县's administrator may set up."""

from __future__ import annotations

from fulian.campaigns.models import Campaign, Rubric
from fulian.campaigns.tests.scope_cases import INSIDER, OUTSIDER, make_campaign, make_rubric
from fulian.testing.scope import ScopeCase

CASES = [
    ScopeCase(
        model=Campaign,
        make=make_campaign,
        outsider=OUTSIDER,
        insider=INSIDER,
        detail=[
            ("campaigns:detail", "get"),
            ("campaigns:edit", "get"),
            # The campaign is already open: the page says so (a message) and goes back to it.
            ("campaigns:open", "post", 302),
        ],
        lists=[("campaigns:list", lambda c: {"search": c.name})],
    ),
    ScopeCase(
        model=Rubric,
        make=make_rubric,
        outsider=OUTSIDER,
        insider=INSIDER,
        detail=[
            ("campaigns:rubric_detail", "get"),
            ("campaigns:rubric_edit", "get"),
            # An empty POST of the editor: no section, refused beside the editor.
            ("campaigns:rubric_edit", "post", 400),
            ("campaigns:rubric_new_version", "post", 302),
        ],
        lists=[("campaigns:rubric_list", lambda r: {})],
    ),
]

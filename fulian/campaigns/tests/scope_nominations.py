"""The nomination pages' routes for the scope tests: 新市镇's staff get 404 on the records of
炎陵县 (``scope_cases``), its administrator gets the page."""

from __future__ import annotations

from django.urls import reverse

from fulian.campaigns.models import Campaign, Conflict, Nomination
from fulian.campaigns.tests.scope_cases import INSIDER, OUTSIDER, make_campaign, make_conflict, make_nomination
from fulian.testing.scope import ScopeCase

CASES = [
    ScopeCase(
        model=Campaign,
        make=make_campaign,
        outsider=OUTSIDER,
        insider=INSIDER,
        detail=[
            ("campaigns:nomination_list", "get"),
            ("campaigns:nominate", "get"),
            ("campaigns:nominate", "post", 400),  # nothing ticked
            ("campaigns:nomination_import", "get"),
            ("campaigns:nomination_import", "post", 400),  # no file
        ],
    ),
    ScopeCase(
        model=Nomination,
        make=make_nomination,
        outsider=OUTSIDER,
        insider=INSIDER,
        detail=[
            ("campaigns:nomination_detail", "get"),
            ("campaigns:nomination_detail", "post", 400),  # no action
        ],
    ),
    ScopeCase(
        model=Conflict,
        make=make_conflict,
        outsider=OUTSIDER,
        insider=INSIDER,
        detail=[("campaigns:conflict_remove", "post", 302)],
        lists=[("campaigns:conflict_list", lambda c: {"search": c.person.name})],
        marker=lambda c: reverse("campaigns:conflict_remove", kwargs={"pk": c.pk}),
    ),
]

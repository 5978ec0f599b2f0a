"""The rater's pages taking an id: the score sheet of an assignment (an empty POST is a 400
naming the items not scored) and the confirmation of a submitted sheet."""

from __future__ import annotations

from fulian.campaigns.models import RaterAssignment, ScoreSheet
from fulian.campaigns.tests.scope_cases import INSIDER, OUTSIDER, make_rater_assignment, make_sheet
from fulian.testing.scope import ScopeCase

CASES = [
    ScopeCase(
        model=RaterAssignment,
        make=make_rater_assignment,
        outsider=OUTSIDER,
        insider=INSIDER,
        detail=[("campaigns:score", "get"), ("campaigns:score", "post", 400)],
    ),
    ScopeCase(
        model=ScoreSheet,
        make=make_sheet,
        outsider=OUTSIDER,
        insider=INSIDER,
        detail=[("campaigns:score_done", "get")],
    ),
]

"""The review pages' routes (``views/work.py``): 新市镇's staff never confirm, return or list
炎陵县's duty record; 炎陵县's administrator, who reviews it, does."""

from __future__ import annotations

from fulian.duties.tests.scope_cases import INSIDER, OUTSIDER, make_record
from fulian.grid.models import Contact
from fulian.testing.scope import ScopeCase

CASES = [
    ScopeCase(
        model=Contact,
        make=make_record,
        outsider=OUTSIDER,
        insider=INSIDER,
        detail=[
            ("duties:record_confirm", "post", 302),  # confirmed, back to the record's page
            ("duties:record_return", "get"),
            ("duties:record_return", "post", 400),  # no reason
        ],
        lists=[
            ("duties:review", lambda record: {}),
            ("duties:review", lambda record: {"work_mode": record.work_mode_id}),
            ("duties:review", lambda record: {"month": record.happened_on.strftime("%Y-%m")}),
        ],
        marker=lambda record: f'data-record="{record.pk}"',
    ),
]

"""The duty record pages in the scope tests: 新市镇's staff get 404 for a record of 炎陵县 on
every page taking its id (its edit and correction forms too, before reading the body), and the
staff's list filtered as the figures link to it leaves it out. The insider's statuses are those
of an empty request: the edit form names the missing work mode (400); a record waiting for
review is not corrected but changed (302 back to its page)."""

from __future__ import annotations

from typing import Any

from fulian.duties.tests.scope_cases import INSIDER, OUTSIDER, make_record
from fulian.grid.models import Contact
from fulian.testing.scope import ScopeCase


def _figures_link(record: Any) -> dict[str, str]:
    return {
        "work_mode": str(record.work_mode_id),
        "month": record.happened_on.strftime("%Y-%m"),
        "status": record.status,
        "org": str(record.org.parent_id),
    }


CASES = [
    ScopeCase(
        model=Contact,
        make=make_record,
        outsider=OUTSIDER,
        insider=INSIDER,
        detail=[
            ("grid:contact_detail", "get"),
            ("duties:record_edit", "get"),
            ("duties:record_edit", "post", 400),
            ("duties:record_correct", "get", 302),
            ("duties:record_correct", "post", 302),
        ],
        lists=[
            ("grid:contact_list", _figures_link, 200),
            ("grid:contact_list", lambda record: {"status": record.status}),
        ],
    ),
]

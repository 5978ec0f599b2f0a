"""The duties API's routes in the scope tests: every route taking an id (a record's edit, confirm
and return on ``/api/v1/grid/contacts/``, a request, its steps and each of its actions) answers
404 to 新市镇's staff for a record of 炎陵县 (before reading the body), and the lists leave it
out for them. The insider's statuses are those of an empty request."""

from __future__ import annotations

from typing import Any

from fulian.duties.models import Request
from fulian.duties.tests.scope_cases import INSIDER, OUTSIDER, make_record, make_request
from fulian.grid.models import Contact
from fulian.testing.scope import ScopeCase


def _every(_obj: Any) -> dict[str, str]:
    return {}


CASES = [
    ScopeCase(
        model=Contact,
        make=make_record,
        outsider=OUTSIDER,
        insider=INSIDER,
        detail=[
            ("api:grid-contact-detail", "patch", 200),  # nothing changed: still waiting
            ("api:grid-contact-confirm", "post", 200),  # 炎陵县's staff review 蔬菜村's 执委
            ("api:grid-contact-return", "post", 400),  # no reason
        ],
        lists=[
            ("api:duty-review-queue-list", _every),
            ("api:grid-contact-list", lambda r: {"status": "pending", "month": r.happened_on.strftime("%Y-%m")}),
        ],
    ),
    ScopeCase(
        model=Request,
        make=make_request,
        outsider=OUTSIDER,
        insider=INSIDER,
        detail=[
            ("api:duty-request-detail", "get"),
            ("api:duty-request-steps", "get"),
            ("api:duty-request-accept", "post", 200),  # the county's administrator acts for 蔬菜村
            ("api:duty-request-assign", "post", 400),  # to whom?
            ("api:duty-request-escalate", "post", 400),  # no reason
            ("api:duty-request-update", "post", 400),  # no note
            ("api:duty-request-answer", "post", 400),
            ("api:duty-request-rate", "post", 400),
            ("api:duty-request-close", "post", 400),
        ],
        lists=[("api:duty-request-list", lambda r: {"status": "recorded", "category": r.category})],
    ),
]

"""The ranks and honours pages in the scope tests: 炎陵县's holder is never in 新市镇's staff's
ranks nor among their honours; naming her organisation is an error beside the picker."""

from __future__ import annotations

from typing import Any

from fulian.points.models import AccountYear, Honour
from fulian.points.tests.scope_cases import INSIDER, OUTSIDER, make_honour, make_year
from fulian.testing.scope import ScopeCase


def _year(row: Any) -> dict[str, str]:
    return {"year": str(row.year)}


CASES = [
    ScopeCase(
        model=AccountYear,
        make=make_year,
        outsider=OUTSIDER,
        insider=INSIDER,
        lists=[
            ("points:ranks", _year),
            ("points:ranks", lambda row: {"year": str(row.year), "org": "430225"}),
        ],
        marker=lambda row: f'data-account="{row.account_id}"',
    ),
    ScopeCase(
        model=Honour,
        make=make_honour,
        outsider=OUTSIDER,
        insider=INSIDER,
        lists=[
            ("points:honours", _year),
            ("points:honours", lambda honour: {"year": str(honour.year), "org": "430225"}),
        ],
        marker=lambda honour: f'data-honour="{honour.pk}"',
    ),
]

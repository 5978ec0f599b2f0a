"""The passbook pages in the scope tests: an account of 炎陵县 (its page, its year printed, its
export) answers 404 to 新市镇's staff, and the account list leaves it out for them."""

from __future__ import annotations

from fulian.points.models import Account
from fulian.points.tests.scope_cases import INSIDER, OUTSIDER, make_account
from fulian.testing.scope import ScopeCase

CASES = [
    ScopeCase(
        model=Account,
        make=make_account,
        outsider=OUTSIDER,
        insider=INSIDER,
        detail=[
            ("points:account_detail", "get"),
            ("points:account_print", "get"),
            ("points:account_export", "get"),
        ],
        lists=[
            ("points:account_list", lambda a: {}),
            ("points:account_list", lambda a: {"search": "钟桂兰"}),
            ("points:account_list", lambda a: {"kind": "person", "sort": "year"}),
        ],
    ),
]
